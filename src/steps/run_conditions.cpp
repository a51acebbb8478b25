#include <pipe/steps/run_conditions.h>

#include <pipe/ci/source_context_builder.h>
#include <pipe/steps/test_detection.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

bool sign_configured(const config::ServiceConfig& service) {
    return !service.sign.key.empty() ||
           std::any_of(service.origins.begin(), service.origins.end(),
                       [](const auto& origin) { return origin.first.rfind("sign.", 0) == 0; });
}

}  // namespace

StepConditions step_conditions(const Workspace& workspace) {
    const std::vector<config::ServiceConfig>& services = workspace.config.services;
    StepConditions conditions;
    for (const std::string_view step : k_run_steps) {
        StepCondition condition{true, "always"};
        if (step == "test") {
            const Detection detected = detect_test_runner(read_project_files(workspace.root));
            condition.configured = !workspace.config.test.command.empty() || detected.runner.has_value();
            condition.reason =
                !workspace.config.test.command.empty()
                    ? "test: command configured"
                    : (detected.runner ? fmt::format("{} project ({})", detected.runner->kind, detected.runner->marker)
                                       : "no test: command and no project type detected");
        } else if (step == "scan") {
            condition.reason = "the gate always runs (leave it out with --skip scan)";
        } else if (step == "sign") {
            const bool keyless = ci::in_github_actions(workspace.env) && ci::oidc_token_available(workspace.env);
            condition.configured = keyless || std::any_of(services.begin(), services.end(), sign_configured);
            condition.reason = keyless ? "keyless signing is available (GitHub OIDC)"
                                       : (condition.configured ? "sign: is configured" : "no sign: key configured");
        } else if (step == "bump") {
            condition.configured = std::any_of(services.begin(), services.end(),
                                               [](const config::ServiceConfig& s) { return !s.bump.empty(); });
            condition.reason = condition.configured ? "bump: entries are configured" : "no bump: entries";
        }
        conditions.emplace(step, std::move(condition));
    }
    return conditions;
}

}  // namespace pipeline::steps
