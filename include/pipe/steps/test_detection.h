// Which test runner a project uses, judged from the files at its root. Detection is a pure
// function of the file names and the two contents that matter (package.json's scripts and the
// makefile's targets), so every rule has a table-driven test; reading the directory is separate.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// Where the CMake runner configures and builds, relative to the root: inside pipe's own
// directory, so git and the state's fingerprint never see it.
inline constexpr const char* k_cmake_test_build = ".pipe/test-build";

// What detection looks at: the names at the project's root and the content of the few files
// whose names are not enough (package.json and the makefiles).
struct ProjectFiles {
    std::set<std::string, std::less<>> names;
    std::map<std::string, std::string, std::less<>> contents;  // by name
};

// A detected runner: the commands that run the tests and what to tell a user who lacks them.
struct DetectedRunner {
    std::string kind;                                // go, cargo, npm, cmake, pytest or make
    std::string marker;                              // the file that revealed it, e.g. go.mod
    std::vector<std::vector<std::string>> commands;  // argv of each command, run in order until one fails
    std::string coverage;                            // the coverage file the commands write; empty: none
    std::string install_hint;                        // what to install when a program is missing
};

// The outcome of detection: a runner or none, and why candidates were passed over.
struct Detection {
    std::optional<DetectedRunner> runner;
    std::vector<std::string> notes;  // e.g. "package.json has no scripts.test"
};

// The files detection looks for, in the order it tries them, for the "nothing found" message.
const std::vector<std::string>& detection_markers();

// The first rule that matches, in this order: go.mod (go test ./... -race
// -coverprofile=coverage.out), Cargo.toml (cargo test), package.json with a real scripts.test
// (npm test), CMakeLists.txt (configure, build, ctest), pyproject.toml or pytest.ini (python3 -m
// pytest), a makefile (GNUmakefile, makefile, Makefile: the one make reads) with a test target
// (make test).
Detection detect_test_runner(const ProjectFiles& files);

// Whether makefile text has a rule for target (`test:`, `check test:`, `test::`), as opposed to a
// variable (`test := x`), a recipe line or a comment.
bool makefile_has_target(std::string_view makefile, std::string_view target);

// The names at root and the contents of package.json and the makefiles found there.
ProjectFiles read_project_files(const std::filesystem::path& root);

}  // namespace pipeline::steps
