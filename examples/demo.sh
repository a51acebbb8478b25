#!/usr/bin/env bash
# pipe's main job on the bundled example: turns examples/payments-api into a git repository,
# computes its tags on a branch commit and on a release tag, and builds the image with buildah
# (vfs storage and chroot isolation in a private storage root, so no privileges are needed and
# nothing is left behind). Later issues extend this to scan, sign, push to a local registry and
# bump a local config repository.
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

echo "== pipe build (buildah, vfs + chroot, private storage)"
export PIPE_BUILDAH_ROOT=$work/.storage/root PIPE_BUILDAH_RUNROOT=$work/.storage/runroot
export PIPE_STORAGE_DRIVER=vfs PIPE_ISOLATION=chroot
printf '.storage/\n' >>"$work/.git/info/exclude"
"$pipe" -C "$work" build
echo "== recorded for the next step: .pipe/state.json"
cat "$work/.pipe/state.json"
buildah --root "$PIPE_BUILDAH_ROOT" --runroot "$PIPE_BUILDAH_RUNROOT" --storage-driver vfs rmi --all >/dev/null
