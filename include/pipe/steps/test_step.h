// `pipe test`: runs the repository's tests (the configured test.command, else what the
// project's files reveal), streams the runner's output through a sink and records the outcome,
// duration and coverage file in the state's repository-wide part. Runs processes only through
// the given proc::Runner and prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/exit_status.h>
#include <pipe/proc/runner.h>
#include <pipe/state/test_record.h>
#include <pipe/steps/workspace.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::steps {

// Values given on the command line; each replaces the configured or detected one.
struct TestOptions {
    std::string command;              // --command: a shell string replacing test.command and detection
    std::vector<std::string> args;    // after `--`: appended to the last command (shell-quoted into a string)
    std::string coverage;             // --coverage: the coverage file to record, relative to the root
    std::chrono::seconds timeout{0};  // --timeout for the whole run; zero: test.timeout
    proc::OutputSink output;          // the runner's output lines, as they arrive
    std::function<void(const proc::Command&)> starting;  // before each command; may be empty
};

// What `pipe test` will run, decided before anything starts so the command can say it first and
// --dry-run can print it.
struct TestPlan {
    std::string runner;                    // "configured", "--command", or the detected kind (go, cmake, ...)
    std::string origin;                    // where it came from: pipe.yaml:3:12, --command, or the marker file
    std::vector<proc::Command> commands;   // run in order until one fails
    std::string coverage;                  // relative to the root; empty: none expected
    std::chrono::milliseconds timeout{0};  // for all commands together; zero: none
    std::string install_hint;              // what to install when a program cannot be started
    std::vector<std::string> notes;        // detection candidates passed over, for messages
};

// The plan for the workspace: --command, else test.command, else detection (with test.env,
// test.coverage and the timeouts applied). Nothing configured and nothing detected is a config
// error that lists what was looked for and says to set test.command.
Result<TestPlan> plan_test(const Workspace& workspace, const TestOptions& options);

// The outcome of a run whose runner started.
struct TestResult {
    bool passed = false;           // every command exited 0 within the time limit
    std::size_t commands_run = 0;  // how many of the plan's commands ran
    proc::ExitStatus status;       // of the last command that ran
    std::chrono::milliseconds duration{0};
    std::optional<state::CoverageRecord> coverage;  // present when this run wrote the coverage file
    std::filesystem::path state_file;               // where the outcome was recorded; empty outside a git checkout
    std::vector<std::string> warnings;
};

// Runs the plan's commands in the workspace root and records the outcome (also a failing one) in
// <root>/.pipe/state.json for the tree as it is after the run. A program that cannot be started,
// or a runner that reports its test tool missing, is a runtime error with plan.install_hint;
// failing tests are a result with passed false.
Result<TestResult> run_test(const Workspace& workspace, proc::Runner& runner, const TestPlan& plan,
                            const TestOptions& options);

}  // namespace pipeline::steps
