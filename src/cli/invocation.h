// What every command receives: the global options, the environment, the output channel and
// a workspace loaded on first use (so `pipe version` never touches git or pipe.yaml).
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/output.h>
#include <pipe/core/result.h>
#include <pipe/steps/workspace.h>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::cli {

// Options accepted before or after any command.
struct GlobalOptions {
    std::string directory;
    std::string config_file;
    std::vector<std::string> services;
    bool json = false;
    bool dry_run = false;
    bool verbose = false;
    bool quiet = false;
    bool no_color = false;
};

// The shared context of one pipe run.
class Invocation {
public:
    Invocation(GlobalOptions globals, Environment env, Output& output);

    const GlobalOptions& globals() const { return m_globals; }
    const Environment& env() const { return m_env; }
    Output& out() { return m_output; }

    // The workspace (git state + configuration), loaded once. With git_optional a directory that
    // is no git checkout (or has no commit) still opens, for commands given everything they need.
    Result<steps::Workspace*> workspace(bool git_optional = false);

private:
    GlobalOptions m_globals;
    Environment m_env;
    Output& m_output;
    std::optional<steps::Workspace> m_workspace;
};

}  // namespace pipeline::cli
