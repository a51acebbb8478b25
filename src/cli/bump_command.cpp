// `pipe bump`: updates the image of each service in its GitOps config repositories and opens or
// updates the pull request; prints one line per entry (old -> new, commit, PR) and publishes the
// results as step outputs and a link in the step summary.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/proc/system_runner.h>
#include <pipe/steps/bump_step.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

nlohmann::json result_json(const steps::BumpResult& result) {
    nlohmann::json doc{{"name", result.service},
                       {"target", result.target},
                       {"mode", result.mode},
                       {"changed", result.changed},
                       {"file", result.files},
                       {"old", result.old_value},
                       {"new", result.new_value},
                       {"commit", result.commit},
                       {"branch", result.branch},
                       {"attempts", result.attempts},
                       {"duration_ms", result.duration.count()}};
    doc["pull_request"] = result.pull_request ? nlohmann::json{{"number", result.pull_request->number},
                                                               {"url", result.pull_request->url},
                                                               {"operation", result.pull_request->operation}}
                                              : nlohmann::json(nullptr);
    if (!result.plan.empty()) {
        doc["plan"] = result.plan;
    }
    return doc;
}

nlohmann::json report_json(const steps::BumpReport& report) {
    nlohmann::json services = nlohmann::json::array();
    for (const steps::BumpResult& result : report.results) {
        services.push_back(result_json(result));
    }
    return nlohmann::json{{"services", services}};
}

std::string step_summary(const steps::BumpReport& report) {
    std::string text = "### pipe bump\n\n| service | repository | change | pull request |\n|---|---|---|---|\n";
    for (const steps::BumpResult& result : report.results) {
        const std::string change =
            result.changed ? fmt::format("`{}` → `{}`", result.old_value, result.new_value) : "already up to date";
        const std::string pull = result.pull_request
                                     ? fmt::format("[#{}]({}) ({})", result.pull_request->number,
                                                   result.pull_request->url, result.pull_request->operation)
                                     : (result.changed ? "pushed to " + result.branch : "-");
        text += fmt::format("| {} | {} | {} | {} |\n", result.service, result.target, change, pull);
    }
    return text + "\n";
}

class BumpCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("--value", m_value, "Write VALUE instead of the pushed image (a tag or a reference)")
            ->option_text("VALUE");
        command.add_option("--pin", m_pin, "tag (default) or digest: write repo:tag@sha256:... for machines")
            ->option_text("tag|digest")
            ->check(CLI::IsMember({"tag", "digest"}));
        command.add_flag("--direct", m_options.direct, "Commit to the base branch, without a pull request");
        command.add_flag("--no-pr", m_options.no_pr, "Push the bump branch but open no pull request");
        command.add_option("--mode", m_options.mode, "git (any remote, libgit2) or api (GitHub, no clone)")
            ->option_text("git|api")
            ->check(CLI::IsMember({"git", "api"}));
        command.add_flag("--no-verify", m_options.no_verify,
                         "Bump even when the image's signature does not verify against `verify:` (loudly)");
        add_registry_options(command, m_registry);
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace();
        if (!workspace) {
            return workspace.error();
        }
        if (auto applied = steps::apply_registry_overrides(**workspace, m_registry); !applied) {
            return applied.error();
        }
        Output& out = invocation.out();
        if (!m_value.empty()) {
            m_options.value = m_value;
        }
        m_options.pin_digest = m_pin == "digest";
        m_options.dry_run = invocation.globals().dry_run;
        m_options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<steps::BumpReport> report = steps::run_bump(**workspace, runner, m_options);
        if (!report) {
            return report.error();
        }
        for (const std::string& warning : report->warnings) {
            out.warn(warning);
        }
        print(out, *report);
        m_record_part = report_json(*report);
        if (m_options.dry_run) {
            return Verdict::pass;
        }
        ci::StepOutputs outputs;
        for (const steps::BumpResult& result : report->results) {
            if (result.pull_request) {
                outputs.emplace_back("pull-request-url", result.pull_request->url);
            }
            outputs.emplace_back("changed", result.changed ? "true" : "false");
        }
        outputs.emplace_back("json", report_json(*report).dump());
        return publish_to_actions(invocation, outputs, step_summary(*report));
    }

    nlohmann::json record_part() const override { return m_record_part; }

private:
    void print(Output& out, const steps::BumpReport& report) const {
        if (out.options().json) {
            nlohmann::json doc = report_json(report);
            if (m_options.dry_run) {
                doc["dry_run"] = true;
            }
            out.document(doc);
            return;
        }
        for (const steps::BumpResult& result : report.results) {
            if (m_options.dry_run) {
                for (const std::string& step : result.plan) {
                    out.line(step);
                }
                continue;
            }
            if (!result.changed) {
                out.info(fmt::format("pipe: {} in {} is already {}; nothing to change", result.service, result.target,
                                     result.new_value));
                continue;
            }
            out.info(fmt::format("pipe: {} in {}: {} -> {} (commit {} on {}{})", result.service, result.target,
                                 result.old_value, result.new_value, result.commit.substr(0, 12), result.branch,
                                 result.attempts > 1 ? fmt::format(", {} attempts", result.attempts) : ""));
            if (result.pull_request) {
                out.line(fmt::format("{} ({})", result.pull_request->url, result.pull_request->operation));
            }
        }
    }

    steps::BumpOptions m_options;
    std::string m_value;
    std::string m_pin = "tag";
    steps::RegistryOverrides m_registry;
    nlohmann::json m_record_part;
};

}  // namespace

std::unique_ptr<CommandHandler> make_bump_command() {
    return std::make_unique<BumpCommand>();
}

}  // namespace pipeline::cli
