#include "pipe_binary.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

#include <cstdlib>

namespace pipeline::testing {

std::string pipe_binary() {
    return PIPE_BINARY;
}

PipeRun run_pipe(const std::vector<std::string>& args, const std::filesystem::path& cwd, const Environment& env) {
    proc::Command command;
    command.argv = {pipe_binary()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.inherit_environment = false;
    const char* path = std::getenv("PATH");
    command.env = {{"PATH", path != nullptr ? path : "/usr/bin:/bin"}, {"HOME", cwd.string()}};
    // Sanitizer settings (the LSan suppressions of third-party leaks) reach pipe as well.
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
        if (const char* value = std::getenv(name)) {
            command.env[name] = value;
        }
    }
    for (const auto& [name, value] : env) {
        command.env[name] = value;
    }
    command.cwd = cwd;
    command.timeout = std::chrono::seconds(60);
    proc::SystemRunner runner;
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    PipeRun run;
    run.exit_code = result->status.exit_code().value_or(-1);
    run.signal = result->status.signal().value_or(0);
    run.out = result->out;
    run.err = result->err;
    return run;
}

}  // namespace pipeline::testing
