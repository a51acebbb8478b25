// The repository a step works in: its root, git state and layered configuration, loaded once
// and shared by the steps of one invocation. Commands that need none of it never build one.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/git/repository_state.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::steps {

// How to find and layer the configuration.
struct WorkspaceOptions {
    std::filesystem::path directory;    // where pipe runs (after -C)
    std::filesystem::path config_file;  // --config, empty for <root>/pipe.yaml
    std::vector<std::string> services;  // --service filter, empty for all
    bool git_optional = false;          // a directory outside git (or without commits) is no error
};

// Everything a step needs to know about where it runs.
struct Workspace {
    std::filesystem::path root;
    std::optional<git::RepositoryState> git;  // absent only inside CI without a checkout
    config::Config config;
    Environment env;
};

// Finds the repository, reads git state and pipe.yaml, applies PIPE_* and the service filter.
Result<Workspace> open_workspace(const WorkspaceOptions& options, const Environment& env);

}  // namespace pipeline::steps
