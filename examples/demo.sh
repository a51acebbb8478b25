#!/usr/bin/env bash
# pipe's main job on the bundled example: turns examples/payments-api into a git repository,
# then runs pipe on a branch commit and on a release tag. Later issues extend this to the full
# pipeline (build, scan, sign, push to a local registry, bump a local config repository).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pipe=${PIPE:-$here/../build/pipe}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$here/payments-api/." "$work/"
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com
export GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.com
git -C "$work" init -q -b main
git -C "$work" add -A
git -C "$work" commit -q -m "payments-api: initial commit"
git -C "$work" remote add origin https://github.com/acme/payments-api.git

echo "== pipe tags on branch main"
"$pipe" -C "$work" tags --refs

git -C "$work" tag -a v1.4.2 -m "release 1.4.2"
git -C "$work" checkout -q v1.4.2
echo "== pipe tags on release v1.4.2 (detached HEAD at the tag)"
"$pipe" -C "$work" tags --json
