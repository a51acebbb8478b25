// What pipe needs to know about the local git checkout, read with libgit2 (never by running
// git): the commit, its ref (with detached HEAD resolved), tags at HEAD, dirtiness and origin.
#pragma once

#include <pipe/core/result.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::git {

// A snapshot of the repository at HEAD.
struct RepositoryState {
    std::filesystem::path root;  // the work tree
    std::string sha;             // full 40-hex commit id of HEAD
    std::chrono::system_clock::time_point commit_time;
    bool detached = false;
    // Full ref for HEAD: the branch when attached; when detached, a tag at HEAD, else a branch
    // pointing at or containing HEAD (local before remote); empty when nothing matches.
    std::string ref;
    std::vector<std::string> tags_at_head;  // short names, sorted by version, highest first
    bool dirty = false;                     // tracked changes or untracked, non-ignored files
    std::string remote_url;                 // origin's URL without credentials; empty if none
    std::string default_branch;             // from refs/remotes/origin/HEAD, else main/master if present
};

// The work tree root of the repository containing start, or a usage error outside one.
Result<std::filesystem::path> find_root(const std::filesystem::path& start);

// Reads the state of the repository containing start.
Result<RepositoryState> read_state(const std::filesystem::path& start);

// origin's URL without credentials in the repository containing start, which may have no
// commits yet (what `pipe init` names the image after); empty when there is no origin.
Result<std::string> read_origin_url(const std::filesystem::path& start);

// Removes user:password@ from a URL so it can be shown and used as a label.
std::string strip_credentials(const std::string& url);

// Orders version-like tag names highest first ("v1.10.0" before "v1.9.0"); ties by name.
bool version_greater(const std::string& a, const std::string& b);

}  // namespace pipeline::git
