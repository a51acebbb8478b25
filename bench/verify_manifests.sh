#!/usr/bin/env bash
# Measures the deploy gate: `pipe verify -f` over 200 Kubernetes Deployments that reference 50
# natively signed images by digest (each image 4-8 times), against the naive way of one
# `pipe verify IMAGE@DIGEST` process per reference. Both verify with --native, so an installed
# cosign does not change what is measured. Everything runs against docker-registry on a
# free loopback port; the registry requests are counted from pipe's --verbose trace on stderr.
# Goals: -f verifies each distinct digest once (its requests are the per-digest requests of one
# image times the distinct digests, plus one ping); faster than the naive way by about the number
# of references per digest. Fails when -f makes more requests than that, or anything is unsigned.
# Usage: bench/verify_manifests.sh [RUNS] [IMAGES] [MANIFESTS]   (PIPE=path/to/pipe to pick a binary)
#   RUNS timed runs of `pipe verify -f` (the naive side runs once: it is hundreds of processes).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
runs=${1:-3}
images=${2:-50}
manifests=${3:-200}

for tool in docker-registry skopeo python3 curl git; do
    if ! command -v "$tool" >/dev/null; then
        echo "verify_manifests.sh: $tool is missing; install the packages listed in README.md" >&2
        exit 2
    fi
done
if [[ ! -x $pipe ]]; then
    echo "verify_manifests.sh: no pipe binary at $pipe; build it or set PIPE=path/to/pipe" >&2
    exit 2
fi
pipe=$(cd "$(dirname "$pipe")" && pwd)/$(basename "$pipe")

