// `pipe init`: writes a starter pipe.yaml (and with --github-actions, --makefile, --tekton the
// matching CI files), adds `.pipe/` to .gitignore, prints one line per file; --dry-run lists what
// would be written. Never replaces a file with other content without --force (exit 2).
#include "cli/command_table.h"

#include <pipe/steps/init_step.h>

#include <fmt/format.h>

#include <filesystem>

namespace pipeline::cli {
namespace {

class InitCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_flag("--github-actions", m_options.github_actions,
                         "Also write .github/workflows/ci.yaml running pipe's steps");
        command.add_flag("--makefile", m_options.makefile, "Also write a Makefile with one target per step");
        command.add_flag("--tekton", m_options.tekton, "Also write Tekton Tasks and a Pipeline under .tekton/");
        command.add_flag("--force", m_options.force, "Replace existing files whose content differs");
    }

    Result<Verdict> run(Invocation& invocation) override {
        Output& out = invocation.out();
        m_options.directory = std::filesystem::current_path();
        m_options.dry_run = invocation.globals().dry_run;
        Result<steps::InitResult> result = steps::run_init(m_options);
        if (!result) {
            return result.error();
        }
        const steps::ProjectFacts& facts = result->facts;
        if (out.options().json) {
            nlohmann::json files = nlohmann::json::array();
            for (const steps::PlannedFile& file : result->files) {
                files.push_back({{"path", file.path.string()}, {"action", steps::action_name(file.action)}});
            }
            out.document(nlohmann::json{
                {"root", facts.root.string()},
                {"language", facts.language ? nlohmann::json(facts.language->name) : nlohmann::json(nullptr)},
                {"containerfile", facts.containerfile},
                {"image", facts.image},
                {"image_from_remote", facts.image_from_remote},
                {"files", files},
                {"dry_run", m_options.dry_run}});
        } else {
            for (const steps::PlannedFile& file : result->files) {
                out.line(fmt::format("{}{:<9} {}", m_options.dry_run ? "would " : "", steps::action_name(file.action),
                                     file.path.string()));
            }
        }
        out.info(fmt::format("pipe: {}; image {}{}; {}",
                             facts.language ? facts.language->name + " project" : "no known build file", facts.image,
                             facts.image_from_remote ? " (from origin)" : " (a placeholder: edit pipe.yaml)",
                             facts.containerfile.empty() ? "no Containerfile yet" : facts.containerfile));
        if (!m_options.dry_run) {
            out.info("pipe: next: `pipe doctor` checks this machine, `pipe build` builds the image");
        }
        return Verdict::pass;
    }

private:
    steps::InitOptions m_options;
};

}  // namespace

std::unique_ptr<CommandHandler> make_init_command() {
    return std::make_unique<InitCommand>();
}

}  // namespace pipeline::cli
