#include "js_regex.h"

#include <fmt/format.h>

#include <regex>

namespace pipeline::meta {
namespace {

struct Flags {
    bool global = false;
    bool ignore_case = false;
    bool multiline = false;
    bool dot_all = false;
    bool sticky = false;
};

Result<Flags> read_flags(std::string_view text) {
    Flags flags;
    std::string seen;
    for (char c : text) {
        if (std::string_view("dgimsuvy").find(c) == std::string_view::npos || seen.find(c) != std::string::npos) {
            return runtime_error(fmt::format("invalid regular expression flags \"{}\"", text));
        }
        seen += c;
        flags.global = flags.global || c == 'g';
        flags.ignore_case = flags.ignore_case || c == 'i';
        flags.multiline = flags.multiline || c == 'm';
        flags.dot_all = flags.dot_all || c == 's';
        flags.sticky = flags.sticky || c == 'y';
    }
    if (seen.find('u') != std::string::npos && seen.find('v') != std::string::npos) {
        return runtime_error(fmt::format("invalid regular expression flags \"{}\"", text));
    }
    return flags;
}

// With the s flag '.' also matches line terminators; std::regex has no such option.
std::string dot_matches_all(std::string_view source) {
    std::string rewritten;
    bool in_class = false;
    for (std::size_t i = 0; i < source.size(); ++i) {
        const char c = source[i];
        if (c == '\\' && i + 1 < source.size()) {
            rewritten += source.substr(i, 2);
            ++i;
        } else if (in_class) {
            in_class = c != ']';
            rewritten += c;
        } else if (c == '[') {
            in_class = true;
            rewritten += c;
        } else if (c == '.') {
            rewritten += "[\\s\\S]";
        } else {
            rewritten += c;
        }
    }
    return rewritten;
}

}  // namespace

JsPattern split_pattern_literal(std::string_view pattern) {
    const std::size_t last = pattern.rfind('/');
    if (pattern.size() >= 3 && pattern.front() == '/' && last != std::string_view::npos && last >= 2) {
        return JsPattern{std::string(pattern.substr(1, last - 1)), std::string(pattern.substr(last + 1))};
    }
    return JsPattern{std::string(pattern), {}};
}

Result<JsMatchResult> js_match(std::string_view text, const JsPattern& pattern) {
    Result<Flags> flags = read_flags(pattern.flags);
    if (!flags) {
        return flags.error();
    }
    std::regex::flag_type syntax = std::regex::ECMAScript;
    if (flags->ignore_case) {
        syntax |= std::regex::icase;
    }
    if (flags->multiline) {
        syntax |= std::regex::multiline;
    }
    std::regex expression;
    try {
        expression = std::regex(flags->dot_all ? dot_matches_all(pattern.source) : pattern.source, syntax);
    } catch (const std::regex_error& error) {
        return runtime_error(
            fmt::format("invalid regular expression /{}/{}: {}", pattern.source, pattern.flags, error.what()));
    }
    const std::regex_constants::match_flag_type sticky =
        flags->sticky ? std::regex_constants::match_continuous : std::regex_constants::match_default;
    using ViewMatch = std::match_results<std::string_view::const_iterator>;
    ViewMatch match;
    std::vector<std::optional<std::string>> found;
    if (!flags->global) {
        if (!std::regex_search(text.begin(), text.end(), match, expression, sticky)) {
            return JsMatchResult{};
        }
        for (const ViewMatch::value_type& group : match) {
            found.push_back(group.matched ? std::optional<std::string>(group.str()) : std::nullopt);
        }
        return JsMatchResult{std::move(found)};
    }
    for (std::size_t pos = 0; pos <= text.size();) {
        std::regex_constants::match_flag_type options = sticky;
        if (pos > 0) {
            options |= std::regex_constants::match_prev_avail;
        }
        if (!std::regex_search(text.begin() + static_cast<std::ptrdiff_t>(pos), text.end(), match, expression,
                               options)) {
            break;
        }
        found.emplace_back(match[0].str());
        const std::size_t end = pos + static_cast<std::size_t>(match.position(0) + match.length(0));
        pos = match.length(0) == 0 ? end + 1 : end;
    }
    if (found.empty()) {
        return JsMatchResult{};
    }
    return JsMatchResult{std::move(found)};
}

}  // namespace pipeline::meta
