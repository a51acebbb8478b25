#include "run_command.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

namespace pipeline::testing {

proc::ProcessResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                                const std::string& install_hint) {
    proc::Command command;
    command.argv = argv;
    command.cwd = cwd;
    command.timeout = std::chrono::seconds(60);
    proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO(install_hint);
    REQUIRE(result.has_value());
    return *result;
}

}  // namespace pipeline::testing
