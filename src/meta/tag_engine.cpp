#include <pipe/meta/tag_engine.h>

#include <pipe/meta/flavor.h>
#include <pipe/meta/image_list.h>
#include <pipe/meta/input_list.h>
#include <pipe/meta/labels.h>
#include <pipe/meta/pep440.h>
#include <pipe/meta/semver.h>
#include <pipe/meta/tag_rule.h>
#include <pipe/meta/template.h>

#include "js_regex.h"
#include "source_facts.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace pipeline::meta {
namespace {

// The action's rules when the `tags` input is empty.
const std::vector<std::string> k_default_rules{"type=schedule", "type=ref,event=branch", "type=ref,event=tag",
                                               "type=ref,event=pr"};

// Docker's limit on a tag's length.
constexpr std::size_t k_max_tag_length = 128;

// A parsed rule and the input it came from, for error messages.
struct SourcedRule {
    TagRule rule;
    std::string where;  // "tags[2]", or "tags" for the action's defaults
    std::string line;
};

// A produced tag and where it came from.
struct Produced {
    std::string tag;
    std::string where;
    std::string line;
};

// Replaces every run of characters a tag cannot hold with one '-'.
std::string sanitize_tag(std::string_view text) {
    std::string tag;
    bool in_run = false;
    for (char c : text) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                             c == '_' || c == '-';
        if (allowed) {
            tag += c;
        } else if (!in_run) {
            tag += '-';
        }
        in_run = !allowed;
    }
    return tag;
}

// Attaches an error from a template, pattern or version to the input line that caused it.
Error located(Error error, std::string_view where, std::string_view line) {
    if (error.where.rfind("DOCKER_METADATA_", 0) == 0) {
        return error;
    }
    error.kind = ErrorKind::config;
    error.where = std::string(where);
    error.message = fmt::format("{} in \"{}\"", error.message, line);
    return error;
}

// A regular expression that does not compile; often a ',' split it because the list reader
// consumed the quotes meant to protect it.
Error pattern_error(Error error, const SourcedRule& source) {
    error = located(std::move(error), source.where, source.line);
    error.hint =
        "fix the pattern; as in metadata-action one level of quotes is removed when the list is read, "
        "so a ',' inside a pattern needs tripled quotes: \"\"\"pattern=\\d{1,3}\"\"\"";
    return error;
}

