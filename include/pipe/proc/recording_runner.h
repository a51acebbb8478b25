// RecordingRunner: a fake Runner for unit tests of step logic. It records every Command and
// answers from a script of expected argv -> result, failing loudly on anything unexpected, so
// a test states exactly which tools a step runs, in which order, with which arguments.
#pragma once

#include <pipe/proc/runner.h>

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace pipeline::proc {

// Answers run() from a queue of scripted results; never starts a process.
class RecordingRunner final : public Runner {
public:
    // Queues the answer for the next command, which must have exactly this argv. The answer
    // may be an Error, to script a tool that cannot be started or an interrupt.
    void expect(std::vector<std::string> argv, Result<ProcessResult> answer);

    // Records the command and returns the next scripted answer; a command when nothing is
    // queued, or with a different argv, is an error naming both.
    Result<ProcessResult> run(const Command& command) override;

    // Every command run() was asked to run, expected or not, in order.
    const std::vector<Command>& commands() const { return m_commands; }

    // How many scripted answers were never asked for; a test checks it is zero at the end.
    std::size_t unanswered() const { return m_script.size(); }

private:
    struct Expectation {
        std::vector<std::string> argv;
        Result<ProcessResult> answer;
    };

    std::deque<Expectation> m_script;
    std::vector<Command> m_commands;
};

}  // namespace pipeline::proc
