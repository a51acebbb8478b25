// Byte-exact edits of YAML scalars for `pipe bump`: the text of one scalar (or one inserted key)
// changes; comments, quoting, anchors, blank lines, other documents and line endings stay as they
// were. Every edit is checked by parsing both versions and comparing the trees.
#pragma once

#include <pipe/core/result.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::bump {

// The result of one edit: the new text and where the scalar is (1-based, in the original text).
struct Edit {
    std::string text;
    std::string old_value;
    bool changed = false;
    int line = 0;
    int column = 0;
    std::vector<std::string> notes;  // what the user should know: an alias's anchor was edited, a style switched
};

// Sets the scalar at path (see parse_path) to value, searching every document. A path matching in
// several documents, a missing key (with the closest keys there), a target that is a map, list or
// null, and invalid YAML are config errors at origin:line:column. Already at value: changed=false and
// the text unchanged. A path through an alias edits the anchor's scalar and says so in notes.
Result<Edit> set_scalar(std::string_view text, std::string_view path, std::string_view value,
                        const std::string& origin);

// In a kustomization's `images:`, the entry whose name (or newName) is image_name (compared as
// normalized repositories): sets newTag and/or digest. A missing key is inserted on its own line after
// the entry's name/newName/newTag line, with the entry's indentation.
Result<Edit> set_kustomize_image(std::string_view text, std::string_view image_name,
                                 const std::optional<std::string>& new_tag, const std::optional<std::string>& digest,
                                 const std::string& origin);

// Several edits of one text: text is the result, each edit's own text is left empty.
struct MultiEdit {
    std::string text;
    std::vector<Edit> edits;
};

// Replaces every scalar that is a reference to repository (repo, repo:tag, repo@digest,
// repo:tag@digest, compared normalized so nginx == docker.io/library/nginx) with new_reference. A bare
// repository without tag or digest counts only as the value of an `image` key or when it names a
// registry path, so a container `name: nginx` is left alone. No reference at all is a config error.
Result<MultiEdit> set_image_references(std::string_view text, std::string_view repository,
                                       std::string_view new_reference, const std::string& origin);

// How two YAML trees differ at one path.
enum class ChangeKind {
    scalar,     // a scalar's value or tag changed
    added,      // a key was added to a map
    removed,    // a key was removed from a map
    structure,  // a node changed type, a list changed length, keys moved or documents were added
};

// One difference between two YAML texts, at its position in the first.
struct YamlChange {
    ChangeKind kind = ChangeKind::structure;
    std::string path;       // a.b[2].c; with several documents it starts with `documents[N].`
    std::string key;        // the added or removed key
    std::string old_value;  // the scalar before (scalar, removed)
    std::string new_value;  // the scalar after (scalar, added)
    int line = 0;
    int column = 0;
};

// The differences between two texts' YAML trees in document order. Used to check every edit and
// by `pipe bump --check`. Invalid YAML in either text is a config error.
Result<std::vector<YamlChange>> yaml_changes(std::string_view before, std::string_view after,
                                             const std::string& origin);

}  // namespace pipeline::bump
