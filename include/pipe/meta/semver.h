// Semantic versions as node-semver reads them for metadata-action's type=semver: validity is
// node-semver's strict check (an optional leading 'v', MAJOR.MINOR.PATCH, no leading zeros),
// and the fields a `pattern` can print are those of the parsed SemVer object.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// A valid version. Loose parsing of a strictly valid text yields the same fields, so this one
// structure serves both of the action's calls (semver.valid, then semver.parse loose).
struct SemVer {
    std::string raw;    // the text as given, 'v' and build metadata included
    std::string major;  // decimal text, no leading zeros
    std::string minor;
    std::string patch;
    std::vector<std::string> prerelease;  // dot-separated identifiers after '-'
    std::vector<std::string> build;       // dot-separated identifiers after '+'

    // MAJOR.MINOR.PATCH[-PRERELEASE]: no 'v', no build metadata ({{version}}).
    std::string version() const;
};

// The version when text is strictly valid (surrounding whitespace allowed, at most 256
// characters, numbers within JavaScript's safe integers), else nullopt.
std::optional<SemVer> parse_semver(std::string_view text);

}  // namespace pipeline::meta
