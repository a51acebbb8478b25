// `pipe push`: pushes what `pipe build` built, streams buildah's output to stderr (folded into
// a group inside GitHub Actions), prints the digest-pinned reference to deploy on stdout, and
// publishes digest, image, tags and pinned as step outputs.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/ci/markdown.h>
#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/system_runner.h>
#include <pipe/steps/push_step.h>
#include <pipe/steps/registry_session.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

nlohmann::json service_json(const steps::ServicePush& service, bool dry_run) {
    nlohmann::json doc{{"name", service.name},
                       {"image", service.image},
                       {"digest", service.digest},
                       {"references", service.references},
                       {"pinned", service.pinned},
                       {"uploaded", service.uploaded},
                       {"tagged", service.tagged},
                       {"promotion", service.promotion},
                       {"duration_ms", service.duration.count()}};
    if (dry_run) {
        doc["plan"] = service.plan;
    }
    return doc;
}

ci::StepOutputs step_outputs(const steps::PushReport& report) {
    ci::StepOutputs outputs;
    nlohmann::json all = nlohmann::json::array();
    const bool multi = report.services.size() > 1;
    for (const steps::ServicePush& service : report.services) {
        const std::string prefix = multi ? service.name + "-" : "";
        outputs.emplace_back(prefix + "digest", service.digest);
        outputs.emplace_back(prefix + "image", service.image);
        outputs.emplace_back(prefix + "tags", fmt::format("{}", fmt::join(service.references, "\n")));
        outputs.emplace_back(prefix + "pinned", service.pinned);
        all.push_back(service_json(service, false));
    }
    outputs.emplace_back("json", nlohmann::json{{"services", all}}.dump());
    return outputs;
}

std::string step_summary(const steps::PushReport& report) {
    std::string text = "### pipe push\n\n| service | pinned | tags | time |\n|---|---|---|---|\n";
    for (const steps::ServicePush& service : report.services) {
        text += fmt::format("| {} | `{}` | {} | {:.1f}s |\n", service.name, service.pinned,
                            ci::code_spans(service.references), static_cast<double>(service.duration.count()) / 1000.0);
    }
    return text + "\n";
}

class PushCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command
            .add_option("--tag", m_tags,
                        "Also tag the pushed digest NAME (repeatable); after an earlier push only adds the tags, "
                        "without uploading")
            ->option_text("NAME");
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
        const bool in_actions = ci::in_github_actions(invocation.env());
        steps::PushOptions options;
        options.dry_run = invocation.globals().dry_run;
        options.extra_tags = m_tags;
        options.progress = tool_progress(out, in_actions, "buildah push", "pushing");
        options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<steps::PushReport> report = steps::run_push(**workspace, runner, options);
        if (!report) {
            return report.error();
        }
        print(out, *report, options.dry_run);
        return publish_to_actions(invocation, step_outputs(*report), step_summary(*report));
    }

private:
    static void print(Output& out, const steps::PushReport& report, bool dry_run) {
        if (out.options().json) {
            nlohmann::json services = nlohmann::json::array();
            for (const steps::ServicePush& service : report.services) {
                services.push_back(service_json(service, dry_run));
            }
            out.document(step_document(std::move(services), dry_run, report.state_file));
            return;
        }
        for (const steps::ServicePush& service : report.services) {
            if (dry_run) {
                for (const std::string& step : service.plan) {
                    out.line(step);
                }
                continue;
            }
            for (const std::string& reference : service.references) {
                out.info(fmt::format("pipe: {} -> {}", reference, service.digest));
            }
            out.info(fmt::format("pipe: pushed service '{}' ({} uploaded, {} tagged without upload, {:.1f}s)",
                                 service.name, service.uploaded.size(), service.tagged.size(),
                                 static_cast<double>(service.duration.count()) / 1000.0));
            out.line(service.pinned);
        }
        if (!dry_run && !report.state_file.empty()) {
            out.detail(fmt::format("recorded in {}", report.state_file.string()));
        }
    }

    std::vector<std::string> m_tags;
    steps::RegistryOverrides m_registry;
};

}  // namespace

std::unique_ptr<CommandHandler> make_push_command() {
    return std::make_unique<PushCommand>();
}

}  // namespace pipeline::cli
