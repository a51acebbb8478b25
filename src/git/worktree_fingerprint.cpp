#include <pipe/git/worktree_fingerprint.h>

#include "libgit2_handles.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <set>
#include <string_view>

namespace pipeline::git {
namespace {

using StatusListPtr = std::unique_ptr<git_status_list, Deleter<git_status_list, git_status_list_free>>;

std::string hex(const git_oid& oid) {
    std::array<char, GIT_OID_HEXSZ + 1> text{};
    git_oid_tostr(text.data(), text.size(), &oid);
    return text.data();
}

bool under_pipe_directory(std::string_view path) {
    const std::string_view directory = k_pipe_directory;
    return path.size() > directory.size() && path.substr(0, directory.size()) == directory &&
           path[directory.size()] == '/';
}

// What is at path now: "blob <id> <mode>", "link <id>", "dir", or "deleted".
Result<std::string> content_of(const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        return std::string("deleted");
    }
    git_oid oid{};
    if (S_ISLNK(info.st_mode)) {
        std::string target(static_cast<std::size_t>(info.st_size) + 1, '\0');
        ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
        if (length < 0) {
            return runtime_error(fmt::format("cannot read the symbolic link {}", path.string()));
        }
        target.resize(static_cast<std::size_t>(length));
        if (git_odb_hash(&oid, target.data(), target.size(), GIT_OBJECT_BLOB) != 0) {
            return libgit2_failure("cannot hash " + path.string());
        }
        return "link " + hex(oid);
    }
    if (S_ISDIR(info.st_mode)) {
        return std::string("dir");
    }
    if (git_odb_hashfile(&oid, path.c_str(), GIT_OBJECT_BLOB) != 0) {
        return libgit2_failure("cannot hash " + path.string());
    }
    return fmt::format("blob {} {}", hex(oid), (info.st_mode & S_IXUSR) != 0 ? "100755" : "100644");
}

void add_paths(const git_diff_delta* delta, std::set<std::string>& paths) {
    if (delta == nullptr) {
        return;
    }
    for (const char* path : {delta->old_file.path, delta->new_file.path}) {
        if (path != nullptr && !under_pipe_directory(path)) {
            paths.insert(path);
        }
    }
}

}  // namespace

Result<WorktreeFingerprint> worktree_fingerprint(const std::filesystem::path& start) {
    ensure_initialised();
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, start.c_str(), 0, nullptr) != 0) {
        return usage_error(fmt::format("not a git repository: {}", start.string()),
                           "run pipe inside a git checkout, or point at one with -C DIR");
    }
    RepositoryPtr repo(raw);
    const char* workdir = git_repository_workdir(repo.get());
    if (workdir == nullptr) {
        return usage_error(fmt::format("{} is a bare repository", start.string()),
                           "run pipe in a checkout with a work tree");
    }
    git_status_options options{};
    if (git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION) != 0) {
        return libgit2_failure("cannot prepare a status query");
    }
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags =
        GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list* list_raw = nullptr;
    if (git_status_list_new(&list_raw, repo.get(), &options) != 0) {
        return libgit2_failure("cannot read the status of the work tree");
    }
    StatusListPtr list(list_raw);
    std::set<std::string> paths;
    const std::size_t count = git_status_list_entrycount(list.get());
    for (std::size_t i = 0; i < count; ++i) {
        const git_status_entry* entry = git_status_byindex(list.get(), i);
        if (entry == nullptr || entry->status == GIT_STATUS_CURRENT) {
            continue;
        }
        add_paths(entry->head_to_index, paths);
        add_paths(entry->index_to_workdir, paths);
    }
    WorktreeFingerprint fingerprint;
    if (paths.empty()) {
        return fingerprint;
    }
    const std::filesystem::path root(workdir);
    std::string listing;
    for (const std::string& path : paths) {
        Result<std::string> content = content_of(root / path);
        if (!content) {
            return content.error();
        }
        listing += path;
        listing += '\0';
        listing += *content;
        listing += '\n';
    }
    git_oid oid{};
    if (git_odb_hash(&oid, listing.data(), listing.size(), GIT_OBJECT_BLOB) != 0) {
        return libgit2_failure("cannot hash the work tree's changes");
    }
    fingerprint.dirty = true;
    fingerprint.digest = hex(oid);
    fingerprint.changed_paths = paths.size();
    return fingerprint;
}

}  // namespace pipeline::git
