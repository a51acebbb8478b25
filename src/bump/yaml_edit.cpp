#include <pipe/bump/scalar_text.h>
#include <pipe/bump/yaml_edit.h>
#include <pipe/bump/yaml_path.h>

#include <pipe/core/suggest.h>
#include <pipe/core/yaml_guard.h>
#include <pipe/core/yaml_kind.h>
#include <pipe/oci/reference.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <utility>

namespace pipeline::bump {
namespace {

constexpr std::size_t k_max_depth = 256;
constexpr std::size_t k_max_nodes = 200000;

std::size_t mark_pos(const YAML::Node& node) {
    const int pos = node.Mark().pos;
    return pos < 0 ? 0 : static_cast<std::size_t>(pos);
}

std::pair<int, int> line_column(std::string_view text, std::size_t pos) {
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, static_cast<int>(pos - line_start) + 1};
}

std::string at(const std::string& origin, std::string_view text, std::size_t pos) {
    const auto [line, column] = line_column(text, pos);
    return fmt::format("{}:{}:{}", origin, line, column);
}

std::string at_node(const std::string& origin, std::string_view text, const YAML::Node& node) {
    return at(origin, text, mark_pos(node));
}

Result<std::vector<YAML::Node>> load(std::string_view text, const std::string& origin, std::string_view what) {
    try {
        return load_yaml_documents(std::string(text));
    } catch (const YAML::Exception& e) {
        const std::string where =
            e.mark.is_null() ? origin : fmt::format("{}:{}:{}", origin, e.mark.line + 1, e.mark.column + 1);
        return config_error(where, fmt::format("{}: {}", what, e.msg),
                            "check indentation and quoting near that position");
    }
}

std::string join_key(const std::string& path, std::string_view key) {
    return path.empty() ? path_key(key) : path + "." + path_key(key);
}

std::string join_index(const std::string& path, std::size_t index) {
    return fmt::format("{}[{}]", path, index);
}

std::string document_prefix(std::size_t documents, std::size_t index) {
    return documents > 1 ? fmt::format("documents[{}]", index) : std::string();
}

std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map) {
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
        out.emplace_back(it->first, it->second);
    }
    return out;
}

std::vector<YAML::Node> items(const YAML::Node& sequence) {
    std::vector<YAML::Node> out;
    for (auto it = sequence.begin(); it != sequence.end(); ++it) {
        out.push_back(*it);
    }
    return out;
}

std::string key_text(const YAML::Node& key, std::size_t index) {
    return key.IsScalar() ? key.Scalar() : fmt::format("<complex key {}>", index);
}

std::optional<YAML::Node> value_of(const YAML::Node& map, std::string_view key) {
    if (!map.IsMap()) {
        return std::nullopt;
    }
    for (const auto& [k, v] : entries(map)) {
        if (k.IsScalar() && k.Scalar() == key) {
            return v;
        }
    }
    return std::nullopt;
}

enum class DiffKind { scalar, added, removed, structure };

// One difference between two trees; old_pos is the position of the changed node (of the map for
// an added key) in the first text.
struct Difference {
    DiffKind kind = DiffKind::structure;
    std::string path;
    std::size_t old_pos = 0;
    std::string key;
    std::string new_value;
    std::string old_value;
};

// Compares two trees node by node; an alias is compared once (aliases share a node, so a pair of
// collection positions identifies it), and depth and size are bounded against alias bombs.
class TreeDiff {
public:
    void compare(const YAML::Node& a, const YAML::Node& b, const std::string& path, std::size_t depth) {
        if (m_exhausted) {
            return;
        }
        if (++m_visited > k_max_nodes || depth > k_max_depth) {
            m_exhausted = true;
            return;
        }
        if (a.Type() != b.Type()) {
            add(DiffKind::structure, path, mark_pos(a));
            return;
        }
        if (a.IsScalar()) {
            if (a.Scalar() != b.Scalar() || a.Tag() != b.Tag()) {
                add(DiffKind::scalar, path, mark_pos(a), {}, b.Scalar(), a.Scalar());
            }
            return;
        }
        if (!a.IsMap() && !a.IsSequence()) {
            return;
        }
        if (!m_seen.insert({mark_pos(a), mark_pos(b)}).second) {
            return;
        }
        if (a.IsSequence()) {
            const std::vector<YAML::Node> left = items(a);
            const std::vector<YAML::Node> right = items(b);
            if (left.size() != right.size()) {
                add(DiffKind::structure, path, mark_pos(a));
                return;
            }
            for (std::size_t i = 0; i < left.size(); ++i) {
                compare(left[i], right[i], join_index(path, i), depth + 1);
            }
            return;
        }
        compare_maps(a, b, path, depth);
    }

