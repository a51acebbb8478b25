#include "libgit2_handles.h"

#include <fmt/format.h>

#include <array>

namespace pipeline::git {

void ensure_initialised() {
    static const int k_initialised = git_libgit2_init();
    (void)k_initialised;
}

std::string last_error_message() {
    const ::git_error* error = git_error_last();
    if (error == nullptr || error->message == nullptr) {
        return "unknown libgit2 error";
    }
    return error->message;
}

Error libgit2_failure(const std::string& doing) {
    return runtime_error(doing + ": " + last_error_message());
}

std::string oid_text(const git_oid& oid) {
    std::array<char, GIT_OID_HEXSZ + 1> text{};
    git_oid_tostr(text.data(), text.size(), &oid);
    return text.data();
}

Result<git_oid> parse_oid(const std::string& sha) {
    git_oid oid;
    if (git_oid_fromstr(&oid, sha.c_str()) != 0) {
        return runtime_error(fmt::format("'{}' is not a commit id", sha));
    }
    return oid;
}

Result<TreePtr> commit_tree(git_repository* repository, const std::string& commit) {
    Result<git_oid> oid = parse_oid(commit);
    if (!oid) {
        return oid.error();
    }
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repository, &*oid) != 0) {
        return libgit2_failure(fmt::format("reading commit {}", commit));
    }
    CommitPtr found(raw_commit);
    git_tree* raw_tree = nullptr;
    if (git_commit_tree(&raw_tree, found.get()) != 0) {
        return libgit2_failure(fmt::format("reading the tree of {}", commit));
    }
    return TreePtr(raw_tree);
}

Result<std::optional<std::string>> file_at(git_repository* repository, const std::string& commit,
                                           const std::string& path, const std::string& display) {
    Result<TreePtr> tree = commit_tree(repository, commit);
    if (!tree) {
        return tree.error();
    }
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, tree->get(), path.c_str()) != 0) {
        return std::optional<std::string>();
    }
    TreeEntryPtr entry(raw_entry);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
        return runtime_error(fmt::format("{} in {} is a directory, not a file", path, display));
    }
    git_blob* raw_blob = nullptr;
    if (git_blob_lookup(&raw_blob, repository, git_tree_entry_id(entry.get())) != 0) {
        return libgit2_failure(fmt::format("reading {}", path));
    }
    BlobPtr blob(raw_blob);
    const auto* bytes = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    return std::optional<std::string>(std::string(bytes, static_cast<std::size_t>(git_blob_rawsize(blob.get()))));
}

}  // namespace pipeline::git
