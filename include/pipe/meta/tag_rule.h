// One line of the `tags` input, read the way metadata-action reads it: a CSV record whose fields
// are key=value attributes (split at the first '='), a bare field being the value, and each type
// getting the action's defaults so the engine never has to guess.
#pragma once

#include <pipe/core/result.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// The eight tag types metadata-action knows.
enum class TagType { schedule, semver, pep440, match, edge, ref, raw, sha };

// The name used in `type=<name>`.
std::string_view tag_type_name(TagType type);

// A parsed tag rule with defaults applied (pattern=nightly for schedule, prefix=sha- and
// format=short for sha, prefix=pr- for ref,event=pr, group=0 for match, enable=true and the
// type's priority).
struct TagRule {
    TagType type = TagType::raw;
    std::map<std::string, std::string, std::less<>> attributes;  // lower-cased keys, trimmed values
    double priority = 0;                                         // Number(priority), for sorting
    std::vector<std::string> ignored_attributes;                 // keys this type never reads

    // Whether the rule sets key, even to an empty value (an empty prefix still overrides flavor).
    bool has(std::string_view key) const;

    // The attribute's value, or "" when unset.
    const std::string& attribute(std::string_view key) const;
};

// Parses one rule line. Errors (config kind, where left empty for the caller) follow the
// action: unknown type, missing pattern/event/value, bad group, event or format, broken quotes;
// pipe adds one of its own: a priority that is not a number.
Result<TagRule> parse_tag_rule(std::string_view line);

}  // namespace pipeline::meta