    const std::vector<Difference>& differences() const { return m_differences; }
    bool exhausted() const { return m_exhausted; }

private:
    void add(DiffKind kind, const std::string& path, std::size_t pos, std::string key = {}, std::string value = {},
             std::string old_value = {}) {
        m_differences.push_back(Difference{kind, path, pos, std::move(key), std::move(value), std::move(old_value)});
    }

    // A key's identity in its map: its text and which occurrence of that text it is (yaml-cpp keeps
    // duplicate keys).
    using KeyId = std::pair<std::string, std::size_t>;

    static std::vector<KeyId> key_ids(const std::vector<std::pair<YAML::Node, YAML::Node>>& map) {
        std::vector<KeyId> ids;
        for (std::size_t i = 0; i < map.size(); ++i) {
            std::string text = key_text(map[i].first, i);
            const auto occurrence = static_cast<std::size_t>(
                std::count_if(ids.begin(), ids.end(), [&](const KeyId& id) { return id.first == text; }));
            ids.emplace_back(std::move(text), occurrence);
        }
        return ids;
    }

    void compare_maps(const YAML::Node& a, const YAML::Node& b, const std::string& path, std::size_t depth) {
        const auto left = entries(a);
        const auto right = entries(b);
        const std::vector<KeyId> left_keys = key_ids(left);
        const std::vector<KeyId> right_keys = key_ids(right);
        std::vector<KeyId> common_left;
        std::vector<KeyId> common_right;
        for (std::size_t i = 0; i < left.size(); ++i) {
            if (std::find(right_keys.begin(), right_keys.end(), left_keys[i]) == right_keys.end()) {
                const YAML::Node& value = left[i].second;
                add(DiffKind::removed, join_key(path, left_keys[i].first), mark_pos(left[i].first), left_keys[i].first,
                    {}, value.IsScalar() ? value.Scalar() : std::string());
            } else {
                common_left.push_back(left_keys[i]);
            }
        }
        for (std::size_t i = 0; i < right.size(); ++i) {
            if (std::find(left_keys.begin(), left_keys.end(), right_keys[i]) == left_keys.end()) {
                const YAML::Node& value = right[i].second;
                add(DiffKind::added, join_key(path, right_keys[i].first), mark_pos(a), right_keys[i].first,
                    value.IsScalar() ? value.Scalar() : std::string());
            } else {
                common_right.push_back(right_keys[i]);
            }
        }
        if (common_left != common_right) {
            add(DiffKind::structure, path, mark_pos(a));
            return;
        }
        for (std::size_t i = 0; i < left.size(); ++i) {
            const auto match = std::find(right_keys.begin(), right_keys.end(), left_keys[i]);
            if (match != right_keys.end()) {
                const auto j = static_cast<std::size_t>(match - right_keys.begin());
                const std::string here = join_key(path, left_keys[i].first);
                compare(left[i].first, right[j].first, here, depth + 1);
                compare(left[i].second, right[j].second, here, depth + 1);
            }
        }
    }

    std::vector<Difference> m_differences;
    std::set<std::pair<std::size_t, std::size_t>> m_seen;
    std::size_t m_visited = 0;
    bool m_exhausted = false;
};

Result<std::vector<Difference>> differences(std::string_view before, std::string_view after,
                                            const std::string& origin) {
    Result<std::vector<YAML::Node>> left = load(before, origin, "invalid YAML");
    if (!left) {
        return left.error();
    }
    Result<std::vector<YAML::Node>> right = load(after, origin, "invalid YAML after the edit");
    if (!right) {
        return right.error();
    }
    TreeDiff diff;
    try {
        if (left->size() != right->size()) {
            return std::vector<Difference>{Difference{DiffKind::structure, "documents", 0, {}, {}, {}}};
        }
        for (std::size_t i = 0; i < left->size(); ++i) {
            diff.compare((*left)[i], (*right)[i], document_prefix(left->size(), i), 0);
        }
    } catch (const YAML::Exception& e) {
        return config_error(origin, std::string("cannot compare the YAML trees: ") + e.msg);
    }
    if (diff.exhausted()) {
        return config_error(origin, "the YAML is too deep or has too many aliased nodes to compare",
                            fmt::format("pipe compares at most {} nodes, {} levels deep", k_max_nodes, k_max_depth));
    }
    return diff.differences();
}

// What an edit may change: scalars at these positions to value, and optionally one added key.
struct Allowed {
    std::set<std::size_t> positions;
    std::string value;
    std::optional<std::size_t> added_in;
    std::string added_key;
};

