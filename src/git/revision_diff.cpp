#include <pipe/git/revision_diff.h>

#include "libgit2_handles.h"

#include <fmt/format.h>

namespace pipeline::git {

struct LocalRevisions::State {
    RepositoryPtr repository;
    std::string display;
};

LocalRevisions::LocalRevisions(std::unique_ptr<State> state) : m_state(std::move(state)) {}
LocalRevisions::~LocalRevisions() = default;
LocalRevisions::LocalRevisions(LocalRevisions&&) noexcept = default;
LocalRevisions& LocalRevisions::operator=(LocalRevisions&&) noexcept = default;

Result<LocalRevisions> LocalRevisions::open(const std::filesystem::path& directory) {
    ensure_initialised();
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, directory.c_str(), 0, nullptr) != 0) {
        return usage_error(fmt::format("{} is not inside a git repository", directory.string()),
                           "run pipe bump --check in a checkout of the config repository");
    }
    auto state = std::make_unique<State>();
    state->repository.reset(raw);
    const char* work_tree = git_repository_workdir(raw);
    state->display = work_tree != nullptr ? work_tree : git_repository_path(raw);
    return LocalRevisions(std::move(state));
}

std::optional<std::string> LocalRevisions::resolve(const std::string& revision) const {
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, m_state->repository.get(), revision.c_str()) != 0) {
        return std::nullopt;
    }
    ObjectPtr object(raw);
    git_object* raw_commit = nullptr;
    if (git_object_peel(&raw_commit, object.get(), GIT_OBJECT_COMMIT) != 0) {
        return std::nullopt;
    }
    ObjectPtr commit(raw_commit);
    return oid_text(*git_object_id(commit.get()));
}

std::optional<std::string> LocalRevisions::merge_base(const std::string& a, const std::string& b) const {
    Result<git_oid> left = parse_oid(a);
    Result<git_oid> right = parse_oid(b);
    git_oid base;
    if (!left || !right || git_merge_base(&base, m_state->repository.get(), &*left, &*right) != 0) {
        return std::nullopt;
    }
    return oid_text(base);
}

namespace {

FileStatus status_of(git_delta_t delta) {
    switch (delta) {
        case GIT_DELTA_ADDED:
            return FileStatus::added;
        case GIT_DELTA_DELETED:
            return FileStatus::deleted;
        case GIT_DELTA_TYPECHANGE:
            return FileStatus::type_changed;
        default:
            return FileStatus::modified;
    }
}

}  // namespace

Result<std::vector<ChangedFile>> LocalRevisions::changed_files(const std::string& base, const std::string& head) const {
    git_repository* repository = m_state->repository.get();
    Result<TreePtr> old_tree = commit_tree(repository, base);
    if (!old_tree) {
        return old_tree.error();
    }
    Result<TreePtr> new_tree = commit_tree(repository, head);
    if (!new_tree) {
        return new_tree.error();
    }
    git_diff_options options;
    git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
    options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
    git_diff* raw = nullptr;
    if (git_diff_tree_to_tree(&raw, repository, old_tree->get(), new_tree->get(), &options) != 0) {
        return libgit2_failure(fmt::format("comparing {} with {}", base, head));
    }
    DiffPtr diff(raw);
    std::vector<ChangedFile> files;
    const std::size_t count = git_diff_num_deltas(diff.get());
    for (std::size_t i = 0; i < count; ++i) {
        const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
        const char* path = delta->new_file.path != nullptr ? delta->new_file.path : delta->old_file.path;
        files.push_back(ChangedFile{path, status_of(delta->status)});
    }
    return files;
}

Result<std::optional<std::string>> LocalRevisions::read_file(const std::string& commit, const std::string& path) const {
    return file_at(m_state->repository.get(), commit, path, m_state->display);
}

}  // namespace pipeline::git
