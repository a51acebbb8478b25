// Paths into a YAML document as `pipe bump` takes them: `image.tag`,
// `spec.template.spec.containers[name=app].image`, `images[0].newTag`, `annotations."example.com/x"`.
#pragma once

#include <pipe/core/result.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::bump {

// One step of a path: a map key (empty for a step that only indexes, like the root of `[0].a` or
// the second bracket of `a[0][1]`), then at most one list index or one `[key=value]` selector.
struct PathStep {
    std::string key;
    std::optional<std::size_t> index;
    std::optional<std::pair<std::string, std::string>> selector;

    friend bool operator==(const PathStep&, const PathStep&) = default;
};

// Parses a dotted path; keys holding '.', '[', ']' or quotes are written in double quotes (with \" and
// \\ escapes) or single quotes. A malformed path is a usage error naming the 1-based column.
Result<std::vector<PathStep>> parse_path(std::string_view path);

// A map key as it appears in a path: bare when parse_path() reads it back as one key, else quoted.
std::string path_key(std::string_view key);

}  // namespace pipeline::bump
