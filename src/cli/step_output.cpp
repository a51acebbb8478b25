#include "cli/step_output.h"

#include <pipe/ci/workflow_commands.h>

#include <fmt/format.h>

namespace pipeline::cli {

void add_registry_options(CLI::App& command, steps::RegistryOverrides& registry) {
    command.add_flag("--insecure-registry", registry.insecure,
                     "Allow plain HTTP and unverified TLS (local and test registries)");
    command.add_option("--ca-file", registry.ca_file, "PEM file of a private CA the registry's certificate uses")
        ->option_text("FILE");
}

steps::ToolProgress tool_progress(Output& out, bool in_actions, std::string title, std::string verb) {
    steps::ToolProgress progress;
    progress.started = [&out, in_actions, title = std::move(title),
                        verb = std::move(verb)](const std::string& service) {
        out.info(in_actions ? ci::group_start(title + " " + service)
                            : fmt::format("pipe: {} service '{}'", verb, service));
    };
    progress.output = [&out](proc::Stream, std::string_view line) { out.info(line); };
    progress.finished = [&out, in_actions](const std::string&) {
        if (in_actions) {
            out.info(ci::group_end());
        }
    };
    return progress;
}

nlohmann::json step_document(nlohmann::json services, bool dry_run, const std::filesystem::path& state_file) {
    nlohmann::json doc{{"services", std::move(services)}};
    if (dry_run) {
        doc["dry_run"] = true;
    } else {
        doc["state_file"] = state_file.string();
    }
    return doc;
}

}  // namespace pipeline::cli
