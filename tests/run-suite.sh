#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what it needs with apt-get, checks
# formatting, builds once with warnings as errors under AddressSanitizer + UndefinedBehaviorSanitizer,
# runs clang-tidy, then every ctest label and the README's main job with that build. One lightly
# optimised sanitized build (as fast to compile as an -O2 plain one; an -O2 sanitized one takes three
# times as long) instead of a plain build plus a sanitized one; each stage prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
stage_start=$SECONDS
# Prints how long the previous stage took, then the next stage's name.
stage() {
    if [[ -n ${stage_name:-} ]]; then
        echo "== $stage_name took $((SECONDS - stage_start)) s"
    fi
    stage_name=$1
    stage_start=$SECONDS
    [[ -z $1 ]] || echo "== $1"
}

stage "packages (apt-get)"
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
    libssl-dev libsodium-dev clang-format bash zsh fish groff-base tzdata python3 python3-cryptography python3-nacl openssl apache2-utils \
    buildah crun skopeo docker-registry openssh-server \
    make python3-pytest "${node_packages[@]}"

# clang-tidy 22 (bookworm-security) leaves system headers unanalysed and runs in a quarter of the
# time of Debian's default clang-tidy 14; the code is kept clean under both, so 14 is the fallback.
if $sudo apt-get install -y -q --no-install-recommends clang-tidy-22; then
    run_clang_tidy=run-clang-tidy-22
else
    $sudo apt-get install -y -q --no-install-recommends clang-tidy
    run_clang_tidy=run-clang-tidy
fi

jobs=$(nproc)

stage "format check (clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1))"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run --Werror "${sources[@]}"

stage "build (ASan + UBSan, warnings are errors)"
# -Og: GCC's flow warnings (-Wmaybe-uninitialized and others) run, at a tenth more compile time
# than -O0; -g1: line tables are all the sanitizers' stack traces need, a tenth faster than -g.
cmake -S . -B build -G Ninja -DPIPE_WERROR=ON -DPIPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-Og -g1"
cmake --build build -j"$jobs"

stage "clang-tidy ($run_clang_tidy)"
mapfile -t units < <(git ls-files 'src/*.cpp')
$run_clang_tidy -quiet -p build -j"$jobs" "${units[@]}" >build/clang-tidy.log 2>&1 || { cat build/clang-tidy.log; exit 1; }

# Sanitizer settings for the tests and the main job (run_pipe hands them on to pipe): any finding
# aborts, and leaks are errors except third-party ones listed in tests/lsan.supp.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0

stage "tests"
ctest --test-dir build --output-on-failure --schedule-random -j"$jobs"

stage "the README's main job (examples/demo.sh)"
PIPE=build/pipe examples/demo.sh >build/demo.log
stage ""
