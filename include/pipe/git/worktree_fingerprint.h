// A fingerprint of a work tree's uncommitted changes, so a later step can tell whether the
// files an image was built from are still the ones on disk: same commit plus same fingerprint
// means the same inputs.
#pragma once

#include <pipe/core/result.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace pipeline::git {

// The changes of a work tree against HEAD, reduced to one value.
struct WorktreeFingerprint {
    bool dirty = false;             // any tracked change (staged or not) or untracked, non-ignored file
    std::string digest;             // 40 hex; empty when the tree is clean
    std::size_t changed_paths = 0;  // how many paths differ, for messages
};

// pipe's own directory at the repository root (state, scratch files), never part of a fingerprint.
inline constexpr const char* k_pipe_directory = ".pipe";

// Fingerprints the work tree of the repository containing start: a hash over the sorted changed
// paths (against HEAD, staged or not, untracked but not ignored; anything under .pipe/ left out)
// and, for each, what is on disk now (content hash and executable bit, link target, or deleted).
// Staging a change does not alter the fingerprint; editing, adding or deleting a file does.
Result<WorktreeFingerprint> worktree_fingerprint(const std::filesystem::path& start);

}  // namespace pipeline::git
