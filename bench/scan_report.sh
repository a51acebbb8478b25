#!/usr/bin/env bash
# Measures how fast `pipe scan` judges a huge Trivy report: generates a ~100 MB JSON report with
# 200,000 findings in Trivy's format, runs `pipe scan --from-report` on it (parse, gate, terminal
# table, SARIF and JUnit), and prints MB/s and peak memory as a multiple of the report size.
# Goals: over 100 MB/s; peak memory under 4x the report.
# Usage: bench/scan_report.sh [FINDINGS]   (PIPE=path/to/pipe to pick a binary)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
findings=${1:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/report.json" "$findings" <<'PY'
import json, sys
path, count = sys.argv[1], int(sys.argv[2])
severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
with open(path, "w") as out:
    out.write('{"SchemaVersion":2,"ArtifactName":"ghcr.io/acme/big@sha256:' + "a" * 64 + '",'
              '"ArtifactType":"container_image","Metadata":{"ImageID":"sha256:' + "b" * 64 + '"},"Results":[')
    per_target = 10000
    for target in range(count // per_target):
        out.write("," if target else "")
        out.write('{"Target":"layer-%d","Class":"lang-pkgs","Type":"npm","Vulnerabilities":[' % target)
        for i in range(per_target):
            n = target * per_target + i
            out.write("," if i else "")
            out.write(json.dumps({
                "VulnerabilityID": "CVE-2024-%06d" % n, "PkgID": "pkg-%d@1.0.%d" % (n % 977, n % 13),
                "PkgName": "pkg-%d" % (n % 977), "PkgPath": "app/node_modules/pkg-%d/package.json" % (n % 977),
                "PkgIdentifier": {"PURL": "pkg:npm/pkg-%d@1.0.%d" % (n % 977, n % 13)},
                "InstalledVersion": "1.0.%d" % (n % 13), "FixedVersion": "1.0.%d" % (n % 13 + 1) if n % 3 else "",
                "Status": "fixed" if n % 3 else "affected", "Severity": severities[n % 5],
                "Title": "pkg-%d: a vulnerability found by the benchmark generator" % (n % 977),
                "Description": "A long description of the issue. " * 2,
                "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-%06d" % n,
                "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 5.0 + n % 5}},
                "References": ["https://example.com/advisory/%d" % n], "PublishedDate": "2024-01-01T00:00:00Z"}))
        out.write("]}")
    out.write("]}")
PY
size=$(stat -c %s "$work/report.json")
git -C "$work" init -q -b main repo
git -C "$work/repo" -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m bench
printf 'report: %s findings, %.1f MB\n' "$findings" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')"

# Runs a labelled command and prints its wall time, throughput and peak RSS.
measure() {
    local label=$1
    shift
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r seconds kilobytes < <(tail -1 "$work/time")
    printf '%-34s %6.2f s  %7.1f MB/s  peak %6.0f MB  (%.2fx the report)\n' "$label" "$seconds" \
        "$(awk -v s="$size" -v t="$seconds" 'BEGIN { print s / 1e6 / (t > 0 ? t : 0.001) }')" \
        "$(awk -v k="$kilobytes" 'BEGIN { print k / 1024 }')" \
        "$(awk -v k="$kilobytes" -v s="$size" 'BEGIN { print k * 1024 / s }')"
}
cd "$work/repo"
measure "pipe scan (gate + table)" "$pipe" scan --from-report "$work/report.json" --fail-on none
measure "pipe scan + SARIF + JUnit" "$pipe" scan --from-report "$work/report.json" --sarif "$work/out.sarif" \
    --junit "$work/out.xml"
measure "python3 json.load (reference)" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/report.json"
