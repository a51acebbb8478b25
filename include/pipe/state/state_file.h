// The state file `<repository root>/.pipe/state.json`: what earlier steps produced (image ids,
// tags, later digests), so a separate process (`pipe push` after `pipe build`, a later CI step, a
// Makefile target) continues from it. It belongs to one tree: the commit at HEAD plus a
// fingerprint of uncommitted changes; reading it from any other tree is refused. Each service
// holds one section per step ("build", "push", ...), so a step adds its section without knowing
// the others'. Steps about the whole repository (`pipe test`) keep their section under
// "repository" instead, which rebuilding a service leaves alone. It never holds secrets, is written atomically, and
// `.pipe/` ignores itself in git.
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::state {

// The layout version written to the file; a file with another version is not read.
inline constexpr int k_schema_version = 1;

// Which tree a state describes.
struct TreeIdentity {
    std::string commit;       // full sha of HEAD
    std::string fingerprint;  // git::worktree_fingerprint digest; empty for a clean tree

    friend bool operator==(const TreeIdentity&, const TreeIdentity&) = default;
};

// The current tree of the repository at root, whose HEAD is commit.
Result<TreeIdentity> current_tree(const std::filesystem::path& root, const std::string& commit);

// The recorded results of one tree: per service, one JSON section per step, and the sections
// of repository-wide steps.
struct State {
    TreeIdentity tree;
    std::map<std::string, std::map<std::string, nlohmann::json>> services;  // service -> step -> section
    std::map<std::string, nlohmann::json> repository;                       // step -> section

    // The section of step for service, or nullptr when that step recorded nothing for it.
    const nlohmann::json* section(std::string_view service, std::string_view step) const;

    // Records (replaces) the section of step for service.
    void set_section(const std::string& service, const std::string& step, nlohmann::json value);

    // Forgets every section of service: a rebuilt image makes later steps' records stale.
    void reset_service(const std::string& service);
};

// <root>/.pipe/state.json.
std::filesystem::path state_path(const std::filesystem::path& root);

// The file's JSON: {"schema", "commit", "fingerprint", "services": {name: {step: section}},
// "repository": {step: section}}; "repository" only when a repository-wide step recorded something,
// so files of pipes that know no such step stay the same.
nlohmann::json to_json(const State& state);

// Parses the file's JSON; malformed content or another schema version is a usage error at where.
Result<State> parse_state(std::string_view text, const std::string& where);

// Reads the state of tree: nullopt when no state file exists. A file written for another
// commit, or for the same commit with different uncommitted changes, is a usage error that says
// what changed and to run `pipe build` again; so is an unreadable file.
Result<std::optional<State>> read_state(const std::filesystem::path& root, const TreeIdentity& tree);

// The state a step should add its results to: the file's content when it belongs to tree,
// else an empty state for tree (a state of another tree is replaced, not an error).
Result<State> state_for_update(const std::filesystem::path& root, const TreeIdentity& tree);

// Creates <root>/.pipe (with a .gitignore of "*" so git never sees it) when missing and returns
// its path, for the state and for work files steps keep there (pipe test's CMake build tree).
Result<std::filesystem::path> pipe_directory(const std::filesystem::path& root);

// Writes the state atomically (temporary file in .pipe/, fsync, rename, fsync of the
// directory), mode 0644. Creates .pipe/ with a .gitignore of "*" so git never sees it.
Result<void> write_state(const std::filesystem::path& root, const State& state);

// After a step wrote its own output files into the work tree (an SBOM, a SARIF report), moves
// the state recorded for checked (the tree the step verified moments before) to the tree those
// files are now part of, so the next step still accepts it. A state of another tree is left alone.
// Returns the tree the state now belongs to.
Result<TreeIdentity> follow_own_outputs(const std::filesystem::path& root, const TreeIdentity& checked);

}  // namespace pipeline::state
