#include "cli/step_recording.h"

#include <pipe/ci/source_context_builder.h>
#include <pipe/core/timestamp.h>
#include <pipe/steps/run_plan.h>
#include <pipe/steps/run_record.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace pipeline::cli {
namespace {

// The PR head sha inside a pull_request(_target) event, else empty.
std::string pull_request_head_sha(const steps::Workspace& workspace) {
    if (!ci::in_github_actions(workspace.env)) {
        return {};
    }
    Result<meta::SourceContext> source = ci::build_source_context(workspace.env, workspace.git);
    if (!source) {
        return {};
    }
    const nlohmann::json& payload = source->payload;
    if (!payload.contains("pull_request") || !payload["pull_request"].is_object()) {
        return {};
    }
    const nlohmann::json& pull = payload["pull_request"];
    if (!pull.contains("head") || !pull["head"].is_object()) {
        return {};
    }
    return pull["head"].value("sha", "");
}

}  // namespace

bool is_run_step(std::string_view command) {
    return std::find(steps::k_run_steps.begin(), steps::k_run_steps.end(), command) != steps::k_run_steps.end();
}

RecordedStep run_recorded_step(const std::string& step, CommandHandler& handler, Invocation& invocation) {
    const auto started = std::chrono::steady_clock::now();
    RecordedStep recorded;
    recorded.verdict = handler.run(invocation);
    recorded.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!recorded.verdict) {
        recorded.exit_code = exit_code_for(recorded.verdict.error());
    } else {
        recorded.exit_code = *recorded.verdict == Verdict::pass ? 0 : 1;
    }
    if (invocation.globals().dry_run || !handler.ran_step()) {
        return recorded;
    }
    Output& out = invocation.out();
    Result<steps::Workspace*> workspace = invocation.workspace();
    if (!workspace || !(*workspace)->git) {
        out.detail(fmt::format("pipe: {} is not recorded in .pipe/run.json: no git checkout", step));
        return recorded;
    }
    const steps::RunSource source{(*workspace)->git->sha, pull_request_head_sha(**workspace)};
    const steps::StepOutcome outcome{step, recorded.exit_code, recorded.duration_seconds,
                                     rfc3339_utc(std::chrono::system_clock::now()), handler.record_part()};
    Result<nlohmann::json> record = steps::record_step_outcome((*workspace)->root, source, outcome);
    if (!record) {
        out.warn(fmt::format("the run record was not updated: {}", record.error().message));
        return recorded;
    }
    recorded.record = std::move(*record);
    return recorded;
}

}  // namespace pipeline::cli
