// `pipe build`: builds each selected service's image with buildah, under every tag and OCI
// label `pipe tags` computes, and records the result in the state file for later steps.
// Runs tools only through the given proc::Runner and prints nothing itself.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/tool_progress.h>
#include <pipe/steps/workspace.h>
#include <pipe/tools/buildah.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// Values given on the command line; each replaces the configured value for every selected
// service, except build arguments, which are merged by name over the configured ones.
struct BuildOverrides {
    std::vector<std::string> build_args;  // NAME=VALUE
    std::string target;
    std::vector<std::string> platforms;  // each may be a comma-separated list
    std::string file;
    bool no_layers = false;
    std::string storage_driver;
    std::string isolation;
};

// Applies command-line overrides (origin "--target", "--platform", ...); a malformed value is a
// usage error naming the flag.
Result<void> apply_build_overrides(Workspace& workspace, const BuildOverrides& overrides);

// How to run the build step.
struct BuildOptions {
    bool dry_run = false;           // compute and return the commands; run and write nothing
    std::filesystem::path scratch;  // directory for buildah's --iidfile files; empty: a private
                                    // temporary directory, removed when the step returns
    bool skip_unchanged = false;    // reuse an image in the registry whose inputs digest matches
    ToolProgress progress;
    std::function<void(std::string_view)> trace;  // registry requests, for --verbose; may be empty
};

// What was (or, in a dry run, would be) built for one service.
struct ServiceBuild {
    std::string name;
    std::string image;                          // primary repository, e.g. ghcr.io/acme/api
    std::string image_id;                       // sha256:<hex>; empty in a dry run
    std::vector<std::string> tags;              // tag names
    std::vector<std::string> references;        // image:tag for every configured image
    std::vector<std::string> platforms;         // as requested; empty: the host's platform
    std::map<std::string, std::string> labels;  // OCI labels applied
    std::filesystem::path context;              // relative to the repository root
    std::filesystem::path containerfile;        // relative to the repository root
    std::chrono::milliseconds duration{0};
    std::vector<proc::Command> commands;  // the buildah commands, in order
    std::string inputs_digest;            // with --skip-unchanged
    std::string reused;                   // with a --skip-unchanged hit: the reference found
};

// The outcome of the build step.
struct BuildReport {
    std::vector<ServiceBuild> services;
    std::vector<std::string> warnings;
    std::filesystem::path state_file;  // where the results were recorded; empty in a dry run
};

// The Containerfile of a service: `file` (relative to the repository root, else to the
// context, as buildah resolves it), else Containerfile, else Dockerfile in the context. A
// missing file or context is a config error naming what was looked for, at the key's origin.
Result<std::filesystem::path> find_containerfile(const std::filesystem::path& root,
                                                 const config::ServiceConfig& service);

// The repository a service without a configured `image` builds: localhost/<service name>,
// lowercased and reduced to the characters a repository name allows.
std::string default_image(const std::string& service_name);

// buildah's global settings for a service's `build:` section (paths relative to root), shared by
// every step that runs buildah on the images `pipe build` stored.
tools::BuildahSettings buildah_settings_for(const std::filesystem::path& root, const config::BuildConfig& build);

// Builds every selected service in order through runner and records each success in
// <root>/.pipe/state.json (unless a dry run). Stops at the first failure; services built
// before it stay recorded.
Result<BuildReport> run_build(const Workspace& workspace, proc::Runner& runner, const BuildOptions& options);

}  // namespace pipeline::steps
