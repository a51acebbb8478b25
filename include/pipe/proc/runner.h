// Runner: the seam between step logic and real processes. Steps take a Runner&, production
// passes a SystemRunner and unit tests a RecordingRunner, so step logic is tested without
// spawning anything (the idea of ninja's CommandRunner).
#pragma once

#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/exit_status.h>

#include <chrono>
#include <string>

namespace pipeline::proc {

// What a process that ran produced; stdout and stderr are kept apart, byte for byte.
struct ProcessResult {
    ExitStatus status;                      // how it ended; a failure here is not an Error
    std::string out;                        // everything written to stdout
    std::string err;                        // everything written to stderr
    std::chrono::milliseconds duration{0};  // wall time from start to exit
};

// Runs commands. A process that started and failed is a ProcessResult (the caller judges its
// status); an Error means it could not be started (kind runtime) or pipe was interrupted while
// it ran (kind interrupted, after the child's process group was stopped).
class Runner {
public:
    Runner() = default;
    virtual ~Runner() = default;
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    Runner(Runner&&) = delete;
    Runner& operator=(Runner&&) = delete;

    // Runs one command to completion (or timeout) and returns what it produced.
    virtual Result<ProcessResult> run(const Command& command) = 0;
};

}  // namespace pipeline::proc
