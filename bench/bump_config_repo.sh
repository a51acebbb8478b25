#!/usr/bin/env bash
# Measures `pipe bump` against config repositories of growing size (default: 100 files and 100
# commits, 10,000 files and 4,000 commits, 50,000 files and 20,000 commits), generated with
# git fast-import. One service bumps apps/api/values.yaml (image.tag) to a new value each run:
#   api      API mode (--no-pr) against tests/fakes/fake-github on loopback, over a copy of the repo
#   api+pr   API mode with its pull request (created once, then updated)
#   git      git mode (--no-pr) over file:// and over git:// (git daemon on loopback)
# next to the same change made by hand: a plain `git clone`, sed, `git commit`, `git push`.
# Every measurement is repeated RUNS times; the medians and ratios are printed.
# Besides wall times it prints CPU times (pipe's or git's, and fake-github's with its git
# processes), which a busy machine does not inflate.
# Goals: API mode under 0.5 s at every size, and flat as the repository grows (CPU of pipe and
# fake-github for the largest repository at most 1.5 times that for the smallest). Exits 1 when a
# goal is missed.
# Usage: bench/bump_config_repo.sh [RUNS] [FILES:COMMITS ...]   (PIPE=path/to/pipe to pick a binary;
#   GIT_MAX_FILES=N measures git mode only for repositories of at most N files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
fake_github=$here/../tests/fakes/fake-github
runs=${1:-5}
# Git mode fetches the whole history (libgit2 1.5 cannot fetch shallow), which takes minutes for
# the largest repository on a busy machine: GIT_MAX_FILES=N measures it only up to N files.
git_max_files=${GIT_MAX_FILES:-1000000}
shift || true
sizes=("$@")
if ((${#sizes[@]} == 0)); then
    sizes=(100:100 10000:4000 50000:20000)
fi

for tool in git python3 awk sort; do
    if ! command -v "$tool" >/dev/null; then
        echo "bump_config_repo.sh: $tool is missing; install the packages listed in README.md" >&2
        exit 2
    fi
done
if [[ ! -x /usr/lib/git-core/git-daemon ]] && ! git daemon --help >/dev/null 2>&1; then
    echo "bump_config_repo.sh: git daemon is missing (apt-get install git)" >&2
    exit 2
fi
if [[ ! -x $pipe ]]; then
    echo "bump_config_repo.sh: no pipe binary at $pipe; build it or set PIPE=path/to/pipe" >&2
    exit 2
fi
pipe=$(cd "$(dirname "$pipe")" && pwd)/$(basename "$pipe")

work=$(mktemp -d)
pids=()
cleanup() {
    exec 3>&-  # EOF on fake-github's stdin ends it
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
# Loopback only: no proxy may see these requests.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
# Neither side reads the user's git configuration.
export GIT_CONFIG_NOSYSTEM=1 HOME=$work/home GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
    GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"
token=bench-token-value

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# fake-github over $work/github/<owner>/<repo>.git; it serves until fd 3 (its stdin) closes.
mkdir -p "$work/github/acme"
mkfifo "$work/fake.stdin"
"$fake_github" --root "$work/github" --token "$token" <"$work/fake.stdin" >"$work/fake.port" 2>"$work/fake.log" &
fake_pid=$!
pids+=($!)
exec 3>"$work/fake.stdin"
for _ in $(seq 100); do [[ -s $work/fake.port ]] && break; sleep 0.05; done
api_url=http://127.0.0.1:$(head -n1 "$work/fake.port")

# git daemon over $work/daemon (push enabled), for git:// on loopback.
daemon_port=$(free_port)
mkdir -p "$work/daemon"
git daemon --reuseaddr --listen=127.0.0.1 --port="$daemon_port" --base-path="$work/daemon" --export-all \
    --enable=receive-pack "$work/daemon" 2>"$work/daemon.log" &
pids+=($!)
for _ in $(seq 100); do git ls-remote "git://127.0.0.1:$daemon_port/none" >/dev/null 2>&1 && break; sleep 0.05; done

# A bare config repository DIR of FILES files under apps/ (apps/api/values.yaml among them) and
# COMMITS commits, each after the first changing one file.
generate() {
    local dir=$1 files=$2 commits=$3
    git init -q --bare -b main "$dir"
    awk -v files="$files" -v commits="$commits" 'BEGIN {
        t = 1700000000
        printf "commit refs/heads/main\nmark :1\ncommitter Bench <bench@example.com> %d +0000\ndata 4\nseed\n", t
        api = "image:\n  repository: ghcr.io/acme/api\n  tag: sha-seed  # bumped by pipe\n"
        printf "M 644 inline apps/api/values.yaml\ndata %d\n%s\n", length(api), api
        for (f = 1; f < files; f++) {
            content = sprintf("name: app-%d\nreplicas: 1\n", f)
            printf "M 644 inline apps/g%03d/app-%d.yaml\ndata %d\n%s\n", f % 500, f, length(content), content
        }
        for (c = 2; c <= commits; c++) {
            f = 1 + (c * 7919) % (files > 1 ? files - 1 : 1)
            msg = "change " c; content = sprintf("name: app-%d\nreplicas: %d\n", f, c)
            printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", c, t + c
            printf "data %d\n%s\nM 644 inline apps/g%03d/app-%d.yaml\ndata %d\n%s\n", length(msg), msg, f % 500, f, length(content), content
        }
    }' | git -C "$dir" fast-import --quiet
    git -C "$dir" gc -q
}

# CPU time in milliseconds fake-github and the children it waited for (its git processes) have
# used so far. (git daemon reaps its children late, so its CPU time is not counted.)
ticks=$(getconf CLK_TCK)
server_cpu_ms() {
    awk -v hz="$ticks" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13 + $14 + $15) * 1000 / hz }' "/proc/$fake_pid/stat"
}

# "WALL CPU SERVER" in milliseconds for one run of "$@": wall time, CPU time (user + system) of the
# command and its children, and CPU time of fake-github meanwhile; its output goes to $work/last.log.
time_ms() {
    local TIMEFORMAT='%3R %3U %3S' status=0 wall user sys before after
    before=$(server_cpu_ms)
    { time "$@" >"$work/last.log" 2>&1 || status=$?; } 2>"$work/time.log"
    after=$(server_cpu_ms)
    if ((status != 0)); then
        echo "bump_config_repo.sh: failed ($status): $*" >&2
        cat "$work/last.log" >&2
        return 3
    fi
    read -r wall user sys <"$work/time.log"
    awk -v w="$wall" -v u="$user" -v s="$sys" -v server=$((after - before)) \
        'BEGIN { printf "%d %d %d\n", w * 1000, (u + s) * 1000, server }'
}

median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# The change by hand: clone, edit, commit, push to a branch of its own.
by_hand() {
    local url=$1 value=$2 clone=$work/clone
    rm -rf "$clone"
    git clone -q --branch main "$url" "$clone"
    sed -i "s/tag: .*  # bumped by pipe/tag: $value  # bumped by pipe/" "$clone/apps/api/values.yaml"
    git -C "$clone" commit -q -am "bump api to $value"
    git -C "$clone" push -q --force origin HEAD:refs/heads/bump/by-hand
}

# "WALL CPU SERVER": the medians of RUNS runs of one measurement; $1 names it, the rest is the
# command with {} for the value it bumps to.
measure() {
    local name=$1 walls=() cpus=() servers=() i wall cpu server
    shift
    for ((i = 1; i <= runs; i++)); do
        read -r wall cpu server < <(time_ms "${@//\{\}/sha-$name-$i}") || exit 3
        [[ -n $server ]] || exit 3
        walls+=("$wall")
        cpus+=("$cpu")
        servers+=("$server")
    done
    echo "$(median "${walls[@]}") $(median "${cpus[@]}") $(median "${servers[@]}")"
}

# pipe's CPU plus fake-github's CPU of a "WALL CPU SERVER" measurement, as seconds.
cpu_of() {
    local wall cpu server
    read -r wall cpu server <<<"$1"
    seconds $((cpu + server))
}

# a / b, or - when either was not measured.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

seconds() {
    awk -v ms="$1" 'BEGIN { if (ms == "-") print "-"; else printf "%.3f s", ms / 1000 }'
}

pipe_bump() {
    env GITHUB_API_URL="$api_url" PIPE_GITHUB_TOKEN="$token" "$pipe" -C "$work/app" "$@"
}

summary=()
api_medians=()
api_cpus=()
for size in "${sizes[@]}"; do
    files=${size%%:*}
    commits=${size##*:}
    label="${files}f-${commits}c"
    repo=$work/repos/$label.git
    started=$(date +%s%N)
    generate "$repo" "$files" "$commits"
    generated_ms=$((($(date +%s%N) - started) / 1000000))
    # Each way gets its own copy, so the branches one pushes never show up in another's fetch.
    rm -rf "$work/github/acme/config.git" "$work/daemon/config.git" "$work/file.git"
    cp -r "$repo" "$work/github/acme/config.git"
    cp -r "$repo" "$work/daemon/config.git"
    cp -r "$repo" "$work/file.git"
    cp -r "$repo" "$work/hand-file.git"
    cp -r "$repo" "$work/daemon/hand.git"
    rm -rf "$work/app" && mkdir -p "$work/app"
    cat >"$work/app/pipe.yaml" <<EOF
services:
  api:
    image: ghcr.io/acme/api
    bump: {repo: acme/config, file: apps/api/values.yaml, key: image.tag}
  file:
    image: ghcr.io/acme/api
    bump: {url: "file://$work/file.git", file: apps/api/values.yaml, key: image.tag}
  daemon:
    image: ghcr.io/acme/api
    bump: {url: "git://127.0.0.1:$daemon_port/config.git", file: apps/api/values.yaml, key: image.tag}
EOF
    git -C "$work/app" init -q -b main
    git -C "$work/app" add pipe.yaml
    git -C "$work/app" commit -q -m app
    pack_kb=$(du -sk "$repo" | cut -f1)
    printf '== %s files, %s commits (%s MB packed, generated in %s)\n' "$files" "$commits" \
        "$(awk -v k="$pack_kb" 'BEGIN { printf "%.1f", k / 1024 }')" "$(seconds "$generated_ms")"

    api=$(measure "api-$label" pipe_bump --service api bump --no-pr --value {})
    api_pr=$(measure "pr-$label" pipe_bump --service api bump --value {})
    git_file="- - -" hand_file="- - -" git_daemon="- - -" hand_daemon="- - -"
    if ((files <= git_max_files)); then
        git_file=$(measure "file-$label" pipe_bump --service file bump --no-pr --value {})
        hand_file=$(measure "hand-$label" by_hand "file://$work/hand-file.git" {})
        git_daemon=$(measure "daemon-$label" pipe_bump --service daemon bump --no-pr --value {})
        hand_daemon=$(measure "hand-daemon-$label" by_hand "git://127.0.0.1:$daemon_port/hand.git" {})
    fi
    rm -rf "$work/hand-file.git" "$work/daemon/hand.git"

    # One row: name, "WALL CPU SERVER", and optionally the measurement it is compared with and its name.
    row() {
        local versus="" wall cpu server
        read -r wall cpu server <<<"$2"
        if (($# > 2)) && [[ $(ratio "$wall" "${3%% *}") != - ]]; then
            versus=$(printf '%6sx %s' "$(ratio "$wall" "${3%% *}")" "$4")
        fi
        local fake="                       "
        if [[ $server != - ]] && ((server > 0)); then
            fake=$(printf '+ fake-github %9s' "$(seconds "$server")")
        fi
        printf '  %-42s %9s  cpu %9s %s  %s\n' "$1" "$(seconds "$wall")" "$(seconds "$cpu")" "$fake" "$versus"
    }
    row "pipe bump, API mode (fake-github)" "$api" "$hand_file" "of git by hand (file://)"
    row "pipe bump, API mode with its pull request" "$api_pr"
    if ((files <= git_max_files)); then
        row "pipe bump, git mode, file://" "$git_file" "$hand_file" "of git by hand (file://)"
        row "git clone + commit + push, file://" "$hand_file"
        row "pipe bump, git mode, git://" "$git_daemon" "$hand_daemon" "of git by hand (git://)"
        row "git clone + commit + push, git://" "$hand_daemon"
    fi
    summary+=("$(printf '%7s %8s | %9s %9s %9s | %9s %9s %6s | %9s %9s %6s' "$files" "$commits" \
        "$(seconds "${api%% *}")" "$(cpu_of "$api")" "$(seconds "${api_pr%% *}")" \
        "$(seconds "${git_file%% *}")" "$(seconds "${hand_file%% *}")" "$(ratio "${git_file%% *}" "${hand_file%% *}")" \
        "$(seconds "${git_daemon%% *}")" "$(seconds "${hand_daemon%% *}")" "$(ratio "${git_daemon%% *}" "${hand_daemon%% *}")")")
    api_medians+=("${api%% *}")
    read -r _ cpu server <<<"$api"
    api_cpus+=($((cpu + server)))
done

echo
echo "medians of $runs runs; API mode against fake-github on loopback; by hand: git clone + sed + commit + push"
printf '%7s %8s | %9s %9s %9s | %9s %9s %6s | %9s %9s %6s\n' files commits "api" "api cpu*" "api+pr" \
    "git file" "by hand" ratio "git git://" "by hand" ratio
printf '%s\n' "${summary[@]}"
echo "* CPU of pipe and of fake-github with its git processes: what the wall time is when the machine is idle"

status=0
slowest=$(printf '%s\n' "${api_medians[@]}" | sort -n | tail -n1)
growth=$(ratio "${api_cpus[-1]}" "${api_cpus[0]}")
printf 'API mode: slowest median %s (goal < 0.5 s); CPU of pipe and fake-github, largest / smallest repository %sx (goal <= 1.5)\n' \
    "$(seconds "$slowest")" "$growth"
if ((slowest >= 500)); then
    echo "GOAL MISSED: API mode takes 0.5 s or more (on a busy machine, compare the CPU column)" >&2
    status=1
fi
if awk -v g="$growth" 'BEGIN { exit !(g > 1.5) }'; then
    echo "GOAL MISSED: API mode grows with the repository" >&2
    status=1
fi
exit $status
