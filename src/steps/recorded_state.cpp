#include <pipe/steps/recorded_state.h>

#include <pipe/state/push_record.h>

#include <fmt/format.h>

namespace pipeline::steps {

Result<RecordedState> recorded_state(const Workspace& workspace, std::string_view step, bool load) {
    if (!workspace.git) {
        return usage_error(fmt::format("{} needs the git checkout the earlier steps recorded their results in", step),
                           "run it inside the repository that `pipe build` and `pipe push` ran in");
    }
    Result<state::TreeIdentity> tree = state::current_tree(workspace.root, workspace.git->sha);
    if (!tree) {
        return tree.error();
    }
    RecordedState recorded{*tree, std::nullopt};
    if (!load) {
        return recorded;
    }
    Result<std::optional<state::State>> loaded = state::read_state(workspace.root, *tree);
    if (!loaded) {
        return loaded.error();
    }
    recorded.state = std::move(*loaded);
    return recorded;
}

Result<std::string> pushed_reference(const Workspace& workspace, const std::optional<state::State>& state,
                                     const config::ServiceConfig& service, std::string_view hint) {
    const nlohmann::json* section = state ? state->section(service.name, state::k_push_section) : nullptr;
    if (section == nullptr) {
        return usage_error(fmt::format("service '{}' has no pushed image recorded for this commit", service.name),
                           std::string(hint));
    }
    Result<state::PushRecord> record = state::parse_push_record(*section, state::state_path(workspace.root).string());
    if (!record) {
        return record.error();
    }
    return record->pinned;
}

}  // namespace pipeline::steps