// Parses both texts and fails unless they differ exactly as allowed.
Result<void> verify(std::string_view before, std::string_view after, const Allowed& allowed, const std::string& origin,
                    const std::string& where) {
    Result<std::vector<Difference>> found = differences(before, after, origin);
    if (!found) {
        return config_error(where, "pipe could not edit this file byte-exactly: " + found.error().message,
                            "edit the file by hand and report the file to pipe's maintainers");
    }
    std::vector<std::string> unexpected;
    bool intended = false;
    for (const Difference& difference : *found) {
        const bool scalar_ok = difference.kind == DiffKind::scalar && allowed.positions.count(difference.old_pos) > 0 &&
                               difference.new_value == allowed.value;
        const bool added_ok = difference.kind == DiffKind::added && allowed.added_in == difference.old_pos &&
                              difference.key == allowed.added_key && difference.new_value == allowed.value;
        if (scalar_ok || added_ok) {
            intended = true;
        } else {
            unexpected.push_back(difference.path.empty() ? std::string("<document>") : difference.path);
        }
    }
    if (!unexpected.empty() || !intended) {
        return config_error(
            where,
            unexpected.empty()
                ? std::string("pipe could not edit this file byte-exactly: the new value did not read back")
                : fmt::format("pipe could not edit this file byte-exactly: the edit would also change {}",
                              fmt::join(unexpected, ", ")),
            "edit the file by hand and report the file to pipe's maintainers");
    }
    return {};
}

// One scalar node to replace.
struct Target {
    YAML::Node node;
    std::string path;
    bool flow = false;
    bool via_alias = false;
};

// Follows a parsed path through one document, collecting matches and the deepest miss.
class PathFinder {
public:
    PathFinder(const std::vector<PathStep>& steps, std::string_view text, const std::string& origin)
        : m_steps(steps), m_text(text), m_origin(origin) {}

    void find(const YAML::Node& node, std::size_t k, const std::string& path, bool flow, bool alias) {
        if (m_fatal) {
            return;
        }
        if (k == m_steps.size()) {
            m_matches.push_back(Target{node, path, flow, alias});
            return;
        }
        const PathStep& step = m_steps[k];
        YAML::Node current = node;
        std::string here = path;
        if (!step.key.empty() || (!step.index && !step.selector)) {
            if (!current.IsMap()) {
                miss(k, at_node(m_origin, m_text, current),
                     fmt::format("'{}' is {}, not a map with key '{}'", shown(here), yaml_kind(current), step.key), {});
                return;
            }
            std::optional<std::pair<YAML::Node, YAML::Node>> found;
            std::vector<std::string> keys;
            for (const auto& entry : entries(current)) {
                if (entry.first.IsScalar()) {
                    keys.push_back(entry.first.Scalar());
                    if (!found && entry.first.Scalar() == step.key) {
                        found = entry;
                    }
                }
            }
            if (!found) {
                std::string hint;
                if (std::optional<std::string> guess = closest_match(step.key, keys)) {
                    hint = fmt::format("did you mean '{}'? ", join_key(here, *guess));
                }
                hint += keys.empty() ? std::string("the map is empty")
                                     : fmt::format("keys there: {}", fmt::join(keys, ", "));
                miss(
                    k, at_node(m_origin, m_text, current),
                    fmt::format("key '{}' not found in {}", step.key, here.empty() ? "the document" : "'" + here + "'"),
                    hint);
                return;
            }
            alias = alias || mark_pos(found->second) < mark_pos(found->first);
            flow = flow || current.Style() == YAML::EmitterStyle::Flow;
            current = found->second;
            here = join_key(here, step.key);
        }
        if (step.index || step.selector) {
            if (!current.IsSequence()) {
                miss(k, at_node(m_origin, m_text, current),
                     fmt::format("'{}' is {}, not a list", shown(here), yaml_kind(current)), {});
                return;
            }
            flow = flow || current.Style() == YAML::EmitterStyle::Flow;
            const std::vector<YAML::Node> list = items(current);
            std::optional<std::size_t> chosen;
            if (step.index) {
                if (*step.index >= list.size()) {
                    miss(k, at_node(m_origin, m_text, current),
                         fmt::format("'{}' has {} items, no index {}", shown(here), list.size(), *step.index),
                         list.empty() ? std::string()
                                      : fmt::format("indexes start at 0; the last is {}", list.size() - 1));
                    return;
                }
                chosen = step.index;
            } else {
                const auto& [key, wanted] = *step.selector;
                std::vector<std::size_t> hits;
                std::vector<std::string> present;
                for (std::size_t i = 0; i < list.size(); ++i) {
                    std::optional<YAML::Node> value = value_of(list[i], key);
                    if (value && value->IsScalar()) {
                        present.push_back(value->Scalar());
                        if (value->Scalar() == wanted) {
                            hits.push_back(i);
                        }
                    }
                }
                if (hits.empty()) {
                    std::string hint = present.empty()
                                           ? fmt::format("no item of the list has a '{}' key", key)
                                           : fmt::format("{} values there: {}", key, fmt::join(present, ", "));
                    miss(k, at_node(m_origin, m_text, current),
                         fmt::format("no item of '{}' has {}={}", shown(here), key, wanted), hint);
                    return;
                }
                if (hits.size() > 1) {
                    m_fatal =
                        config_error(at_node(m_origin, m_text, current),
                                     fmt::format("{} items of '{}' have {}={}", hits.size(), shown(here), key, wanted),
                                     "use an index instead, e.g. [" + std::to_string(hits.front()) + "]");
                    return;
                }
                chosen = hits.front();
            }
            const std::size_t before = *chosen == 0 ? mark_pos(current) : mark_pos(list[*chosen - 1]);
            alias = alias || mark_pos(list[*chosen]) < before;
            current = list[*chosen];
            here = join_index(here, *chosen);
        }
        find(current, k + 1, here, flow, alias);
    }

