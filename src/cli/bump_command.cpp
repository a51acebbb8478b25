// `pipe bump`: updates the image of each service in its GitOps config repositories and opens or
// updates the pull request; prints one line per entry (old -> new, commit, PR) and publishes the
// results as step outputs and a link in the step summary.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/proc/system_runner.h>
#include <pipe/steps/bump_check.h>
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
                       {"superseded", result.superseded},
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
    nlohmann::json doc{{"services", services}};
    if (report.refusal) {
        doc["refused"] = {{"reason", report.refusal->reason}, {"hint", report.refusal->hint}};
    }
    return doc;
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

nlohmann::json check_json(const steps::BumpCheckReport& report) {
    nlohmann::json findings = nlohmann::json::array();
    for (const bump::CheckFinding& finding : report.findings) {
        findings.push_back({{"file", finding.file},
                            {"line", finding.line},
                            {"column", finding.column},
                            {"path", finding.path},
                            {"description", finding.description},
                            {"image_version", finding.image_version}});
    }
    return nlohmann::json{{"base", report.base},
                          {"head", report.head},
                          {"base_source", report.base_source},
                          {"files", report.files},
                          {"only_image_versions", report.only_image_versions()},
                          {"findings", findings}};
}

std::string where(const bump::CheckFinding& finding) {
    return finding.line > 0 ? fmt::format("{}:{}:{}", finding.file, finding.line, finding.column) : finding.file;
}

std::string check_summary(const steps::BumpCheckReport& report) {
    std::string text = fmt::format("### pipe bump --check\n\n{}\n\n",
                                   report.only_image_versions() ? "Only image versions change."
                                                                : "**The change touches more than image versions.**");
    for (const bump::CheckFinding& finding : report.findings) {
        text += fmt::format("- `{}` {}{}\n", where(finding), finding.description,
                            finding.image_version ? "" : " (not an image version)");
    }
    return text + "\n";
}

// `pipe bump --check`: no workspace, no pipe.yaml; the current checkout is the config repository.
Result<Verdict> run_check(Invocation& invocation, const steps::BumpCheckOptions& options) {
    Output& out = invocation.out();
    Result<steps::BumpCheckReport> report = steps::run_bump_check(options, invocation.env());
    if (!report) {
        return report.error();
    }
    const bool clean = report->only_image_versions();
    if (out.options().json) {
        out.document(check_json(*report));
    } else {
        out.info(fmt::format("pipe: checking {}..{} ({}): {} file(s) changed", report->base.substr(0, 12),
                             report->head.substr(0, 12), report->base_source, report->files));
        for (const bump::CheckFinding& finding : report->findings) {
            out.line(fmt::format("{}: {}{}", where(finding), finding.description,
                                 finding.image_version ? " (image version)" : " (NOT an image version)"));
        }
        const auto others = std::count_if(report->findings.begin(), report->findings.end(),
                                          [](const bump::CheckFinding& finding) { return !finding.image_version; });
        out.info(clean ? std::string("pipe: only image versions change")
                       : fmt::format("pipe: the change touches more than image versions ({} finding(s))", others));
    }
    ci::StepOutputs outputs{{"only-image-versions", clean ? "true" : "false"}, {"json", check_json(*report).dump()}};
    Result<Verdict> published = publish_to_actions(invocation, outputs, check_summary(*report));
    if (!published) {
        return published.error();
    }
    return clean ? Verdict::pass : Verdict::fail;
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
        command.add_flag("--supersede", m_options.supersede,
                         "Close older open bump pull requests of the service (as `supersede: true`)");
        command.add_flag("--no-verify", m_options.no_verify,
                         "Bump even when the image's signature does not verify against `verify:` (loudly)");
        command.add_flag("--check", m_check,
                         "In the config repository's CI: exit 1 when the change (HEAD against its base) touches "
                         "more than image versions");
        command
            .add_option("--against", m_check_options.against,
                        "With --check: the base revision (default: merge base with origin/$GITHUB_BASE_REF, "
                        "else HEAD^)")
            ->option_text("REV");
        command
            .add_option("--key", m_check_options.keys,
                        "With --check: another YAML path whose value may change (repeatable)")
            ->option_text("PATH");
        add_registry_options(command, m_registry);
    }

    Result<Verdict> run(Invocation& invocation) override {
        if (m_check) {
            if (m_options.direct || m_options.no_pr || m_options.supersede || !m_value.empty() || m_pin != "tag") {
                return usage_error("--check only reads the checkout; it takes no bump flags",
                                   "run `pipe bump --check` on its own, in the config repository's CI");
            }
            return run_check(invocation, m_check_options);
        }
        if (!m_check_options.against.empty() || !m_check_options.keys.empty()) {
            return usage_error("--against and --key belong to --check", "add --check, or drop them");
        }
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
        if (report->refusal) {
            if (!out.options().json) {
                out.warn(report->refusal->reason);
                out.info("hint: " + report->refusal->hint);
            }
            ci::StepOutputs refused{{"changed", "false"}, {"json", report_json(*report).dump()}};
            if (auto published =
                    publish_to_actions(invocation, refused, "### pipe bump\n\n" + report->refusal->reason + "\n");
                !published) {
                return published.error();
            }
            return Verdict::fail;
        }
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

    bool ran_step() const override { return !m_check; }

private:
    void print(Output& out, const steps::BumpReport& report) const {
        for (const steps::BumpResult& result : report.results) {
            for (const int number : result.superseded) {
                out.info(fmt::format("pipe: closed #{} in {}: superseded by #{}", number, result.target,
                                     result.pull_request ? result.pull_request->number : 0));
            }
        }
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
    bool m_check = false;
    steps::BumpCheckOptions m_check_options;
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
