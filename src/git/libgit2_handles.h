// RAII owners for libgit2 objects and the one-time library initialisation; the only header
// in pipe that includes <git2.h>, private to src/git/.
#pragma once

#include <pipe/core/error.h>

#include <git2.h>

#include <memory>
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

// Initialises libgit2 once per process.
void ensure_initialised();

// The message of libgit2's last error, or a fallback.
std::string last_error_message();

// A runtime error for a failed libgit2 call, naming what pipe was doing.
Error libgit2_failure(const std::string& doing);

}  // namespace pipeline::git