    const std::vector<Target>& matches() const { return m_matches; }
    const std::optional<Error>& fatal() const { return m_fatal; }
    std::optional<Error> miss_error() const { return m_miss ? std::optional<Error>(m_miss->second) : std::nullopt; }

private:
    static std::string shown(const std::string& path) { return path.empty() ? std::string("the document") : path; }

    void miss(std::size_t depth, const std::string& where, const std::string& message, const std::string& hint) {
        if (!m_miss || depth > m_miss->first) {
            m_miss = std::make_pair(depth, config_error(where, message, hint));
        }
    }

    const std::vector<PathStep>& m_steps;
    std::string_view m_text;
    const std::string& m_origin;
    std::vector<Target> m_matches;
    std::optional<std::pair<std::size_t, Error>> m_miss;
    std::optional<Error> m_fatal;
};

// A planned replacement of one scalar's bytes.
struct Replacement {
    std::size_t start = 0;
    std::size_t end = 0;
    std::string text;
};

// Plans the replacement of node's scalar by value and fills edit's position, old value and notes.
Result<std::optional<Replacement>> plan(std::string_view text, const Target& target, std::string_view value,
                                        const std::string& origin, Edit& edit) {
    const YAML::Node& node = target.node;
    const std::string shown = target.path.empty() ? std::string("the document") : "'" + target.path + "'";
    if (!node.IsScalar()) {
        std::string hint = "give the path of a scalar";
        if (node.IsMap()) {
            std::vector<std::string> keys;
            for (const auto& entry : entries(node)) {
                if (entry.first.IsScalar()) {
                    keys.push_back(join_key(target.path, entry.first.Scalar()));
                }
            }
            if (!keys.empty()) {
                hint += fmt::format(", e.g. {}", fmt::join(keys, " or "));
            }
        } else if (node.IsSequence()) {
            hint += fmt::format(", e.g. {}[0] or {}[name=...]", target.path, target.path);
        } else {
            hint = "give it a value by hand first; pipe replaces values, it does not fill empty ones";
        }
        return config_error(at_node(origin, text, node), fmt::format("{} is {}, not a scalar", shown, yaml_kind(node)),
                            hint);
    }
    const std::string old_value = node.Scalar();
    std::optional<ScalarSpan> span = find_scalar_span(text, mark_pos(node), old_value);
    if (!span) {
        return config_error(at_node(origin, text, node),
                            fmt::format("cannot find where the scalar {} ends in the text", shown),
                            "edit the file by hand and report the file to pipe's maintainers");
    }
    const auto [line, column] = line_column(text, span->start);
    edit.line = line;
    edit.column = column;
    edit.old_value = old_value;
    if (target.via_alias) {
        edit.notes.push_back(
            fmt::format("{} is an alias; edited the anchored scalar at {}:{}:{}, which every alias of "
                        "it shares",
                        shown, origin, line, column));
    }
    if (old_value == value) {
        return std::optional<Replacement>();
    }
    const RenderedScalar rendered = render_scalar(text, *span, old_value, value, target.flow);
    if (rendered.style == ScalarStyle::plain && plain_is_not_string(value)) {
        edit.notes.push_back(
            fmt::format("{} at {}:{}:{} stays unquoted as it was, so YAML reads {} as a number, boolean "
                        "or null, not as a string",
                        shown, origin, line, column, value));
    }
    if (rendered.switched) {
        edit.notes.push_back(
            fmt::format("{} at {}:{}:{} is now written in double quotes: its style cannot hold the "
                        "new value",
                        shown, origin, line, column));
    }
    std::string replacement = rendered.text;
    if (span->start == span->end && span->start > 0 && text[span->start - 1] != ' ' && text[span->start - 1] != '\t') {
        replacement.insert(0, " ");
    }
    return std::optional<Replacement>(Replacement{span->start, span->end, replacement});
}

