#!/usr/bin/env bash
# Compares `pipe build && pipe push` with the same buildah commands run directly (pipe's own
# `--dry-run build` command line, then `buildah push` of each tag), same image, same loopback
# registry, fresh storage per run; then times `pipe build --skip-unchanged` on an unchanged
# commit against a full rebuild.
# Goals: pipe's overhead within 3% of raw buildah; an unchanged service under 1 s.
# Usage: bench/build_push_vs_buildah.sh [RUNS] [SIZE_MB]   (PIPE=path/to/pipe to pick a binary)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
runs=${1:-3}
size_mb=${2:-200}
work=$(mktemp -d)

registry_pids=()
cleanup() {
    for pid in "${registry_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
# Starts a registry with empty storage on a free loopback port; sets registry=host:port. Each side
# of each run gets its own, so no push can mount blobs that the other side uploaded.
start_registry() {
    local port dir
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$work/registry-$port
    mkdir -p "$dir"
    printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
        "$dir/data" "$port" >"$dir/config.yml"
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    registry_pids+=($!)
    for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
    registry=127.0.0.1:$port
}

app=$work/app
mkdir -p "$app"
git -C "$app" init -q -b main
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$app/payload.bin"
printf 'FROM scratch\nCOPY payload.bin /payload.bin\n' >"$app/Containerfile"
printf '.git\n.pipe\nREADME.md\n' >"$app/.containerignore"
echo "bench" >"$app/README.md"
git -C "$app" add -A
git -C "$app" -c user.name=b -c user.email=b@example.com commit -q -m bench
sha=$(git -C "$app" rev-parse HEAD)
printf 'payload %s MB, %s runs each\n' "$size_mb" "$runs"

now_ms() { date +%s%3N; }
export PIPE_STORAGE_DRIVER=vfs PIPE_ISOLATION=chroot PIPE_INSECURE_REGISTRY=true

pipe_total=0
raw_total=0
# One side of a run: pipe build + push into a fresh registry with fresh storage.
run_pipe_side() {
    start_registry
    export PIPE_BUILDAH_ROOT=$work/s/pipe-$run/root PIPE_BUILDAH_RUNROOT=$work/s/pipe-$run/run
    export PIPE_IMAGE=$registry/pipe-$run
    start=$(now_ms)
    "$pipe" -q -C "$app" build >/dev/null
    "$pipe" -q -C "$app" push >/dev/null
    pipe_total=$((pipe_total + $(now_ms) - start))
    buildah --storage-driver vfs --root "$PIPE_BUILDAH_ROOT" --runroot "$PIPE_BUILDAH_RUNROOT" rmi -a -f >/dev/null 2>&1 || true
}

# The other side: pipe's exact build command (from --dry-run), then one buildah push per tag.
run_raw_side() {
    start_registry
    local root=$work/s/raw-$run
    export PIPE_BUILDAH_ROOT=$root/root PIPE_BUILDAH_RUNROOT=$root/run PIPE_IMAGE=$registry/raw-$run
    mkdir -p "$work/iid"
    read -r -a build_argv < <("$pipe" -C "$app" --dry-run build | head -1 | sed 's/^cd [^&]* && //')
    for i in "${!build_argv[@]}"; do
        if [[ ${build_argv[$i]} == --iidfile ]]; then
            build_argv[i + 1]=$work/iid/raw-$run
        fi
    done
    local b=(buildah --storage-driver vfs --root "$root/root" --runroot "$root/run")
    start=$(now_ms)
    (cd "$app" && "${build_argv[@]}" >/dev/null)
    "${b[@]}" push -q --tls-verify=false "$registry/raw-$run:main" "docker://$registry/raw-$run:main"
    "${b[@]}" push -q --tls-verify=false "$registry/raw-$run:sha-$sha" "docker://$registry/raw-$run:sha-$sha"
    raw_total=$((raw_total + $(now_ms) - start))
    "${b[@]}" rmi -a -f >/dev/null 2>&1 || true
}

# The sides alternate which goes first, so page cache and disk write-back favour neither.
for ((run = 0; run < runs; run++)); do
    if ((run % 2 == 0)); then
        run_pipe_side
        run_raw_side
    else
        run_raw_side
        run_pipe_side
    fi
done
printf 'build+push   pipe %6d ms   raw buildah %6d ms   ratio pipe/raw %s\n' "$((pipe_total / runs))" \
    "$((raw_total / runs))" "$(awk -v a="$pipe_total" -v b="$raw_total" 'BEGIN { printf "%.3f", a / b }')"

# --skip-unchanged: label the image once, then a docs-only commit.
start_registry
export PIPE_BUILDAH_ROOT=$work/s/skip/root PIPE_BUILDAH_RUNROOT=$work/s/skip/run PIPE_IMAGE=$registry/skip
"$pipe" -q -C "$app" build --skip-unchanged >/dev/null
"$pipe" -q -C "$app" push >/dev/null
echo "docs" >>"$app/README.md"
git -C "$app" -c user.name=b -c user.email=b@example.com commit -q -am docs
start=$(now_ms)
"$pipe" -q -C "$app" build --skip-unchanged >/dev/null
"$pipe" -q -C "$app" push >/dev/null
skip_ms=$(($(now_ms) - start))
start=$(now_ms)
"$pipe" -q -C "$app" build --no-layers >/dev/null
full_ms=$(($(now_ms) - start))
printf 'unchanged    --skip-unchanged build+push %6d ms   full rebuild %6d ms   ratio %s\n' "$skip_ms" "$full_ms" \
    "$(awk -v a="$skip_ms" -v b="$full_ms" 'BEGIN { printf "%.3f", a / b }')"
buildah --storage-driver vfs --root "$PIPE_BUILDAH_ROOT" --runroot "$PIPE_BUILDAH_RUNROOT" rmi -a -f >/dev/null 2>&1 || true
