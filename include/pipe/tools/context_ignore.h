// The build context's ignore file (.containerignore or .dockerignore), read as buildah and
// docker read it (moby's patternmatcher): one pattern per line, '#' comments, '!' re-includes,
// '*', '?', '[...]' and '**' globs, and a pattern that matches a directory excludes all below
// it. pipe needs the same answer as buildah to hash exactly the files a build can see.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::tools {

// One cleaned pattern.
struct IgnorePattern {
    std::string glob;        // slash-separated, no leading '/', no "./"
    bool exclusion = false;  // written with a leading '!': re-includes what it matches
};

// Parses an ignore file's text into patterns, in order; blank lines and comments are dropped.
std::vector<IgnorePattern> parse_ignore_file(std::string_view text);

// True when path (relative to the context, '/'-separated) or one of its parent directories
// matches glob.
bool glob_matches(std::string_view glob, std::string_view path);

// True when the last pattern matching path (or a parent of it) is not an exclusion.
bool is_ignored(const std::vector<IgnorePattern>& patterns, std::string_view path);

// The ignore file that applies to a build, as buildah looks for it: <containerfile>.containerignore,
// <containerfile>.dockerignore, then .containerignore and .dockerignore in the context; nullopt if none.
std::optional<std::filesystem::path> find_ignore_file(const std::filesystem::path& context,
                                                      const std::filesystem::path& containerfile);

}  // namespace pipeline::tools
