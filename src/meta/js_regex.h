// JavaScript regular-expression matching for type=match patterns and the semver/pep440 `match`
// attribute. std::regex's ECMAScript grammar follows JavaScript's; flags, the g flag's list of
// matches and undefined groups are mapped here so results line up with String.prototype.match.
#pragma once

#include <pipe/core/result.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// A pattern's source and flags.
struct JsPattern {
    std::string source;
    std::string flags;
};

// Reads `/source/flags` (source up to the last '/') as the action does; any other text is a
// source without flags.
JsPattern split_pattern_literal(std::string_view pattern);

// text.match(new RegExp(source, flags)): nullopt when nothing matches; otherwise the whole match
// then each group (nullopt for a group that did not take part), or with the g flag every whole
// match. An invalid pattern or flag is an error carrying only a message.
using JsMatchResult = std::optional<std::vector<std::optional<std::string>>>;
Result<JsMatchResult> js_match(std::string_view text, const JsPattern& pattern);

}  // namespace pipeline::meta
