#include "cli/actions_publish.h"

namespace pipeline::cli {

Result<Verdict> publish_to_actions(Invocation& invocation, const ci::StepOutputs& outputs, const std::string& summary) {
    const Environment& env = invocation.env();
    if (value_or(env, "GITHUB_OUTPUT", "").empty() && value_or(env, "GITHUB_STEP_SUMMARY", "").empty()) {
        return Verdict::pass;
    }
    if (invocation.globals().dry_run) {
        invocation.out().info("dry run: not writing GITHUB_OUTPUT or GITHUB_STEP_SUMMARY");
        return Verdict::pass;
    }
    if (auto written = ci::write_step_outputs(env, outputs); !written) {
        return written.error();
    }
    if (auto written = ci::append_step_summary(env, summary); !written) {
        return written.error();
    }
    return Verdict::pass;
}

}  // namespace pipeline::cli