std::string applied(std::string_view text, const std::vector<Replacement>& replacements) {
    std::vector<Replacement> sorted = replacements;
    std::sort(sorted.begin(), sorted.end(),
              [](const Replacement& a, const Replacement& b) { return a.start < b.start; });
    std::string out;
    std::size_t pos = 0;
    for (const Replacement& replacement : sorted) {
        out.append(text.substr(pos, replacement.start - pos));
        out += replacement.text;
        pos = replacement.end;
    }
    out.append(text.substr(pos));
    return out;
}

Result<void> valid_utf8(std::string_view value) {
    std::size_t i = 0;
    while (i < value.size()) {
        const auto c = static_cast<unsigned char>(value[i]);
        std::size_t length = 1;
        if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
        } else if (c >= 0xe0) {
            length = 3;
        } else if (c >= 0xc2 && c < 0xe0) {
            length = 2;
        } else if (c >= 0x80) {
            return usage_error("the new value is not valid UTF-8", "YAML files hold UTF-8 text");
        }
        if (i + length > value.size()) {
            return usage_error("the new value is not valid UTF-8", "YAML files hold UTF-8 text");
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(value[i + k]) & 0xc0U) != 0x80) {
                return usage_error("the new value is not valid UTF-8", "YAML files hold UTF-8 text");
            }
        }
        i += length;
    }
    return {};
}

// Edits one target scalar of text and verifies the result.
Result<Edit> edit_target(std::string_view text, const Target& target, std::string_view value,
                         const std::string& origin) {
    Edit edit;
    Result<std::optional<Replacement>> planned = plan(text, target, value, origin, edit);
    if (!planned) {
        return planned.error();
    }
    if (!*planned) {
        edit.text = std::string(text);
        return edit;
    }
    edit.text = applied(text, {**planned});
    edit.changed = true;
    Allowed allowed;
    allowed.positions.insert(mark_pos(target.node));
    allowed.value = std::string(value);
    if (Result<void> checked = verify(text, edit.text, allowed, origin, at(origin, text, (*planned)->start));
        !checked) {
        return checked.error();
    }
    return edit;
}

bool same_repository(std::string_view a, std::string_view b) {
    Result<oci::ImageReference> left = oci::parse_reference(a);
    Result<oci::ImageReference> right = oci::parse_reference(b);
    if (left && right) {
        return left->name() == right->name();
    }
    return a == b;
}

std::string line_ending(std::string_view text, std::size_t pos) {
    if (pos < text.size() && text[pos] == '\r') {
        return pos + 1 < text.size() && text[pos + 1] == '\n' ? "\r\n" : "\r";
    }
    if (pos < text.size() && text[pos] == '\n') {
        return "\n";
    }
    return text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
}

