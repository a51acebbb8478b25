// Runs another program from a test (a shell, cmake, script) the way pipe runs tools: argv, no
// shell, a timeout; a program that cannot start fails the test with what to install.
#pragma once

#include <pipe/proc/runner.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::testing {

// Runs argv in cwd (empty: the test's own) with a 60 s timeout and the inherited environment.
proc::ProcessResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                                const std::string& install_hint);

}  // namespace pipeline::testing
