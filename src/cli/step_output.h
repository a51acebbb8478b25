// What the commands that run tools per service print the same way: progress announcements
// (folded into ::group:: sections inside GitHub Actions) and the --json document around the
// per-service entries.
#pragma once

#include <pipe/core/output.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/tool_progress.h>

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace pipeline::cli {

// --insecure-registry and --ca-file, the same on every command that reaches registries.
void add_registry_options(CLI::App& command, steps::RegistryOverrides& registry);

// Progress that prints "pipe: <verb> service 'x'" and the tool's lines to stderr, or inside
// GitHub Actions opens a "<title> x" group for them; on a terminal outside CI (Output's live
// option) one status line shows the tool's latest line instead. out must outlive the callbacks.
steps::ToolProgress tool_progress(Output& out, bool in_actions, std::string title, std::string verb);

// {"services": services, "dry_run": true} or {"services": services, "state_file": path}.
nlohmann::json step_document(nlohmann::json services, bool dry_run, const std::filesystem::path& state_file);

}  // namespace pipeline::cli
