// Builds real git repositories for tests with the git command line (tests may run git; pipe
// itself reads repositories only through libgit2). Dates and identities are fixed.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace pipeline::testing {

// Runs `git -C dir args...`, failing the test when git fails; returns its trimmed stdout.
std::string git(const std::filesystem::path& dir, const std::vector<std::string>& args);

// Creates a repository on branch main with one commit of README.md at a fixed date.
void init_repository(const std::filesystem::path& dir);

// Writes file and commits it with message; returns the new commit's sha.
std::string commit_file(const std::filesystem::path& dir, const std::string& file, const std::string& text,
                        const std::string& message);

// Creates a repository at dir (as init_repository), writes files (relative path -> content) and
// commits them together with message; returns dir.
std::filesystem::path service_repository(const std::filesystem::path& dir,
                                         const std::vector<std::pair<std::string, std::string>>& files,
                                         const std::string& message = "service");

}  // namespace pipeline::testing
