// `pipe tags`: prints the computed tags (or full references), publishes them as GitHub
// Actions outputs, and with --json emits one document per the documented shape.
#include "cli/actions_publish.h"
#include "cli/command_table.h"

#include <pipe/ci/actions_files.h>
#include <pipe/ci/markdown.h>
#include <pipe/ci/source_context_builder.h>
#include <pipe/steps/tags_step.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

nlohmann::json service_json(const steps::ServiceTags& service) {
    const meta::TagResult& r = service.result;
    return nlohmann::json{{"service", service.service}, {"version", r.version}, {"tags", r.tag_names},
                          {"references", r.references}, {"labels", r.labels},   {"latest", r.latest}};
}

std::string labels_text(const meta::TagResult& result) {
    std::string text;
    for (const auto& [key, value] : result.labels) {
        if (!text.empty()) {
            text += '\n';
        }
        text.append(key).append("=").append(value);
    }
    return text;
}

ci::StepOutputs step_outputs(const steps::TagsReport& report, bool multi_service) {
    ci::StepOutputs outputs;
    nlohmann::json all = nlohmann::json::array();
    for (const steps::ServiceTags& service : report.services) {
        const meta::TagResult& r = service.result;
        std::string prefix = multi_service ? service.service + "-" : "";
        const std::vector<std::string>& tags = r.references.empty() ? r.tag_names : r.references;
        outputs.emplace_back(prefix + "version", r.version);
        outputs.emplace_back(prefix + "tags", fmt::format("{}", fmt::join(tags, "\n")));
        outputs.emplace_back(prefix + "tag-names", fmt::format("{}", fmt::join(r.tag_names, "\n")));
        outputs.emplace_back(prefix + "labels", labels_text(r));
        all.push_back(service_json(service));
    }
    outputs.emplace_back("json", nlohmann::json{{"services", all}}.dump());
    return outputs;
}

std::string step_summary(const steps::TagsReport& report) {
    std::string text = "### pipe tags\n\n| service | version | tags |\n|---|---|---|\n";
    for (const steps::ServiceTags& service : report.services) {
        text += fmt::format("| {} | {} | {} |\n", service.service, service.result.version,
                            ci::code_spans(service.result.tag_names));
    }
    return text + "\n";
}

class TagsCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_flag("--refs", m_refs, "Print full references (image:tag) instead of tag names");
        command.add_option("--image", m_overrides.images, "Image repository (repeatable; replaces `image`)")
            ->option_text("REPO");
        command
            .add_option("--tag", m_overrides.tags, "Tag rule in metadata-action syntax (repeatable; replaces `tags`)")
            ->option_text("RULE");
        command.add_option("--flavor", m_overrides.flavor, "Flavor entry, e.g. latest=false (repeatable)")
            ->option_text("ENTRY");
        command.add_option("--label", m_overrides.labels, "Extra OCI label key=value (repeatable; replaces `labels`)")
            ->option_text("KEY=VALUE");
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace();
        if (!workspace) {
            return workspace.error();
        }
        if (auto applied = steps::apply_overrides(**workspace, m_overrides); !applied) {
            return applied.error();
        }
        Result<steps::TagsReport> report = steps::compute_service_tags(**workspace);
        if (!report) {
            return report.error();
        }
        Output& out = invocation.out();
        const meta::SourceContext& context = report->context;
        out.detail(fmt::format("source: {} (event {}, ref {}, commit {})",
                               ci::in_github_actions(invocation.env()) ? "GitHub Actions context" : "local git",
                               context.event_name, context.ref.empty() ? "none" : context.ref, context.sha));
        out.detail(fmt::format("configuration: {}", (*workspace)->config.file.empty()
                                                        ? std::string("none (defaults)")
                                                        : (*workspace)->config.file.string()));
        for (const std::string& warning : report->warnings) {
            out.warn(warning);
        }
        bool multi = report->services.size() > 1;
        print(out, *report, multi);
        return publish_to_actions(invocation, step_outputs(*report, multi), step_summary(*report));
    }

private:
    void print(Output& out, const steps::TagsReport& report, bool multi) const {
        if (out.options().json) {
            nlohmann::json doc = nlohmann::json::object();
            if (report.services.size() == 1) {
                doc = service_json(report.services.front());
            }
            doc["services"] = nlohmann::json::array();
            for (const steps::ServiceTags& service : report.services) {
                doc["services"].push_back(service_json(service));
            }
            out.document(doc);
            return;
        }
        for (const steps::ServiceTags& service : report.services) {
            if (multi) {
                out.info(fmt::format("# {}", service.service));
            }
            const meta::TagResult& r = service.result;
            for (const std::string& text : m_refs && !r.references.empty() ? r.references : r.tag_names) {
                out.line(text);
            }
        }
    }

    bool m_refs = false;
    steps::TagOverrides m_overrides;
};

}  // namespace

std::unique_ptr<CommandHandler> make_tags_command() {
    return std::make_unique<TagsCommand>();
}

}  // namespace pipeline::cli
