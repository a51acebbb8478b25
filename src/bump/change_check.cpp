#include <pipe/bump/change_check.h>

#include <pipe/bump/yaml_edit.h>
#include <pipe/oci/reference.h>

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace pipeline::bump {
namespace {

bool is_yaml_file(std::string_view file) {
    const auto ends_with = [&](std::string_view suffix) {
        return file.size() >= suffix.size() && file.substr(file.size() - suffix.size()) == suffix;
    };
    return ends_with(".yaml") || ends_with(".yml");
}

// The path without the `documents[N].` prefix a multi-document file puts first.
std::string_view in_document(std::string_view path) {
    if (path.rfind("documents[", 0) == 0) {
        const std::size_t dot = path.find("].");
        if (dot != std::string_view::npos) {
            return path.substr(dot + 2);
        }
    }
    return path;
}

// The last key of a path (`containers[0].image` -> `image`, `images[2]` -> `images`).
std::string_view leaf_key(std::string_view path) {
    const std::size_t dot = path.rfind('.');
    std::string_view leaf = dot == std::string_view::npos ? path : path.substr(dot + 1);
    return leaf.substr(0, leaf.find('['));
}

bool valid_tag(std::string_view value) {
    static const std::regex k_tag("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?");
    return std::regex_match(value.begin(), value.end(), k_tag);
}

bool valid_digest(std::string_view value) {
    static const std::regex k_digest("sha256:[0-9a-f]{64}");
    return std::regex_match(value.begin(), value.end(), k_digest);
}

bool same_repository(std::string_view before, std::string_view after) {
    Result<oci::ImageReference> old_reference = oci::parse_reference(before);
    Result<oci::ImageReference> new_reference = oci::parse_reference(after);
    return old_reference && new_reference && old_reference->name() == new_reference->name() &&
           (new_reference->tag || new_reference->digest);
}

bool is_kustomize_version(std::string_view path) {
    static const std::regex k_entry(R"(images\[\d+\]\.(newTag|digest))");
    return std::regex_match(path.begin(), path.end(), k_entry);
}

// Whether a value under this key, changed from before to after, is an image version change.
bool image_version(const YamlChange& change, const std::vector<std::string>& extra_keys) {
    const std::string_view path = in_document(change.path);
    if (std::find(extra_keys.begin(), extra_keys.end(), path) != extra_keys.end()) {
        return change.kind == ChangeKind::scalar;
    }
    const std::string_view key = leaf_key(path);
    const bool digest_key = key == "digest";
    const bool tag_key = key == "tag" || (key.size() > 3 && key.substr(key.size() - 3) == "Tag");
    const bool version_value = digest_key ? valid_digest(change.new_value) : valid_tag(change.new_value);
    if (change.kind == ChangeKind::added) {
        return is_kustomize_version(path) && version_value;
    }
    if (change.kind != ChangeKind::scalar) {
        return false;
    }
    if (same_repository(change.old_value, change.new_value)) {
        return true;
    }
    return (tag_key || digest_key || is_kustomize_version(path)) && version_value;
}

std::string describe(const YamlChange& change) {
    switch (change.kind) {
        case ChangeKind::scalar:
            return fmt::format("{}: {} -> {}", change.path, change.old_value, change.new_value);
        case ChangeKind::added:
            return fmt::format("{}: added{}", change.path, change.new_value.empty() ? "" : " = " + change.new_value);
        case ChangeKind::removed:
            return fmt::format("{}: removed", change.path);
        case ChangeKind::structure:
            break;
    }
    return fmt::format("{}: restructured", change.path.empty() ? "the document" : change.path);
}

}  // namespace

std::vector<CheckFinding> check_file_change(const std::string& file, const std::optional<std::string>& before,
                                            const std::optional<std::string>& after,
                                            const std::vector<std::string>& extra_keys) {
    if (!before || !after) {
        return std::vector<CheckFinding>{CheckFinding{file, 0, 0, {}, before ? "file deleted" : "file added", false}};
    }
    if (!is_yaml_file(file)) {
        return std::vector<CheckFinding>{CheckFinding{file, 0, 0, {}, "changed, and not a YAML file", false}};
    }
    Result<std::vector<YamlChange>> changes = yaml_changes(*before, *after, file);
    if (!changes) {
        return std::vector<CheckFinding>{CheckFinding{file, 0, 0, {}, changes.error().message, false}};
    }
    std::vector<CheckFinding> findings;
    for (const YamlChange& change : *changes) {
        findings.push_back(CheckFinding{file, change.line, change.column, change.path, describe(change),
                                        image_version(change, extra_keys)});
    }
    if (findings.empty() && *before != *after) {
        findings.push_back(CheckFinding{file, 0, 0, {}, "only formatting or comments changed", false});
    }
    return findings;
}

}  // namespace pipeline::bump