// Sets key of the kustomize images entry (document doc, item index) to value, inserting the key
// after the last of after_keys when it is missing.
Result<Edit> set_entry_key(std::string_view text, std::size_t doc, std::size_t index, const std::string& key,
                           const std::string& value, const std::vector<std::string>& after_keys,
                           const std::string& origin) {
    Result<std::vector<YAML::Node>> documents = load(text, origin, "invalid YAML");
    if (!documents) {
        return documents.error();
    }
    const YAML::Node images = *value_of((*documents)[doc], "images");
    const YAML::Node entry = items(images)[index];
    const std::string path =
        join_key(join_index(join_key(document_prefix(documents->size(), doc), "images"), index), key);
    const bool flow = images.Style() == YAML::EmitterStyle::Flow || entry.Style() == YAML::EmitterStyle::Flow;
    if (std::optional<YAML::Node> existing = value_of(entry, key)) {
        return edit_target(text, Target{*existing, path, flow, false}, value, origin);
    }
    if (flow) {
        return config_error(at_node(origin, text, entry),
                            fmt::format("cannot add '{}' to a flow-style images entry", key),
                            fmt::format("add `{}:` to the entry by hand once; pipe then keeps it up to date", key));
    }
    std::optional<std::size_t> insert_at;
    int key_column = 0;
    for (const auto& [k, v] : entries(entry)) {
        if (!k.IsScalar() || std::find(after_keys.begin(), after_keys.end(), k.Scalar()) == after_keys.end()) {
            continue;
        }
        std::optional<ScalarSpan> span = v.IsScalar() ? find_scalar_span(text, mark_pos(v), v.Scalar()) : std::nullopt;
        if (!span) {
            continue;
        }
        std::size_t end = span->end;
        while (end < text.size() && text[end] != '\n' && text[end] != '\r') {
            ++end;
        }
        if (!insert_at || end > *insert_at) {
            insert_at = end;
            key_column = k.Mark().column;
        }
    }
    if (!insert_at) {
        return config_error(at_node(origin, text, entry),
                            fmt::format("cannot find where to add '{}' in this images entry", key),
                            fmt::format("add `{}:` to the entry by hand once; pipe then keeps it up to date", key));
    }
    const std::string added = line_ending(text, *insert_at) + std::string(static_cast<std::size_t>(key_column), ' ') +
                              key + ": " + render_new_scalar(value);
    Edit edit;
    edit.text = applied(text, {Replacement{*insert_at, *insert_at, added}});
    edit.changed = true;
    edit.line = line_column(text, *insert_at).first + 1;
    edit.column = key_column + static_cast<int>(key.size()) + 3;
    edit.notes.push_back(fmt::format("added '{}' to the images entry at {}", key, at_node(origin, text, entry)));
    Allowed allowed;
    allowed.value = value;
    allowed.added_in = mark_pos(entry);
    allowed.added_key = key;
    if (Result<void> checked = verify(text, edit.text, allowed, origin, at(origin, text, *insert_at)); !checked) {
        return checked.error();
    }
    return edit;
}

// Collects every scalar value of a tree with its path, key and flow context.
class ScalarCollector {
public:
    void collect(const YAML::Node& node, const std::string& path, const std::string& key, bool flow,
                 std::size_t depth) {
        if (++m_visited > k_max_nodes || depth > k_max_depth) {
            m_exhausted = true;
            return;
        }
        if (node.IsScalar()) {
            m_found.push_back(Found{Target{node, path, flow, false}, key});
            return;
        }
        if (!node.IsMap() && !node.IsSequence()) {
            return;
        }
        if (!m_seen.insert(mark_pos(node)).second) {
            return;
        }
        const bool inner_flow = flow || node.Style() == YAML::EmitterStyle::Flow;
        if (node.IsSequence()) {
            const std::vector<YAML::Node> list = items(node);
            for (std::size_t i = 0; i < list.size(); ++i) {
                collect(list[i], join_index(path, i), key, inner_flow, depth + 1);
            }
            return;
        }
        for (const auto& [k, v] : entries(node)) {
            const std::string name = k.IsScalar() ? k.Scalar() : std::string();
            collect(v, join_key(path, name), name, inner_flow, depth + 1);
        }
    }

    // A scalar and the map key it is the value of (or an item under).
    struct Found {
        Target target;
        std::string key;
    };

    const std::vector<Found>& found() const { return m_found; }
    bool exhausted() const { return m_exhausted; }

private:
    std::vector<Found> m_found;
    std::set<std::size_t> m_seen;
    std::size_t m_visited = 0;
    bool m_exhausted = false;
};

// yaml-cpp's positions do not count a UTF-8 byte order mark: edits work on the text after it.
std::string_view byte_order_mark(std::string_view text) {
    constexpr std::string_view k_bom = "\xEF\xBB\xBF";
    return text.substr(0, 3) == k_bom ? text.substr(0, 3) : std::string_view();
}

template <class T>
Result<T> with_mark(std::string_view bom, Result<T> result) {
    if (result && !bom.empty()) {
        result->text.insert(0, bom);
    }
    return result;
}

