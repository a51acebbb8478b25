// `pipe build`: builds each selected service with buildah, streams buildah's output to stderr
// (folded into a group inside GitHub Actions), prints the built references (or, with
// --dry-run, the exact commands), and publishes the image, tags and image id as step outputs.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/ci/actions_files.h>
#include <pipe/ci/markdown.h>
#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/system_runner.h>
#include <pipe/steps/build_step.h>
#include <pipe/steps/registry_session.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

nlohmann::json service_json(const steps::ServiceBuild& service, bool dry_run) {
    nlohmann::json doc{{"name", service.name},
                       {"image", service.image},
                       {"image_id", service.image_id},
                       {"tags", service.tags},
                       {"platforms", service.platforms},
                       {"references", service.references},
                       {"containerfile", service.containerfile.string()},
                       {"duration_ms", service.duration.count()},
                       {"skipped", !service.reused.empty()},
                       {"reused", service.reused},
                       {"inputs_digest", service.inputs_digest}};
    if (dry_run) {
        nlohmann::json commands = nlohmann::json::array();
        for (const proc::Command& command : service.commands) {
            commands.push_back(proc::describe(command));
        }
        doc["commands"] = std::move(commands);
    }
    return doc;
}

ci::StepOutputs step_outputs(const steps::BuildReport& report) {
    ci::StepOutputs outputs;
    nlohmann::json all = nlohmann::json::array();
    bool multi = report.services.size() > 1;
    for (const steps::ServiceBuild& service : report.services) {
        std::string prefix = multi ? service.name + "-" : "";
        outputs.emplace_back(prefix + "image", service.image);
        outputs.emplace_back(prefix + "tags", fmt::format("{}", fmt::join(service.references, "\n")));
        outputs.emplace_back(prefix + "image-id", service.image_id);
        all.push_back(service_json(service, false));
    }
    outputs.emplace_back("json", nlohmann::json{{"services", all}}.dump());
    return outputs;
}

std::string step_summary(const steps::BuildReport& report) {
    std::string text = "### pipe build\n\n| service | image id | tags | time |\n|---|---|---|---|\n";
    for (const steps::ServiceBuild& service : report.services) {
        text += fmt::format("| {} | `{}` | {} | {:.1f}s |\n", service.name, service.image_id.substr(0, 19),
                            ci::code_spans(service.references), static_cast<double>(service.duration.count()) / 1000.0);
    }
    return text + "\n";
}

class BuildCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command
            .add_option("--build-arg", m_overrides.build_args, "Build argument (repeatable; merged over `build.args`)")
            ->option_text("NAME=VALUE");
        command.add_option("--target", m_overrides.target, "Build this stage of a multi-stage Containerfile")
            ->option_text("STAGE");
        command
            .add_option("--platform", m_overrides.platforms,
                        "Target platform os/arch[/variant] (repeatable or comma list; several build a manifest list)")
            ->option_text("PLATFORM");
        command.add_option("--file", m_overrides.file, "Containerfile, relative to the repository root")
            ->option_text("FILE");
        command.add_flag("--no-layers", m_overrides.no_layers, "Do not cache intermediate layers");
        command
            .add_option("--storage-driver", m_overrides.storage_driver, "buildah storage driver (e.g. vfs, overlay)")
            ->option_text("DRIVER");
        command.add_flag("--skip-unchanged", m_skip_unchanged,
                         "Do not rebuild when the registry holds an image built from the same inputs");
        add_registry_options(command, m_registry);
        command
            .add_option("--isolation", m_overrides.isolation,
                        "How RUN instructions are isolated: oci, rootless, chroot")
            ->option_text("MODE");
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace();
        if (!workspace) {
            return workspace.error();
        }
        if (auto applied = steps::apply_build_overrides(**workspace, m_overrides); !applied) {
            return applied.error();
        }
        if (auto applied = steps::apply_registry_overrides(**workspace, m_registry); !applied) {
            return applied.error();
        }
        Output& out = invocation.out();
        const bool in_actions = ci::in_github_actions(invocation.env());
        steps::BuildOptions options;
        options.dry_run = invocation.globals().dry_run;
        options.skip_unchanged = m_skip_unchanged;
        options.trace = [&](std::string_view line) { out.detail(line); };
        options.progress = tool_progress(out, in_actions, "buildah build", "building");
        proc::SystemRunner runner;
        Result<steps::BuildReport> report = steps::run_build(**workspace, runner, options);
        if (!report) {
            return report.error();
        }
        for (const std::string& warning : report->warnings) {
            out.warn(warning);
        }
        print(out, *report, options.dry_run);
        return publish_to_actions(invocation, step_outputs(*report), step_summary(*report));
    }

private:
    static void print(Output& out, const steps::BuildReport& report, bool dry_run) {
        if (out.options().json) {
            nlohmann::json services = nlohmann::json::array();
            for (const steps::ServiceBuild& service : report.services) {
                services.push_back(service_json(service, dry_run));
            }
            out.document(step_document(std::move(services), dry_run, report.state_file));
            return;
        }
        for (const steps::ServiceBuild& service : report.services) {
            if (dry_run) {
                for (const proc::Command& command : service.commands) {
                    out.line(proc::describe(command));
                }
                continue;
            }
            if (service.reused.empty()) {
                out.info(fmt::format("pipe: built service '{}': {} ({:.1f}s)", service.name, service.image_id,
                                     static_cast<double>(service.duration.count()) / 1000.0));
            } else {
                out.info(
                    fmt::format("pipe: service '{}' is unchanged: {} has the same inputs ({}); not rebuilt "
                                "({:.2f}s)",
                                service.name, service.reused, service.inputs_digest.substr(0, 19),
                                static_cast<double>(service.duration.count()) / 1000.0));
            }
            for (const std::string& reference : service.references) {
                out.line(reference);
            }
        }
        if (!dry_run && !report.state_file.empty()) {
            out.detail(fmt::format("recorded in {}", report.state_file.string()));
        }
    }

    steps::BuildOverrides m_overrides;
    steps::RegistryOverrides m_registry;
    bool m_skip_unchanged = false;
};

}  // namespace

std::unique_ptr<CommandHandler> make_build_command() {
    return std::make_unique<BuildCommand>();
}

}  // namespace pipeline::cli
