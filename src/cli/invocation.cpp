#include "cli/invocation.h"

#include <filesystem>

namespace pipeline::cli {

Invocation::Invocation(GlobalOptions globals, Environment env, Output& output)
    : m_globals(std::move(globals)), m_env(std::move(env)), m_output(output) {}

Result<steps::Workspace*> Invocation::workspace(bool git_optional) {
    if (m_workspace) {
        return &*m_workspace;
    }
    steps::WorkspaceOptions options;
    options.directory = std::filesystem::current_path();
    options.config_file = m_globals.config_file;
    options.services = m_globals.services;
    options.git_optional = git_optional;
    Result<steps::Workspace> opened = steps::open_workspace(options, m_env);
    if (!opened) {
        return opened.error();
    }
    m_workspace = std::move(*opened);
    return &*m_workspace;
}

}  // namespace pipeline::cli