// Whether group is an array index JavaScript would accept ("0" or digits without a leading zero).
std::optional<std::size_t> array_index(const std::string& group) {
    if (group.empty() || group.size() > 9 ||
        !std::all_of(group.begin(), group.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (group.size() > 1 && group.front() == '0')) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(std::stoul(group));
}

TemplateScope semver_scope(const SemVer& version) {
    TemplateScope scope;
    scope.properties = {
        {"raw", version.raw},
        {"version", version.version()},
        {"major", version.major},
        {"minor", version.minor},
        {"patch", version.patch},
        {"prerelease", fmt::format("{}", fmt::join(version.prerelease, ","))},
        {"build", fmt::format("{}", fmt::join(version.build, ","))},
        {"loose", "true"},
        {"includePrerelease", "false"},
        {"options", "[object Object]"},
    };
    return scope;
}

TemplateScope pep440_scope(const std::string& raw, const Pep440Version& version) {
    TemplateScope scope;
    scope.functions.emplace("raw", raw);
    scope.functions.emplace("version", version.normalized());
    scope.functions.emplace("major", version.major());
    scope.functions.emplace("minor", version.minor());
    scope.functions.emplace("patch", version.patch());
    return scope;
}

// Walks the sorted rules the way the action's getVersion does.
class TagEvaluator {
public:
    TagEvaluator(const SourceContext& context, const Flavor& flavor, const Environment& env)
        : m_context(context),
          m_flavor(flavor),
          m_sha(short_sha(context.sha, env)),
          m_global(global_scope(context, m_sha)) {}

    Result<void> evaluate(const SourcedRule& source) {
        Result<std::string> enabled = render(source.rule.attribute("enable"), m_global, source);
        if (!enabled) {
            return enabled.error();
        }
        if (*enabled != "true" && *enabled != "false") {
            return config_error(
                source.where,
                fmt::format("enable must render to true or false, not \"{}\", in \"{}\"", *enabled, source.line),
                "e.g. enable={{is_default_branch}}");
        }
        if (*enabled == "false") {
            return {};
        }
        switch (source.rule.type) {
            case TagType::schedule:
                return schedule(source);
            case TagType::semver:
                return semver(source);
            case TagType::pep440:
                return pep440(source);
            case TagType::match:
                return match(source);
            case TagType::edge:
                return edge(source);
            case TagType::ref:
                return ref(source);
            case TagType::raw:
                return raw(source);
            case TagType::sha:
                return sha(source);
        }
        return {};
    }

    // Drops later copies of partial tags; called once after the last rule.
    void finish() {
        std::vector<Produced> unique;
        for (Produced& produced : m_partial) {
            const bool seen =
                std::any_of(unique.begin(), unique.end(), [&](const Produced& p) { return p.tag == produced.tag; });
            if (!seen) {
                unique.push_back(std::move(produced));
            }
        }
        m_partial = std::move(unique);
    }

    const std::optional<Produced>& main() const { return m_main; }
    const std::vector<Produced>& partial() const { return m_partial; }
    bool latest() const { return m_main.has_value() && m_latest.value_or(false); }
    const std::vector<std::string>& warnings() const { return m_warnings; }
    const TemplateScope& global() const { return m_global; }

private:
    Result<std::string> render(std::string_view text, const TemplateScope& scope, const SourcedRule& source) const {
        Result<std::string> rendered = render_template(text, scope);
        if (!rendered) {
            return located(rendered.error(), source.where, source.line);
        }
        return rendered;
    }

    bool on_latest(bool automatic) const {
        switch (m_flavor.latest) {
            case LatestMode::always:
                return true;
            case LatestMode::never:
                return false;
            case LatestMode::automatic:
                break;
        }
        return automatic;
    }

    // setValue: the rule's own prefix/suffix (even empty) win over the flavor's.
    Result<std::string> decorate(const std::string& value, const SourcedRule& source) const {
        std::string decorated = value;
        if (source.rule.has("prefix")) {
            Result<std::string> prefix = render(source.rule.attribute("prefix"), m_global, source);
            if (!prefix) {
                return prefix.error();
            }
            decorated = *prefix + decorated;
        } else if (!m_flavor.prefix.empty()) {
            Result<std::string> prefix = render_template(m_flavor.prefix, m_global);
            if (!prefix) {
                return located(prefix.error(), "flavor", m_flavor.prefix);
            }
            decorated = *prefix + decorated;
        }
        if (source.rule.has("suffix")) {
            Result<std::string> suffix = render(source.rule.attribute("suffix"), m_global, source);
            if (!suffix) {
                return suffix.error();
            }
            decorated += *suffix;
        } else if (!m_flavor.suffix.empty()) {
            Result<std::string> suffix = render_template(m_flavor.suffix, m_global);
            if (!suffix) {
                return located(suffix.error(), "flavor", m_flavor.suffix);
            }
            decorated += *suffix;
        }
        return decorated;
    }

    // setValue then setVersion: only the first value decides `latest`.
    Result<void> produce(const std::string& value, bool automatic_latest, const SourcedRule& source) {
        Result<std::string> decorated = decorate(value, source);
        if (!decorated) {
            return decorated.error();
        }
        if (decorated->empty()) {
            return {};
        }
        Produced produced{sanitize_tag(*decorated), source.where, source.line};
        if (!m_main) {
            m_main = std::move(produced);
        } else if (produced.tag != m_main->tag) {
            m_partial.push_back(std::move(produced));
        }
        if (!m_latest) {
            m_latest = on_latest(automatic_latest);
        }
        return {};
    }

    std::optional<std::string> tag_name() const { return ref_suffix(m_context.ref, "refs/tags/"); }

    // The text a semver/pep440/match rule works on: its value, else the tag name; nullopt when
    // neither applies.
    Result<std::optional<std::string>> version_source(const SourcedRule& source) const {
        const std::string& value = source.rule.attribute("value");
        if (!value.empty()) {
            Result<std::string> rendered = render(value, m_global, source);
            if (!rendered) {
                return rendered.error();
            }
            return std::optional<std::string>(std::move(*rendered));
        }
        return tag_name();
    }

    // Applies the `match` attribute of semver/pep440, then turns '/' into '-'.
    Result<std::string> matched_version(std::string text, const SourcedRule& source) {
        const std::string& pattern = source.rule.attribute("match");
        if (!pattern.empty()) {
            Result<JsMatchResult> found = js_match(text, JsPattern{pattern, {}});
            if (!found) {
                return pattern_error(found.error(), source);
            }
            if (!*found) {
                m_warnings.push_back(fmt::format("match pattern {} does not match {}", pattern, text));
            } else if ((*found)->size() < 2 || !(**found)[1]) {
                return config_error(
                    source.where,
                    fmt::format("match pattern {} has no capture group 1 for {} in \"{}\"", pattern, text, source.line),
                    "wrap the version part in parentheses, e.g. match=v(\\d.\\d.\\d)$");
            } else {
                text = *(**found)[1];
            }
        }
        std::replace(text.begin(), text.end(), '/', '-');
        return text;
    }

    Result<void> schedule(const SourcedRule& source) {
        if (m_context.event_name.find("schedule") == std::string::npos) {
            return {};
        }
        Result<std::string> value = render(source.rule.attribute("pattern"), schedule_scope(m_context), source);
        if (!value) {
            return value.error();
        }
        return produce(*value, false, source);
    }

    Result<void> semver(const SourcedRule& source) {
        Result<std::optional<std::string>> text = version_source(source);
        if (!text) {
            return text.error();
        }
        if (!*text) {
            return {};
        }
        Result<std::string> raw = matched_version(std::move(**text), source);
        if (!raw) {
            return raw.error();
        }
        std::optional<SemVer> version = parse_semver(*raw);
        if (!version) {
            m_warnings.push_back(fmt::format("{} is not a valid semver (https://semver.org/)", *raw));
            return {};
        }
        const std::string& pattern = source.rule.attribute("pattern");
        const TemplateScope scope = semver_scope(*version);
        if (!version->prerelease.empty()) {
            Result<Template> parsed = Template::parse(pattern);
            if (parsed && parsed->is_single_expression("raw")) {
                Result<std::string> value = parsed->render(scope);
                if (!value) {
                    return located(value.error(), source.where, source.line);
                }
                return produce(*value, false, source);
            }
            return produce(escape_expression(version->version()), false, source);
        }
        Result<std::string> value = render(pattern, scope, source);
        if (!value) {
            return value.error();
        }
        return produce(*value, true, source);
    }

    Result<void> pep440(const SourcedRule& source) {
        Result<std::optional<std::string>> text = version_source(source);
        if (!text) {
            return text.error();
        }
        if (!*text) {
            return {};
        }
        Result<std::string> raw = matched_version(std::move(**text), source);
        if (!raw) {
            return raw.error();
        }
        std::optional<Pep440Version> version = parse_pep440(*raw);
        if (!version) {
            m_warnings.push_back(
                fmt::format("{} does not conform to PEP 440 (https://peps.python.org/pep-0440/)", *raw));
            return {};
        }
        const std::string& pattern = source.rule.attribute("pattern");
        if (version->is_prerelease() || version->is_postrelease() || version->is_devrelease()) {
            Result<Template> parsed = Template::parse(pattern);
            const bool keep_raw = parsed && parsed->is_single_expression("raw");
            return produce(keep_raw ? *raw : version->normalized(), false, source);
        }
        Result<std::string> value = render(pattern, pep440_scope(*raw, *version), source);
        if (!value) {
            return value.error();
        }
        return produce(*value, true, source);
    }

    Result<void> match(const SourcedRule& source) {
        Result<std::optional<std::string>> text = version_source(source);
        if (!text) {
            return text.error();
        }
        if (!*text) {
            return {};
        }
        const std::string& pattern = source.rule.attribute("pattern");
        Result<JsMatchResult> found = js_match(**text, split_pattern_literal(pattern));
        if (!found) {
            return pattern_error(found.error(), source);
        }
        if (!*found) {
            m_warnings.push_back(fmt::format("pattern {} does not match {}", pattern, **text));
            return {};
        }
        const std::string& group = source.rule.attribute("group");
        const std::optional<std::size_t> index = array_index(group);
        if (!index || *index >= (*found)->size() || !(**found)[*index]) {
            m_warnings.push_back(fmt::format("group {} does not exist in pattern {}", group, pattern));
            return {};
        }
        return produce(*(**found)[*index], true, source);
    }

    Result<void> edge(const SourcedRule& source) {
        const std::optional<std::string> branch = ref_suffix(m_context.ref, "refs/heads/");
        if (!branch) {
            return {};
        }
        std::string wanted = source.rule.attribute("branch");
        if (wanted.empty()) {
            wanted = default_branch(m_context);
        }
        if (wanted != *branch) {
            return {};
        }
        return produce("edge", false, source);
    }

    Result<void> ref(const SourcedRule& source) {
        const std::string& event = source.rule.attribute("event");
        if (event == "branch") {
            if (std::optional<std::string> branch = ref_suffix(m_context.ref, "refs/heads/")) {
                return produce(*branch, false, source);
            }
        } else if (event == "tag") {
            if (std::optional<std::string> tag = tag_name()) {
                return produce(*tag, true, source);
            }
        } else if (std::optional<std::string> pull = ref_suffix(m_context.ref, "refs/pull/")) {
            constexpr std::string_view k_merge = "/merge";
            if (pull->size() >= k_merge.size() &&
                pull->compare(pull->size() - k_merge.size(), k_merge.size(), k_merge) == 0) {
                pull->resize(pull->size() - k_merge.size());
            }
            return produce(*pull, false, source);
        }
        return {};
    }

    Result<void> raw(const SourcedRule& source) {
        Result<std::string> value = render(source.rule.attribute("value"), m_global, source);
        if (!value) {
            return value.error();
        }
        return produce(*value, false, source);
    }

    Result<void> sha(const SourcedRule& source) {
        if (m_context.sha.empty()) {
            return {};
        }
        if (source.rule.attribute("format") == "long") {
            return produce(m_context.sha, false, source);
        }
        if (!m_sha) {
            return m_sha.error();
        }
        return produce(*m_sha, false, source);
    }

    const SourceContext& m_context;
    const Flavor& m_flavor;
    Result<std::string> m_sha;
    TemplateScope m_global;
    std::optional<Produced> m_main;
    std::vector<Produced> m_partial;
    std::optional<bool> m_latest;
    std::vector<std::string> m_warnings;
};

Result<std::vector<SourcedRule>> parse_rules(const std::vector<std::string>& lines,
                                             std::vector<std::string>& warnings) {
    Result<std::vector<InputEntry>> entries = read_input_list(lines, "tags");
    if (!entries) {
        return entries.error();
    }
    const bool defaults = entries->empty();
    if (defaults) {
        for (const std::string& line : k_default_rules) {
            entries->push_back(InputEntry{0, line});
        }
    }
    std::vector<SourcedRule> rules;
    for (const InputEntry& entry : *entries) {
        const std::string where = defaults ? std::string("tags") : fmt::format("tags[{}]", entry.line);
        Result<TagRule> rule = parse_tag_rule(entry.text);
        if (!rule) {
            Error error = rule.error();
            error.where = where;
            return error;
        }
        for (const std::string& key : rule->ignored_attributes) {
            warnings.push_back(fmt::format("attribute \"{}\" is ignored by type={} in \"{}\"", key,
                                           tag_type_name(rule->type), entry.text));
        }
        rules.push_back(SourcedRule{std::move(*rule), where, entry.text});
    }
    std::stable_sort(rules.begin(), rules.end(),
                     [](const SourcedRule& a, const SourcedRule& b) { return a.rule.priority > b.rule.priority; });
    return rules;
}

// pipe's own check: Docker rejects tags longer than 128 characters or starting with '.' or '-'.
Result<void> check_tag(const std::string& tag, std::string_view where, std::string_view line) {
    if (tag.size() > k_max_tag_length) {
        return config_error(std::string(where),
                            fmt::format("tag \"{}\" from \"{}\" is {} characters long, more than Docker's {}", tag,
                                        line, tag.size(), k_max_tag_length),
                            "shorten the value, e.g. with type=sha or a shorter prefix");
    }
    if (tag.front() == '.' || tag.front() == '-') {
        return config_error(std::string(where),
                            fmt::format("tag \"{}\" from \"{}\" starts with '{}'", tag, line, tag.front()),
                            "Docker tags must start with a letter, digit or '_'; adjust the prefix or value");
    }
    return {};
}

Result<std::map<std::string, std::string>> compute_labels(const std::vector<std::string>& lines,
                                                          const SourceContext& context, const std::string& version,
                                                          const TemplateScope& scope) {
    Result<std::vector<InputEntry>> entries = read_input_list(lines, "labels");
    if (!entries) {
        return entries.error();
    }
    std::vector<std::string> merged = default_label_lines(context, version);
    for (const InputEntry& entry : *entries) {
        Result<std::string> rendered = render_template(entry.text, scope);
        if (!rendered) {
            return located(rendered.error(), fmt::format("labels[{}]", entry.line), entry.text);
        }
        merged.push_back(std::move(*rendered));
    }
    return merge_labels(merged);
}

}  // namespace

