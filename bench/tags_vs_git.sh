#!/usr/bin/env bash
# Compares `pipe tags` with one `git rev-parse HEAD` on a repository of 10,000 commits and
# 1,000 tags (half annotated), and times `pipe --version`; prints per-run times and ratios.
# Goals: pipe tags within 3x of git rev-parse; pipe --version under 5 ms.
# Usage: bench/tags_vs_git.sh [RUNS]   (PIPE=path/to/pipe to pick a binary)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
runs=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git init -q -b main "$work/repo"
awk 'BEGIN {
    for (i = 1; i <= 10000; i++) {
        msg = "commit " i; content = "line " i "\n"
        printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", i, 1700000000 + i
        printf "data %d\n%s\nM 644 inline file.txt\ndata %d\n%s\n", length(msg), msg, length(content), content
        if (i % 10 == 0) {
            name = sprintf("v%d.%d.%d", int(i / 1000), int(i / 100) % 10, int(i / 10) % 10)
            if (i % 20 == 0) {
                tmsg = "release " name
                printf "tag %s\nfrom :%d\ntagger Bench <bench@example.com> %d +0000\ndata %d\n%s\n", name, i, 1700000000 + i, length(tmsg), tmsg
            } else {
                printf "reset refs/tags/%s-light\nfrom :%d\n\n", name, i
            }
        }
    }
}' | git -C "$work/repo" fast-import --quiet
git -C "$work/repo" checkout -q main
git -C "$work/repo" gc -q
printf 'commits: %s, tags: %s\n' "$(git -C "$work/repo" rev-list --count HEAD)" "$(git -C "$work/repo" tag | wc -l)"

# Mean wall time of one run of "$@" in microseconds, over $runs runs.
mean_us() {
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do
        "$@" >/dev/null
    done
    end=$(date +%s%N)
    echo $(((end - start) / runs / 1000))
}

cd "$work/repo"
"$pipe" tags >/dev/null  # warm the page cache for both
git_us=$(mean_us git rev-parse HEAD)
tags_us=$(mean_us "$pipe" tags)
version_us=$(mean_us "$pipe" --version)
printf 'git rev-parse HEAD : %6d us\n' "$git_us"
printf 'pipe tags          : %6d us   ratio %s (goal <= 3.0)\n' "$tags_us" "$(awk -v a="$tags_us" -v b="$git_us" 'BEGIN { printf "%.2f", a / b }')"
printf 'pipe --version     : %6d us   (goal < 5000 us)\n' "$version_us"
