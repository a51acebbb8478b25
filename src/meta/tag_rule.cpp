#include <pipe/meta/tag_rule.h>

#include <pipe/core/suggest.h>
#include <pipe/meta/csv_record.h>
#include <pipe/meta/js_number.h>

#include "js_string.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace pipeline::meta {
namespace {

struct TypeInfo {
    TagType type;
    std::string_view name;
    std::string_view priority;
    std::vector<std::string_view> attributes;  // besides enable, priority, prefix and suffix
};

const std::array<TypeInfo, 8>& type_table() {
    static const std::array<TypeInfo, 8> k_types{{
        {TagType::schedule, "schedule", "1000", {"pattern"}},
        {TagType::semver, "semver", "900", {"pattern", "value", "match"}},
        {TagType::pep440, "pep440", "900", {"pattern", "value", "match"}},
        {TagType::match, "match", "800", {"pattern", "group", "value"}},
        {TagType::edge, "edge", "700", {"branch"}},
        {TagType::ref, "ref", "600", {"event"}},
        {TagType::raw, "raw", "200", {"value"}},
        {TagType::sha, "sha", "100", {"format"}},
    }};
    return k_types;
}

const TypeInfo& info_of(TagType type) {
    return type_table()[static_cast<std::size_t>(type)];
}

Error rule_error(std::string_view line, std::string message, std::string hint = {}) {
    return config_error({}, fmt::format("{} in \"{}\"", message, line), std::move(hint));
}

std::string type_hint(std::string_view given) {
    std::vector<std::string> names;
    for (const TypeInfo& info : type_table()) {
        names.emplace_back(info.name);
    }
    std::string hint;
    if (std::optional<std::string> guess = closest_match(given, names)) {
        hint = fmt::format("did you mean \"{}\"? ", *guess);
    }
    return hint + fmt::format("types: {}", fmt::join(names, ", "));
}

// Fills in the defaults of rule.type and rejects what the action rejects.
Result<void> apply_type_defaults(TagRule& rule, std::string_view line) {
    auto& attrs = rule.attributes;
    switch (rule.type) {
        case TagType::schedule:
            attrs.try_emplace("pattern", "nightly");
            break;
        case TagType::semver:
        case TagType::pep440:
            if (!rule.has("pattern")) {
                return rule_error(line, "missing pattern attribute", "e.g. type=semver,pattern={{version}}");
            }
            attrs.try_emplace("value", "");
            attrs.try_emplace("match", "");
            break;
        case TagType::match:
            if (!rule.has("pattern")) {
                return rule_error(line, "missing pattern attribute", "e.g. type=match,pattern=v(.*),group=1");
            }
            attrs.try_emplace("group", "0");
            if (!js_to_number(attrs["group"])) {
                return rule_error(line, fmt::format("match group \"{}\" is not a number", attrs["group"]));
            }
            attrs.try_emplace("value", "");
            break;
        case TagType::edge:
            attrs.try_emplace("branch", "");
            break;
        case TagType::ref: {
            if (!rule.has("event")) {
                return rule_error(line, "missing event attribute", "use event=branch, event=tag or event=pr");
            }
            const std::string& event = attrs["event"];
            if (event != "branch" && event != "tag" && event != "pr") {
                return rule_error(line, fmt::format("invalid event \"{}\"", event),
                                  "use event=branch, event=tag or event=pr");
            }
            if (event == "pr") {
                attrs.try_emplace("prefix", "pr-");
            }
            break;
        }
        case TagType::raw:
            if (!rule.has("value")) {
                return rule_error(line, "missing value attribute", "e.g. type=raw,value=stable");
            }
            break;
        case TagType::sha: {
            attrs.try_emplace("prefix", "sha-");
            const std::string& format = attrs.try_emplace("format", "short").first->second;
            if (format != "short" && format != "long") {
                return rule_error(line, fmt::format("invalid format \"{}\"", format),
                                  "use format=short or format=long");
            }
            break;
        }
    }
    attrs.try_emplace("enable", "true");
    attrs.try_emplace("priority", std::string(info_of(rule.type).priority));
    return {};
}

void note_ignored_attributes(TagRule& rule) {
    static const std::vector<std::string_view> k_global{"enable", "priority", "prefix", "suffix"};
    const std::vector<std::string_view>& own = info_of(rule.type).attributes;
    for (const auto& [key, value] : rule.attributes) {
        if (std::find(k_global.begin(), k_global.end(), key) == k_global.end() &&
            std::find(own.begin(), own.end(), key) == own.end()) {
            rule.ignored_attributes.push_back(key);
        }
    }
}

}  // namespace

std::string_view tag_type_name(TagType type) {
    return info_of(type).name;
}

bool TagRule::has(std::string_view key) const {
    return attributes.find(key) != attributes.end();
}

const std::string& TagRule::attribute(std::string_view key) const {
    static const std::string k_empty;
    auto found = attributes.find(key);
    return found == attributes.end() ? k_empty : found->second;
}

Result<TagRule> parse_tag_rule(std::string_view line) {
    Result<std::vector<CsvRecord>> records = parse_csv(line, CsvOptions{});
    if (!records) {
        return rule_error(line, records.error().message,
                          "quotes are consumed once when the list is read, as metadata-action does; "
                          "protect a ',' with tripled quotes: \"\"\"pattern=\\d{1,3}\"\"\"");
    }
    if (records->empty()) {
        return rule_error(line, "empty tag rule", "remove the line or write e.g. type=ref,event=branch");
    }
    TagRule rule;
    for (const std::string& field : records->front()) {
        const std::size_t eq = field.find('=');
        if (eq == std::string::npos || eq == 0) {
            rule.attributes["value"] = js_trim(field);
            continue;
        }
        const std::string key = js_lower(js_trim(std::string_view(field).substr(0, eq)));
        std::string value = js_trim(std::string_view(field).substr(eq + 1));
        if (key != "type") {
            rule.attributes[key] = std::move(value);
            continue;
        }
        auto known = std::find_if(type_table().begin(), type_table().end(),
                                  [&](const TypeInfo& info) { return info.name == value; });
        if (known == type_table().end()) {
            return rule_error(line, fmt::format("unknown tag type \"{}\"", value), type_hint(value));
        }
        rule.type = known->type;
    }
    if (Result<void> applied = apply_type_defaults(rule, line); !applied) {
        return applied.error();
    }
    std::optional<double> priority = js_to_number(rule.attributes["priority"]);
    if (!priority) {
        return rule_error(line, fmt::format("priority \"{}\" is not a number", rule.attributes["priority"]),
                          "use an integer; higher priorities come first");
    }
    rule.priority = *priority;
    note_ignored_attributes(rule);
    return rule;
}

}  // namespace pipeline::meta