Result<Edit> set_scalar_in(std::string_view text, std::string_view path, std::string_view value,
                           const std::string& origin) {
    Result<std::vector<PathStep>> steps = parse_path(path);
    if (!steps) {
        return steps.error();
    }
    if (Result<void> utf8 = valid_utf8(value); !utf8) {
        return utf8.error();
    }
    Result<std::vector<YAML::Node>> documents = load(text, origin, "invalid YAML");
    if (!documents) {
        return documents.error();
    }
    try {
        PathFinder finder(*steps, text, origin);
        for (std::size_t i = 0; i < documents->size(); ++i) {
            finder.find((*documents)[i], 0, std::string(), false, false);
        }
        if (finder.fatal()) {
            return *finder.fatal();
        }
        if (finder.matches().empty()) {
            if (std::optional<Error> miss = finder.miss_error()) {
                return *miss;
            }
            return config_error(origin, fmt::format("'{}' not found: the file has no documents", path));
        }
        if (finder.matches().size() > 1) {
            std::vector<std::string> places;
            for (const Target& target : finder.matches()) {
                places.push_back(at_node(origin, text, target.node));
            }
            return config_error(
                places.front(),
                fmt::format("'{}' matches in {} documents: {}", path, places.size(), fmt::join(places, ", ")),
                "add a selector that tells them apart, e.g. containers[name=app].image, or split the file");
        }
        return edit_target(text, finder.matches().front(), value, origin);
    } catch (const YAML::Exception& e) {
        return config_error(origin, std::string("cannot read the YAML: ") + e.msg);
    }
}

Result<Edit> set_kustomize_image_in(std::string_view text, std::string_view image_name,
                                    const std::optional<std::string>& new_tag, const std::optional<std::string>& digest,
                                    const std::string& origin) {
    if (!new_tag && !digest) {
        return usage_error("nothing to set: give a new tag, a digest or both");
    }
    if (new_tag) {
        if (Result<void> valid = oci::validate_tag(*new_tag); !valid) {
            return valid.error();
        }
    }
    if (digest) {
        if (Result<void> valid = oci::validate_digest(*digest); !valid) {
            return valid.error();
        }
    }
    Result<std::vector<YAML::Node>> documents = load(text, origin, "invalid YAML");
    if (!documents) {
        return documents.error();
    }
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::vector<std::string> places;
    std::vector<std::string> names;
    try {
        for (std::size_t d = 0; d < documents->size(); ++d) {
            std::optional<YAML::Node> images = value_of((*documents)[d], "images");
            if (!images || !images->IsSequence()) {
                continue;
            }
            const std::vector<YAML::Node> list = items(*images);
            for (std::size_t i = 0; i < list.size(); ++i) {
                std::optional<YAML::Node> name = value_of(list[i], "name");
                std::optional<YAML::Node> new_name = value_of(list[i], "newName");
                const bool named = name && name->IsScalar();
                if (named) {
                    names.push_back(name->Scalar());
                }
                if ((named && same_repository(name->Scalar(), image_name)) ||
                    (new_name && new_name->IsScalar() && same_repository(new_name->Scalar(), image_name))) {
                    matches.emplace_back(d, i);
                    places.push_back(at_node(origin, text, list[i]));
                }
            }
        }
    } catch (const YAML::Exception& e) {
        return config_error(origin, std::string("cannot read the YAML: ") + e.msg);
    }
    if (matches.empty()) {
        std::string hint = names.empty() ? std::string("the file has no `images:` list with named entries")
                                         : fmt::format("images there: {}", fmt::join(names, ", "));
        if (std::optional<std::string> guess = closest_match(image_name, names)) {
            hint = fmt::format("did you mean '{}'? ", *guess) + hint;
        }
        return config_error(origin, fmt::format("no images entry for '{}'", image_name), hint);
    }
    if (matches.size() > 1) {
        return config_error(
            places.front(),
            fmt::format("{} images entries match '{}': {}", matches.size(), image_name, fmt::join(places, ", ")),
            "keep one entry per image in the kustomization");
    }
    const auto [doc, index] = matches.front();
    Edit result;
    result.text = std::string(text);
    bool positioned = false;
    try {
        const std::vector<std::pair<std::string, std::optional<std::string>>> keys{{"newTag", new_tag},
                                                                                   {"digest", digest}};
        for (const auto& [key, value] : keys) {
            if (!value) {
                continue;
            }
            const std::vector<std::string> after = key == "newTag"
                                                       ? std::vector<std::string>{"name", "newName"}
                                                       : std::vector<std::string>{"name", "newName", "newTag"};
            Result<Edit> edit = set_entry_key(result.text, doc, index, key, *value, after, origin);
            if (!edit) {
                return edit.error();
            }
            if (!positioned || (edit->changed && !result.changed)) {
                result.line = edit->line;
                result.column = edit->column;
                result.old_value = edit->old_value;
                positioned = true;
            }
            result.changed = result.changed || edit->changed;
            result.notes.insert(result.notes.end(), edit->notes.begin(), edit->notes.end());
            result.text = std::move(edit->text);
        }
    } catch (const YAML::Exception& e) {
        return config_error(origin, std::string("cannot read the YAML: ") + e.msg);
    }
    return result;
}

