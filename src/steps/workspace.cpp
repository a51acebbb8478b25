#include <pipe/steps/workspace.h>

#include <pipe/ci/source_context_builder.h>
#include <pipe/config/loader.h>

namespace pipeline::steps {

Result<Workspace> open_workspace(const WorkspaceOptions& options, const Environment& env) {
    Workspace workspace;
    workspace.env = env;
    Result<git::RepositoryState> state = git::read_state(options.directory);
    if (state) {
        workspace.root = state->root;
        workspace.git = std::move(*state);
    } else if ((options.git_optional || ci::in_github_actions(env)) && state.error().kind == ErrorKind::usage) {
        workspace.root = options.directory;
    } else {
        return state.error();
    }
    std::string default_name = workspace.root.filename().string();
    Result<config::Config> loaded = config::load_config(options.config_file, workspace.root, default_name);
    if (!loaded) {
        return loaded.error();
    }
    workspace.config = std::move(*loaded);
    if (auto applied = config::apply_environment(workspace.config, env); !applied) {
        return applied.error();
    }
    if (!workspace.config.multi_service && !workspace.config.services.front().images.empty()) {
        // A single service is named after its image ("ghcr.io/acme/payments-api" -> payments-api).
        const std::string& image = workspace.config.services.front().images.front();
        workspace.config.services.front().name = image.substr(image.rfind('/') + 1);
    }
    if (auto selected = config::select_services(workspace.config, options.services); !selected) {
        return selected.error();
    }
    return workspace;
}

}  // namespace pipeline::steps