work=$(mktemp -d)
registry_pid=""
cleanup() {
    if [[ -n $registry_pid ]]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# Loopback only: no proxy may see these requests.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$work/registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
registry=127.0.0.1:$port

# pipe sign and verify want a git checkout to run in (for pipe.yaml and the service name).
git -C "$work" init -q -b main
git -C "$work" -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m bench
cd "$work"

# One OCI layout per image, in the shape of tests/helpers/local_registry.cpp seed_image: a
# one-file layer, a config naming its diff_id, a manifest, an index entry with ref name "seed".
python3 - "$work/layouts" "$images" <<'PY'
import hashlib, io, json, os, sys, tarfile
root, count = sys.argv[1], int(sys.argv[2])
for n in range(count):
    layout = os.path.join(root, str(n))
    os.makedirs(os.path.join(layout, "blobs", "sha256"))
    def blob(data, media_type):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as out:
            out.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}
    content = ("pipe bench image %d\n" % n).encode()
    layer_bytes = io.BytesIO()
    with tarfile.open(fileobj=layer_bytes, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("seed.txt")
        info.size, info.mtime, info.mode = len(content), 0, 0o644
        tar.addfile(info, io.BytesIO(content))
    layer = blob(layer_bytes.getvalue(), "application/vnd.oci.image.layer.v1.tar")
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": blob(json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json"),
                "layers": [layer]}
    entry = blob(json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
    entry["annotations"] = {"org.opencontainers.image.ref.name": "seed"}
    with open(os.path.join(layout, "oci-layout"), "w") as out:
        out.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as out:
        json.dump({"schemaVersion": 2, "manifests": [entry]}, out)
PY

refs=()
for ((n = 0; n < images; n++)); do
    skopeo copy -q --dest-tls-verify=false --digestfile "$work/digest" "oci:$work/layouts/$n:seed" \
        "docker://$registry/bench/app-$n:v1" >/dev/null
    refs+=("$registry/bench/app-$n@$(cat "$work/digest")")
done

export COSIGN_PASSWORD=bench
"$pipe" -q sign --generate-key --key "$work/cosign.key" >/dev/null
for ((n = 0; n < images; n += 10)); do
    "$pipe" --verbose sign --native --key "$work/cosign.key" --insecure-registry "${refs[@]:n:10}" \
        >/dev/null 2>>"$work/sign.err"
done
unset COSIGN_PASSWORD

# Deployment i runs image i mod IMAGES; every even one also a sidecar (7i+3) mod IMAGES, which
# is always another image: with the defaults the even images appear 4 times, the odd ones 8.
mkdir "$work/manifests"
references=0
for ((i = 0; i < manifests; i++)); do
    {
        printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-%d\n' "$i"
        printf 'spec:\n  replicas: 1\n  selector:\n    matchLabels: {app: svc-%d}\n' "$i"
        printf '  template:\n    metadata:\n      labels: {app: svc-%d}\n    spec:\n      containers:\n' "$i"
        printf '        - name: main\n          image: %s\n' "${refs[i % images]}"
        if ((i % 2 == 0)); then
            printf '        - name: sidecar\n          image: %s\n' "${refs[(7 * i + 3) % images]}"
        fi
    } >"$work/manifests/svc-$i.yaml"
done
grep -h '^ *image: ' "$work"/manifests/*.yaml | sed 's/^ *image: //' >"$work/references"
references=$(wc -l <"$work/references")
distinct=$(sed 's/.*@//' "$work/references" | sort -u | wc -l)

# Trace lines: one per HTTP request pipe sends ("METHOD URL"); pings are the /v2/ probes.
requests_in() { grep -cE '^(GET|HEAD|POST|PUT|PATCH|DELETE) ' "$1" || true; }
pings_in() { grep -cE '^(GET|HEAD) https?://[^/]+/v2/$' "$1" || true; }
# Fails when a trace line names a host other than the loopback registry.
loopback_only() {
    if grep -E '^(GET|HEAD|POST|PUT|PATCH|DELETE) ' "$1" | grep -vqE "^[A-Z]+ https?://$registry/"; then
        echo "verify_manifests.sh: pipe contacted a host other than $registry:" >&2
        grep -E '^(GET|HEAD|POST|PUT|PATCH|DELETE) ' "$1" | grep -vE "^[A-Z]+ https?://$registry/" | head -5 >&2
        exit 1
    fi
}
loopback_only "$work/sign.err"
now_ns() { date +%s%N; }

# (a) the deploy gate, once to warm the registry's page cache, then RUNS timed runs.
gate=("$pipe" --verbose verify --native --key "$work/cosign.pub" --insecure-registry -f manifests/)
"${gate[@]}" >/dev/null 2>&1
gate_ns=0
gate_requests=""
for ((run = 0; run < runs; run++)); do
    start=$(now_ns)
    "${gate[@]}" >"$work/gate.out" 2>"$work/gate.err"
    gate_ns=$((gate_ns + $(now_ns) - start))
    loopback_only "$work/gate.err"
    verified=$(grep -c '^verified ' "$work/gate.out" || true)
    if ((verified != references)); then
        echo "verify_manifests.sh: pipe verify -f verified $verified of $references references" >&2
        exit 1
    fi
    count=$(requests_in "$work/gate.err")
    if [[ -n $gate_requests && $count != "$gate_requests" ]]; then
        echo "verify_manifests.sh: note: run $run made $count requests, run 0 made $gate_requests" >&2
    fi
    gate_requests=$count
done
gate_ms=$((gate_ns / runs / 1000000))
gate_pings=$(pings_in "$work/gate.err")

# (b) one process per reference.
: >"$work/naive.err"
start=$(now_ns)
while read -r ref; do
    "$pipe" --verbose verify --native --key "$work/cosign.pub" --insecure-registry "$ref" \
        </dev/null >/dev/null 2>>"$work/naive.err"
done <"$work/references"
naive_ms=$((($(now_ns) - start) / 1000000))
loopback_only "$work/naive.err"
naive_requests=$(requests_in "$work/naive.err")
naive_pings=$(pings_in "$work/naive.err")
per_digest=$(awk -v r="$naive_requests" -v p="$naive_pings" -v n="$references" 'BEGIN { printf "%.2f", (r - p) / n }')
expected=$(awk -v d="$distinct" -v k="$per_digest" -v p="$gate_pings" 'BEGIN { printf "%d", d * k + p + 0.5 }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%s images, %s manifests, %s references, %s distinct digests; -f timed over %s runs\n' \
    "$images" "$manifests" "$references" "$distinct" "$runs"
printf '%-34s %9s %10s %9s %12s\n' "" "wall ms" "processes" "requests" "req/digest"
printf '%-34s %9d %10d %9d %12s\n' "(a) pipe verify -f manifests/" "$gate_ms" 1 "$gate_requests" \
    "$(awk -v r="$gate_requests" -v p="$gate_pings" -v d="$distinct" 'BEGIN { printf "%.2f", (r - p) / d }')"
printf '%-34s %9d %10d %9d %12s\n' "(b) one pipe verify per reference" "$naive_ms" "$references" "$naive_requests" \
    "$per_digest"
printf 'ratio (b)/(a): time %s, requests %s   (pings: (a) %s, (b) %s)\n' "$(ratio "$naive_ms" "$gate_ms")" \
    "$(ratio "$naive_requests" "$gate_requests")" "$gate_pings" "$naive_pings"
printf '(a) expected requests: %s distinct x %s per digest + %s pings = %s; measured %s\n' "$distinct" \
    "$per_digest" "$gate_pings" "$expected" "$gate_requests"
if ! awk -v a="$gate_requests" -v e="$expected" 'BEGIN { exit !(a <= e * 1.05 && a >= e * 0.95) }'; then
    echo "verify_manifests.sh: FAIL: -f made $gate_requests requests, not about $expected (each digest once)" >&2
    exit 1
fi
echo "ok: pipe verify -f verified each distinct digest once"
