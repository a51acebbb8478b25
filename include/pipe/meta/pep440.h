// PEP 440 versions as the @renovate/pep440 package reads them for metadata-action's type=pep440:
// validity, the normalised text ({{version}}), major/minor/patch, and whether the version is a
// pre-, post- or dev-release (which limits the tags to the full version).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::meta {

// A valid version's segments as written (numbers still as digit runs).
struct Pep440Version {
    std::string epoch;                                       // "" when absent
    std::vector<std::string> release;                        // "1", "2", "3"
    std::optional<std::pair<std::string, std::string>> pre;  // normalised letter (a, b, rc) and number
    std::optional<std::string> post;                         // post-release number
    std::optional<std::string> dev;                          // dev-release number
    std::vector<std::string> local;                          // local segment parts after '+'

    // The package's clean(): epoch only when non-zero, numbers without leading zeros, pre
    // directly attached, ".postN", ".devN", "+local" (its parts joined with ',', as the package
    // prints an array).
    std::string normalized() const;

    // First, second and third release numbers; a missing one is "0".
    std::string major() const;
    std::string minor() const;
    std::string patch() const;

    // Whether the version is a pre-release (a, b or rc segment, or a dev segment).
    bool is_prerelease() const { return pre.has_value() || dev.has_value(); }
    // Whether the version has a post-release segment.
    bool is_postrelease() const { return post.has_value(); }
    // Whether the version has a dev-release segment.
    bool is_devrelease() const { return dev.has_value(); }
};

// The version when text is valid PEP 440 (case-insensitive, optional leading 'v', no
// surrounding whitespace), else nullopt. Ambiguous spellings resolve as the package's
// backtracking regular expression resolves them ("1.0a-1" is 1.0a1, "1.0-1" is 1.0.post1).
std::optional<Pep440Version> parse_pep440(std::string_view text);

}  // namespace pipeline::meta
