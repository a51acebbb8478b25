// What a step continuing from earlier ones reads first: the state of the current tree, and the
// digest `pipe push` recorded for a service. One place for the checks and the messages that say
// which step to run first.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/result.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/workspace.h>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::steps {

// The current tree and the state recorded for it (nullopt when nothing was recorded yet).
struct RecordedState {
    state::TreeIdentity tree;
    std::optional<state::State> state;
};

// Reads the state of the workspace's current tree for step ("pipe sign"); without a git checkout
// it is a usage error saying to run step in the repository the earlier steps ran in. With
// load false only the tree is computed.
Result<RecordedState> recorded_state(const Workspace& workspace, std::string_view step, bool load = true);

// The digest-pinned reference `pipe push` recorded for service; a usage error naming the service
// and what to do (hint) when there is none.
Result<std::string> pushed_reference(const Workspace& workspace, const std::optional<state::State>& state,
                                     const config::ServiceConfig& service, std::string_view hint);

}  // namespace pipeline::steps
