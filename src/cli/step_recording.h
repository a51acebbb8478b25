// Running one pipeline step (test, build, push, scan, sign, bump) the same way as a command of
// its own and inside `pipe run`: timed, and its outcome added to the run record
// `.pipe/run.json` (never in a dry run), so both ways leave the same record.
#pragma once

#include "cli/command_table.h"
#include "cli/invocation.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::cli {

// How a recorded step ended.
struct RecordedStep {
    Result<Verdict> verdict = Verdict::pass;
    int exit_code = 0;
    double duration_seconds = 0;
    std::optional<nlohmann::json> record;  // the run record after this step; nullopt when none was written
};

// True for the commands that are steps of `pipe run` and so add to the run record.
bool is_run_step(std::string_view command);

// Runs handler as step with invocation, then adds the outcome to the run record of the
// workspace's commit. A record that cannot be written is a warning: the step's own result stands.
RecordedStep run_recorded_step(const std::string& step, CommandHandler& handler, Invocation& invocation);

}  // namespace pipeline::cli
