#!/usr/bin/env bash
# pipe's main job on the bundled example: turns examples/payments-api into a git repository,
# starts Debian's docker-registry on a free loopback port, computes the tags, then runs the whole
# pipeline with `pipe run` in one process: build with buildah (vfs storage and chroot isolation in
# a private storage root, so no privileges are needed and nothing is left behind), push, scan
# (Trivy when installed; otherwise the demo says so and leaves the gate out explicitly), sign the
# pushed digest with a key (natively when cosign is absent) and bump the tag in a local config
# repository over file://. The run record .pipe/run.json and OpenMetrics text come out of it; skopeo
# checks the digest and `pipe verify` checks the signature through a Kubernetes manifest, the
# deploy gate. Then it releases v1.4.2 (same commit: only tags are added) and makes a docs-only
# commit that `pipe build --skip-unchanged` recognises without rebuilding.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
work=$(mktemp -d)
registry_pid=""
cleanup() {
    if [[ -n $registry_pid ]]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
    fi
    if [[ -d $work/storage ]]; then
        buildah --root "$work/storage/root" --runroot "$work/storage/runroot" --storage-driver vfs \
            rmi --all >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

app=$work/payments-api
mkdir -p "$app"
cp -r "$here/payments-api/." "$app/"
echo "== a local GitOps config repository (bare, file://) for pipe bump"
config_seed=$work/k8s-config-seed
mkdir -p "$config_seed/apps/payments-api"
cat >"$config_seed/apps/payments-api/values.yaml" <<'YAML'
# Helm values of payments-api in production (Argo CD deploys this repository)
replicaCount: 3
image:
  repository: ghcr.io/acme/payments-api
  tag: "sha-0000000000000000000000000000000000000000"  # bumped by pipe
YAML
git -C "$config_seed" init -q -b main
git -C "$config_seed" add -A
GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=Demo \
    GIT_COMMITTER_EMAIL=demo@example.com git -C "$config_seed" commit -q -m "production values"
git clone -q --bare "$config_seed" "$work/k8s-config.git"
cat >>"$app/pipe.yaml" <<YAML
sign:
  key: $work/keys/cosign.key
  attest: provenance
bump:
  - url: file://$work/k8s-config.git
    file: apps/payments-api/values.yaml
    key: image.tag
YAML
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com
export GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.com
git -C "$app" init -q -b main
git -C "$app" add -A
git -C "$app" commit -q -m "payments-api: initial commit"
git -C "$app" remote add origin https://github.com/acme/payments-api.git

echo "== a registry on loopback (docker-registry, plain HTTP)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
done
registry=127.0.0.1:$port
echo "registry at $registry"

export PIPE_IMAGE=$registry/acme/payments-api PIPE_INSECURE_REGISTRY=true
export PIPE_BUILDAH_ROOT=$work/storage/root PIPE_BUILDAH_RUNROOT=$work/storage/runroot
export PIPE_STORAGE_DRIVER=vfs PIPE_ISOLATION=chroot

echo "== pipe tags on branch main"
"$pipe" -C "$app" tags --refs

echo "== a signing key (cosign's format, password from COSIGN_PASSWORD), outside the repository"
export COSIGN_PASSWORD=demo-only-password
mkdir -p "$work/keys" "$work/k8s"
"$pipe" sign --generate-key --key "$work/keys/cosign.key"

echo "== compile the service (static binary), then pipe run: test, build, push, scan, sign, bump"
mkdir -p "$app/bin"
cc -static -Os -o "$app/bin/payments-api" "$app/cmd/main.c"
run_args=(run --step-arg build=--skip-unchanged --metrics "$work/pipe.prom")
if command -v trivy >/dev/null; then
    echo "trivy is installed: pipe scans the pushed digest with it (report only in this demo)"
    run_args+=(--step-arg scan=--fail-on=none)
else
    echo "trivy is not installed (https://trivy.dev): this demo leaves the scan out with --skip scan;"
    echo "without that, pipe run fails, because a gate that could not run never passes"
    run_args+=(--skip scan)
fi
if command -v cosign >/dev/null; then
    echo "cosign is installed: pipe signs through it"
else
    echo "cosign is not installed (https://docs.sigstore.dev): pipe signs natively, in cosign's format"
fi
"$pipe" -C "$app" --json "${run_args[@]}" >"$work/run-record.json"
pinned=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["services"][0]["push"]["pinned"])' \
    "$work/run-record.json")
echo "pipe recorded: $pinned"
witness=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
    "docker://$registry/acme/payments-api:sha-$(git -C "$app" rev-parse HEAD)")
echo "skopeo sees:   $registry/acme/payments-api@$witness"
[[ $pinned == "$registry/acme/payments-api@$witness" ]] || { echo "digest mismatch" >&2; exit 1; }
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
    "$work/run-record.json" "$app/.pipe/run.json" || { echo "run record mismatch" >&2; exit 1; }
echo "== the run record (.pipe/run.json) and the metrics for a textfile collector"
python3 -c 'import json, sys
record = json.load(open(sys.argv[1]))
for step in record["steps"]:
    print("%-6s exit %d  %.1fs" % (step["step"], step["exit_code"], step["duration_seconds"]))
for service in record["services"]:
    print(service["name"], service["push"]["pinned"], service["sign"]["method"], service["bump"][0]["new"])' \
    "$app/.pipe/run.json"
cat "$work/pipe.prom"
echo "== pipe verify (the deploy gate over a Kubernetes manifest)"
cat >"$work/k8s/deployment.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments-api}
spec:
  template:
    spec:
      containers:
        - name: app
          image: $pinned
YAML
"$pipe" -C "$app" verify --key "$work/keys/cosign.pub" --insecure-ignore-tlog -f "$work/k8s"
"$pipe" -C "$app" verify --key "$work/keys/cosign.pub" --insecure-ignore-tlog \
    --attestation-type slsaprovenance1 "$pinned"
echo "== a manifest deploying by tag is refused (exit 1 expected)"
sed -i "s|image: .*|image: $registry/acme/payments-api:main|" "$work/k8s/deployment.yaml"
if "$pipe" -C "$app" verify --key "$work/keys/cosign.pub" -f "$work/k8s"; then
    echo "a tag reference passed the gate" >&2
    exit 1
fi
echo "== what pipe run's bump step wrote into the config repository (pipe's bump branch; no GitHub here, so no PR)"
git --git-dir "$work/k8s-config.git" diff main bump/payments-api

echo "== release v1.4.2 of the same commit: unchanged, so only the version tags are added"
git -C "$app" tag -a v1.4.2 -m "release 1.4.2"
git -C "$app" checkout -q v1.4.2
"$pipe" -C "$app" tags --json
"$pipe" -C "$app" build --skip-unchanged
"$pipe" -C "$app" push

echo "== a docs-only commit on main: --skip-unchanged finds the same inputs in the registry"
git -C "$app" checkout -q main
echo "Runbook: restart with kubectl rollout restart." >>"$app/README.md"
git -C "$app" commit -q -am "docs: runbook"
"$pipe" -C "$app" build --skip-unchanged
"$pipe" -C "$app" push
echo "== tags in the registry"
skopeo list-tags --tls-verify=false "docker://$registry/acme/payments-api"
