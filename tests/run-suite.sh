#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what it needs with apt-get,
# then builds with warnings as errors, checks formatting and clang-tidy, runs every ctest
# label, and repeats the tests under AddressSanitizer + UndefinedBehaviorSanitizer (all but the
# image-building cases, label integration-buildah, which spend their time in buildah, not pipe).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# Node.js and npm for pipe test's npm fixture: Debian's, unless a Node.js with its own npm (such as
# NodeSource's, which conflicts with Debian's npm package) is already installed.
node_packages=(nodejs npm)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    node_packages=()
fi
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends \
    ca-certificates curl git cmake ninja-build g++ pkg-config \
    libcli11-dev libgit2-dev libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev libfmt-dev catch2 \
    libssl-dev libsodium-dev clang-format clang-tidy bash zsh fish groff-base tzdata python3 python3-cryptography python3-nacl openssl apache2-utils \
    buildah crun skopeo docker-registry openssh-server \
    make python3-pytest "${node_packages[@]}"

jobs=$(nproc)

echo "== format check (clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1))"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run --Werror "${sources[@]}"

echo "== build (warnings are errors)"
cmake -S . -B build -G Ninja -DPIPE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"

echo "== clang-tidy"
mapfile -t units < <(git ls-files 'src/*.cpp')
if command -v run-clang-tidy >/dev/null 2>&1; then
    run-clang-tidy -quiet -p build -j"$jobs" "${units[@]}" >build/clang-tidy.log 2>&1 || { cat build/clang-tidy.log; exit 1; }
else
    clang-tidy -quiet -p build "${units[@]}"
fi

echo "== tests"
ctest --test-dir build --output-on-failure --schedule-random -j"$jobs"

echo "== the README's main job (examples/demo.sh)"
PIPE=build/pipe examples/demo.sh >build/demo.log

echo "== tests under ASan + UBSan (without the integration-buildah cases)"
cmake -S . -B build-asan -G Ninja -DPIPE_WERROR=ON -DPIPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    ctest --test-dir build-asan --output-on-failure --schedule-random -j"$jobs" -LE integration-buildah