Result<MultiEdit> set_image_references_in(std::string_view text, std::string_view repository,
                                          std::string_view new_reference, const std::string& origin) {
    Result<oci::ImageReference> wanted = oci::parse_reference(repository);
    if (!wanted) {
        return wanted.error();
    }
    if (Result<oci::ImageReference> replacement = oci::parse_reference(new_reference); !replacement) {
        return replacement.error();
    }
    Result<std::vector<YAML::Node>> documents = load(text, origin, "invalid YAML");
    if (!documents) {
        return documents.error();
    }
    MultiEdit result;
    result.text = std::string(text);
    std::vector<Replacement> replacements;
    Allowed allowed;
    allowed.value = std::string(new_reference);
    try {
        ScalarCollector collector;
        for (std::size_t d = 0; d < documents->size(); ++d) {
            collector.collect((*documents)[d], document_prefix(documents->size(), d), std::string(), false, 0);
        }
        if (collector.exhausted()) {
            return config_error(origin, "the YAML is too deep or has too many nodes to search",
                                fmt::format("pipe reads at most {} nodes, {} levels deep", k_max_nodes, k_max_depth));
        }
        std::set<std::size_t> seen;
        for (const ScalarCollector::Found& found : collector.found()) {
            const std::string& value = found.target.node.Scalar();
            Result<oci::ImageReference> reference = oci::parse_reference(value);
            if (!reference || reference->name() != wanted->name()) {
                continue;
            }
            const bool explicit_reference = reference->tag || reference->digest || value.find('/') != std::string::npos;
            if (!explicit_reference && found.key != "image") {
                continue;
            }
            if (!seen.insert(mark_pos(found.target.node)).second) {
                continue;
            }
            Edit edit;
            Result<std::optional<Replacement>> planned = plan(text, found.target, new_reference, origin, edit);
            if (!planned) {
                return planned.error();
            }
            if (*planned) {
                edit.changed = true;
                replacements.push_back(**planned);
                allowed.positions.insert(mark_pos(found.target.node));
            }
            result.edits.push_back(std::move(edit));
        }
    } catch (const YAML::Exception& e) {
        return config_error(origin, std::string("cannot read the YAML: ") + e.msg);
    }
    if (result.edits.empty()) {
        return config_error(origin, fmt::format("no reference to '{}' found", repository),
                            "the file must hold the image as repo, repo:tag, repo@digest or repo:tag@digest");
    }
    if (replacements.empty()) {
        return result;
    }
    result.text = applied(text, replacements);
    if (Result<void> checked = verify(text, result.text, allowed, origin, at(origin, text, replacements.front().start));
        !checked) {
        return checked.error();
    }
    return result;
}

}  // namespace

Result<Edit> set_scalar(std::string_view text, std::string_view path, std::string_view value,
                        const std::string& origin) {
    const std::string_view bom = byte_order_mark(text);
    return with_mark(bom, set_scalar_in(text.substr(bom.size()), path, value, origin));
}

Result<Edit> set_kustomize_image(std::string_view text, std::string_view image_name,
                                 const std::optional<std::string>& new_tag, const std::optional<std::string>& digest,
                                 const std::string& origin) {
    const std::string_view bom = byte_order_mark(text);
    return with_mark(bom, set_kustomize_image_in(text.substr(bom.size()), image_name, new_tag, digest, origin));
}

Result<MultiEdit> set_image_references(std::string_view text, std::string_view repository,
                                       std::string_view new_reference, const std::string& origin) {
    const std::string_view bom = byte_order_mark(text);
    return with_mark(bom, set_image_references_in(text.substr(bom.size()), repository, new_reference, origin));
}

Result<std::vector<YamlChange>> yaml_changes(std::string_view before, std::string_view after,
                                             const std::string& origin) {
    Result<std::vector<Difference>> found = differences(before, after, origin);
    if (!found) {
        return found.error();
    }
    std::vector<YamlChange> changes;
    for (const Difference& difference : *found) {
        YamlChange change;
        change.path = difference.path;
        change.kind = difference.kind == DiffKind::scalar    ? ChangeKind::scalar
                      : difference.kind == DiffKind::added   ? ChangeKind::added
                      : difference.kind == DiffKind::removed ? ChangeKind::removed
                                                             : ChangeKind::structure;
        change.key = difference.key;
        change.old_value = difference.old_value;
        change.new_value = difference.new_value;
        std::tie(change.line, change.column) = line_column(before, difference.old_pos);
        changes.push_back(std::move(change));
    }
    return changes;
}

}  // namespace pipeline::bump