Result<TagResult> compute_tags(const TagInputs& inputs, const SourceContext& context, const Environment& env) {
    TagResult result;
    Result<std::vector<InputEntry>> image_entries = read_input_list(inputs.images, "image");
    if (!image_entries) {
        return image_entries.error();
    }
    Result<std::vector<ImageEntry>> images = parse_image_list(*image_entries);
    if (!images) {
        return images.error();
    }
    Result<std::vector<SourcedRule>> rules = parse_rules(inputs.tags, result.warnings);
    if (!rules) {
        return rules.error();
    }
    Result<std::vector<InputEntry>> flavor_entries = read_input_list(inputs.flavor, "flavor");
    if (!flavor_entries) {
        return flavor_entries.error();
    }
    Result<Flavor> flavor = parse_flavor(*flavor_entries);
    if (!flavor) {
        return flavor.error();
    }

    result.latest_forced = flavor->latest == LatestMode::always;
    TagEvaluator evaluator(context, *flavor, env);
    for (const SourcedRule& rule : *rules) {
        if (Result<void> evaluated = evaluator.evaluate(rule); !evaluated) {
            return evaluated.error();
        }
    }
    evaluator.finish();
    result.warnings.insert(result.warnings.end(), evaluator.warnings().begin(), evaluator.warnings().end());

    if (const std::optional<Produced>& main = evaluator.main()) {
        result.version = main->tag;
        std::vector<Produced> produced{*main};
        produced.insert(produced.end(), evaluator.partial().begin(), evaluator.partial().end());
        if (evaluator.latest()) {
            const std::string latest = fmt::format("{}latest{}", flavor->prefix_on_latest ? flavor->prefix : "",
                                                   flavor->suffix_on_latest ? flavor->suffix : "");
            produced.push_back(Produced{sanitize_tag(latest), "flavor", latest});
            result.latest = true;
        }
        for (const Produced& tag : produced) {
            if (Result<void> checked = check_tag(tag.tag, tag.where, tag.line); !checked) {
                return checked.error();
            }
            result.tag_names.push_back(tag.tag);
        }
    } else {
        result.warnings.emplace_back("no tag was generated; check the tags rules against this event and ref");
    }

    const std::vector<std::string> names = enabled_image_names(*images);
    if (names.empty()) {
        result.references = result.tag_names;
    }
    for (const std::string& name : names) {
        for (const std::string& tag : result.tag_names) {
            result.references.push_back(name.empty() ? tag : fmt::format("{}:{}", name, tag));
        }
    }

    Result<std::map<std::string, std::string>> labels =
        compute_labels(inputs.labels, context, result.version, evaluator.global());
    if (!labels) {
        return labels.error();
    }
    result.labels = std::move(*labels);
    return result;
}

}  // namespace pipeline::meta
