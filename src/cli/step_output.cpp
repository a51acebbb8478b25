#include "cli/step_output.h"

#include <pipe/ci/workflow_commands.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

namespace pipeline::cli {

void add_registry_options(CLI::App& command, steps::RegistryOverrides& registry) {
    command.add_flag("--insecure-registry", registry.insecure,
                     "Allow plain HTTP and unverified TLS (local and test registries)");
    command.add_option("--ca-file", registry.ca_file, "PEM file of a private CA the registry's certificate uses")
        ->option_text("FILE");
}

namespace {

// Whether a tool's line must stay on screen rather than pass through the status line.
bool worth_keeping(proc::Stream stream, std::string_view line) {
    if (stream != proc::Stream::err) {
        return false;
    }
    std::string lower(line);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("error") != std::string::npos || lower.find("warn") != std::string::npos ||
           lower.find("fatal") != std::string::npos;
}

// On a terminal outside CI: one status line per service that shows the tool's latest line and
// the time so far, then a line with the total; errors and warnings stay on screen.
steps::ToolProgress live_progress(Output& out, const std::string& verb) {
    struct Current {
        std::string service;
        std::chrono::steady_clock::time_point started;
    };
    auto current = std::make_shared<Current>();
    const auto seconds = [current] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - current->started).count();
    };
    steps::ToolProgress progress;
    progress.started = [&out, current, verb](const std::string& service) {
        *current = Current{service, std::chrono::steady_clock::now()};
        out.status(fmt::format("pipe: {} service '{}'", verb, service));
    };
    progress.output = [&out, current, verb, seconds](proc::Stream stream, std::string_view line) {
        if (worth_keeping(stream, line)) {
            out.info(line);
            return;
        }
        out.status(fmt::format("pipe: {} service '{}' {:.1f}s  {}", verb, current->service, seconds(), line));
    };
    progress.finished = [&out, current, verb, seconds](const std::string& service) {
        out.clear_status();
        out.info(fmt::format("pipe: {} service '{}' took {:.1f}s", verb, service, seconds()));
    };
    return progress;
}

}  // namespace

steps::ToolProgress tool_progress(Output& out, bool in_actions, std::string title, std::string verb) {
    if (out.options().live && !in_actions) {
        return live_progress(out, verb);
    }
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
