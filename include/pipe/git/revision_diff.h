// Two commits of a local repository compared file by file, for `pipe bump --check`: which files
// a change touches and their content on both sides, read from the object database (the work
// tree is not looked at, so what is checked is exactly what was committed).
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::git {

// How a file differs between the two commits.
enum class FileStatus { added, deleted, modified, type_changed };

// One file the change touches.
struct ChangedFile {
    std::string path;
    FileStatus status = FileStatus::modified;
};

// A local repository opened for reading commits. Movable, not copyable.
class LocalRevisions {
public:
    ~LocalRevisions();
    LocalRevisions(LocalRevisions&&) noexcept;
    LocalRevisions& operator=(LocalRevisions&&) noexcept;
    LocalRevisions(const LocalRevisions&) = delete;
    LocalRevisions& operator=(const LocalRevisions&) = delete;

    // Opens the repository that contains directory; none is a usage error.
    static Result<LocalRevisions> open(const std::filesystem::path& directory);

    // The commit a revision names (`HEAD^`, `origin/main`, a sha), or nullopt when it names none.
    std::optional<std::string> resolve(const std::string& revision) const;

    // The best common ancestor of two commits, or nullopt when they share none.
    std::optional<std::string> merge_base(const std::string& a, const std::string& b) const;

    // The files that differ between two commits' trees, in path order (renames appear as a
    // deletion and an addition).
    Result<std::vector<ChangedFile>> changed_files(const std::string& base, const std::string& head) const;

    // The content of path in commit, or nullopt when it has no such file.
    Result<std::optional<std::string>> read_file(const std::string& commit, const std::string& path) const;

private:
    struct State;
    explicit LocalRevisions(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace pipeline::git
