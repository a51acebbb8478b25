// RAII owners for libgit2 objects and the one-time library initialisation; the only header
// in pipe that includes <git2.h>, private to src/git/.
#pragma once

#include <pipe/core/error.h>
#include <pipe/core/result.h>

#include <git2.h>

#include <memory>
#include <optional>
#include <string>

namespace pipeline::git {

// Deletes a libgit2 object with its matching free function.
template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* object) const { Free(object); }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator, git_reference_iterator_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
using BranchIteratorPtr = std::unique_ptr<git_branch_iterator, Deleter<git_branch_iterator, git_branch_iterator_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;

// Initialises libgit2 once per process.
void ensure_initialised();

// The message of libgit2's last error, or a fallback.
std::string last_error_message();

// A runtime error for a failed libgit2 call, naming what pipe was doing.
Error libgit2_failure(const std::string& doing);

// The 40-hex text of an object id.
std::string oid_text(const git_oid& oid);

// An object id from its 40-hex text; anything else is a runtime error.
Result<git_oid> parse_oid(const std::string& sha);

// The tree of a commit given by its 40-hex id.
Result<TreePtr> commit_tree(git_repository* repository, const std::string& commit);

// The content of path in commit, or nullopt when the commit has no such file; a directory at
// path is an error naming display (the repository as the user knows it).
Result<std::optional<std::string>> file_at(git_repository* repository, const std::string& commit,
                                           const std::string& path, const std::string& display);

}  // namespace pipeline::git
