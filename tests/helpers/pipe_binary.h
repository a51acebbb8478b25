// Runs the real pipe binary for CLI contract tests: exit code, stdout and stderr kept apart.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/proc/runner.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::testing {

// What one pipe run produced.
struct PipeRun {
    int exit_code = -1;
    int signal = 0;
    std::string out;
    std::string err;
};

// Runs `pipe args...` in cwd with a clean environment (PATH, HOME, the sanitizer options) plus env.
PipeRun run_pipe(const std::vector<std::string>& args, const std::filesystem::path& cwd, const Environment& env = {});

// The path of the pipe binary under test.
std::string pipe_binary();

}  // namespace pipeline::testing
