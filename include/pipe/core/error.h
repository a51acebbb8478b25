// Typed errors: every failure carries a kind (which decides the exit code), what failed,
// where it failed (file:line:column for configuration) and a hint telling the user what to do.
#pragma once

#include <string>

namespace pipeline {

// What kind of failure happened; main() maps it to the documented exit code.
enum class ErrorKind {
    usage,        // bad flag, argument or reference given by the user: exit 2
    config,       // pipe.yaml or environment configuration is wrong: exit 2
    runtime,      // external tool, network, registry, filesystem or API failure: exit 3
    interrupted,  // SIGINT/SIGTERM arrived; main() re-raises the signal after cleanup
};

// One failure, rendered to the user as `pipe: error: <where>: <message>` plus a hint line.
struct Error {
    ErrorKind kind = ErrorKind::runtime;
    std::string message;
    std::string where;
    std::string hint;
    int signal = 0;  // set for ErrorKind::interrupted
};

// Shorthand constructors so call sites read as `return usage_error("...", "hint")`.
Error usage_error(std::string message, std::string hint = {});
Error config_error(std::string where, std::string message, std::string hint = {});
Error runtime_error(std::string message, std::string hint = {});

// An error about a value at origin (a pipe.yaml position, a PIPE_* variable or a flag): a usage
// error when the origin is a flag ("--target"), else a config error.
Error located_error(std::string origin, std::string message, std::string hint = {});
Error interrupted_error(int signal);

// The process exit code for an error kind: 2 for usage/config, 3 for runtime, 128+N for signals.
int exit_code_for(const Error& error);

// One line for the user: `<where>: <message>` (where omitted when empty).
std::string describe(const Error& error);

}  // namespace pipeline
