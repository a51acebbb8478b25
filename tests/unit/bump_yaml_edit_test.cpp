// The byte-exact YAML scalar editor behind `pipe bump`: every edit changes exactly the bytes of one
// scalar (or adds one kustomize key), and the YAML trees before and after differ only there.
#include <pipe/bump/scalar_text.h>
#include <pipe/bump/yaml_edit.h>
#include <pipe/bump/yaml_path.h>
#include <pipe/core/file_text.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::bump::Edit;
using pipeline::bump::parse_path;
using pipeline::bump::PathStep;
using pipeline::bump::set_image_references;
using pipeline::bump::set_kustomize_image;
using pipeline::bump::set_scalar;

namespace {

// The paths of yaml_changes(), for tests that only care where two texts differ.
pipeline::Result<std::vector<std::string>> changed_paths(std::string_view before, std::string_view after,
                                                         const std::string& origin) {
    auto changes = pipeline::bump::yaml_changes(before, after, origin);
    if (!changes) {
        return changes.error();
    }
    std::vector<std::string> paths;
    for (const pipeline::bump::YamlChange& change : *changes) {
        paths.push_back(change.path);
    }
    return paths;
}

const std::string k_digest = "sha256:9a7ed8d7d5d2ec2b4b3c1a0f5d4c6a8e2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d";

std::string fixture(const std::string& name) {
    std::optional<std::string> text = pipeline::read_file_text(std::filesystem::path(PIPE_TEST_DATA) / "bump" / name);
    INFO("fixture " << name);
    REQUIRE(text.has_value());
    return *text;
}

// The byte offset of a 1-based line and column.
std::size_t offset_of(const std::string& text, int line, int column) {
    std::size_t pos = 0;
    for (int current = 1; current < line; ++current) {
        pos = text.find('\n', pos);
        REQUIRE(pos != std::string::npos);
        ++pos;
    }
    return pos + static_cast<std::size_t>(column - 1);
}

// The length of the common prefix and of the common suffix (not overlapping) of two texts.
std::pair<std::size_t, std::size_t> common_ends(const std::string& a, const std::string& b) {
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) {
        ++prefix;
    }
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
        ++suffix;
    }
    return {prefix, suffix};
}

// Sets path to value and checks the edit: the old scalar's bytes (old_token) sit at the reported
// position, the new text is the old one with exactly those bytes replaced by new_token, the
// differing bytes lie within the scalar's range and changed_paths() reports exactly paths.
Edit bump(const std::string& text, const std::string& path, const std::string& value, const std::string& old_token,
          const std::string& new_token, std::vector<std::string> paths = {}) {
    pipeline::Result<Edit> edit = set_scalar(text, path, value, "values.yaml");
    INFO((edit ? std::string() : describe(edit.error()) + " / " + edit.error().hint));
    REQUIRE(edit.has_value());
    REQUIRE(edit->changed);
    const std::size_t start = offset_of(text, edit->line, edit->column);
    const std::size_t end = start + old_token.size();
    REQUIRE(text.substr(start, old_token.size()) == old_token);
    CHECK(edit->text == text.substr(0, start) + new_token + text.substr(end));
    const auto [prefix, suffix] = common_ends(text, edit->text);
    CHECK(prefix >= start);
    CHECK(text.size() - suffix <= end);
    pipeline::Result<std::vector<std::string>> changed = changed_paths(text, edit->text, "values.yaml");
    REQUIRE(changed.has_value());
    if (paths.empty()) {
        paths.push_back(path);
    }
    CHECK(*changed == paths);
    return *edit;
}

pipeline::Error failure(const std::string& text, const std::string& path, const std::string& value) {
    pipeline::Result<Edit> edit = set_scalar(text, path, value, "values.yaml");
    REQUIRE_FALSE(edit.has_value());
    return edit.error();
}

}  // namespace

TEST_CASE("parse_path reads keys, indexes, selectors and quoted keys", "[bump]") {
    auto steps = parse_path("image.tag");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"image", {}, {}}, {"tag", {}, {}}});

    steps = parse_path("spec.template.spec.containers[name=app].image");
    REQUIRE(steps.has_value());
    REQUIRE(steps->size() == 5);
    CHECK((*steps)[3].key == "containers");
    CHECK((*steps)[3].selector == std::make_pair(std::string("name"), std::string("app")));
    CHECK((*steps)[4].key == "image");

    steps = parse_path("images[0].newTag");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"images", 0, {}}, {"newTag", {}, {}}});

    steps = parse_path("a.b[2]");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"a", {}, {}}, {"b", 2, {}}});

    steps = parse_path("annotations.\"example.com/x\"");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"annotations", {}, {}}, {"example.com/x", {}, {}}});

    steps = parse_path("metadata.'a.b'.\"say \\\"hi\\\"\"");
    REQUIRE(steps.has_value());
    CHECK((*steps)[1].key == "a.b");
    CHECK((*steps)[2].key == "say \"hi\"");

    steps = parse_path("[1].name");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"", 1, {}}, {"name", {}, {}}});

    steps = parse_path("matrix[1][2]");
    REQUIRE(steps.has_value());
    CHECK(*steps == std::vector<PathStep>{{"matrix", 1, {}}, {"", 2, {}}});

    steps = parse_path("env[name=\"A B\"].value");
    REQUIRE(steps.has_value());
    CHECK((*steps)[0].selector->second == "A B");

    steps = parse_path("example.com/owner");
    REQUIRE(steps.has_value());
    CHECK(steps->size() == 2);
}

TEST_CASE("parse_path names the column of a mistake", "[bump]") {
    struct Case {
        std::string path;
        std::string column;
    };
    const std::vector<Case> cases{
        {"", ""},
        {"image..tag", "column 7"},
        {"image.", "column 6"},
        {".image", "column 1"},
        {"image[", "column 6"},
        {"image[]", "column 7"},
        {"image[x]", "column 7"},
        {"image[=x]", "column 7"},
        {"image\"tag\"", "column 6"},
        {"image.\"tag", "column 7"},
        {"image[0]tag", "column 9"},
        {"a[99999999999999999999999]", "column 3"},
    };
    for (const Case& c : cases) {
        INFO(c.path);
        auto steps = parse_path(c.path);
        REQUIRE_FALSE(steps.has_value());
        CHECK(steps.error().kind == ErrorKind::usage);
        CHECK(steps.error().message.find(c.column) != std::string::npos);
        CHECK_FALSE(steps.error().hint.empty());
    }
}

TEST_CASE("path_key quotes keys that would not read back", "[bump]") {
    using pipeline::bump::path_key;
    CHECK(path_key("tag") == "tag");
    CHECK(path_key("example.com/x") == "\"example.com/x\"");
    CHECK(path_key("a\"b") == "\"a\\\"b\"");
    CHECK(path_key("") == "\"\"");
    for (const std::string key : {"tag", "example.com/x", "a\"b", "x[0]", "back\\slash", "it's"}) {
        auto steps = parse_path(path_key(key));
        REQUIRE(steps.has_value());
        REQUIRE(steps->size() == 1);
        CHECK((*steps)[0].key == key);
    }
}

TEST_CASE("Helm values: one scalar changes, comments and styles stay", "[bump]") {
    const std::string text = fixture("helm_values.yaml");
    SECTION("double-quoted tag keeps its quotes") {
        bump(text, "image.tag", "1.5.0", "\"1.4.2\"", "\"1.5.0\"");
    }
    SECTION("plain value before a same-line comment") {
        bump(text, "image.repository", "ghcr.io/acme/app2", "ghcr.io/acme/app", "ghcr.io/acme/app2");
    }
    SECTION("single-quoted value keeps its quotes") {
        bump(text, "sidecar.image.repository", "acme/envoy", "'acme/proxy'", "'acme/envoy'");
    }
    SECTION("plain tag followed by a comment and blank lines") {
        Edit edit = bump(text, "sidecar.image.tag", "v2.1.0", "v2.0.1", "v2.1.0");
        CHECK(edit.old_value == "v2.0.1");
        CHECK(edit.line == 20);
        CHECK(edit.column == 10);
        CHECK(edit.notes.empty());
    }
    SECTION("a plain string that would read as a number is quoted") {
        Edit edit = bump(text, "sidecar.image.tag", "1.10", "v2.0.1", "\"1.10\"");
        REQUIRE(edit.notes.size() == 1);
        CHECK(edit.notes[0].find("double quotes") != std::string::npos);
    }
    SECTION("a plain number stays plain, with a note") {
        Edit edit = bump(text, "replicaCount", "3", "2", "3");
        REQUIRE(edit.notes.size() == 1);
        CHECK(edit.notes[0].find("unquoted") != std::string::npos);
    }
    SECTION("keys with dots") {
        bump(text, "podAnnotations.\"example.com/owner\"", "team-b", "team-a", "team-b");
        bump(text, "podAnnotations.\"checksum/config\"", "def456", "abc123", "def456",
             {"podAnnotations.checksum/config"});
    }
    SECTION("an alias: the anchored scalar is edited and the note says so") {
        Edit edit = bump(text, "sidecar.image.registry", "quay.io", "ghcr.io", "quay.io",
                         {"defaults.registry", "sidecar.image.registry"});
        REQUIRE(edit.notes.size() == 1);
        CHECK(edit.notes[0].find("alias") != std::string::npos);
        CHECK(edit.line == 8);
    }
    SECTION("an anchored scalar: its aliases change with it") {
        Edit edit =
            bump(text, "worker.image.tag", "1.0.0", "0.9.0", "1.0.0", {"worker.image.tag", "worker.extraTags[0]"});
        CHECK(edit.notes.empty());
    }
    SECTION("the same value again changes nothing") {
        pipeline::Result<Edit> edit = set_scalar(text, "image.tag", "1.4.2", "values.yaml");
        REQUIRE(edit.has_value());
        CHECK_FALSE(edit->changed);
        CHECK(edit->text == text);
        CHECK(edit->old_value == "1.4.2");
        CHECK(edit->line == 13);
    }
}

TEST_CASE("Same-line comments and plain scalars with '#' inside", "[bump]") {
    const std::string text = fixture("same_line_comments.yaml");
    bump(text, "a", "10", "1", "10");
    bump(text, "b", "three", "two", "three");
    bump(text, "c", "it's", "'three'", "'it''s'");
    bump(text, "d", "fünf", "\"four\"", "\"fünf\"");
    bump(text, "e", "seven#eight", "five#six", "seven#eight");
    bump(text, "f[0]", "z", "x", "z");
    bump(text, "f[1]", "a # b", "y", "\"a # b\"");
}

TEST_CASE("Quoted and multi-line scalars are escaped for their style", "[bump]") {
    const std::string text = fixture("quoted.yaml");
    bump(text, "single", "it's there", "'it''s here'", "'it''s there'");
    bump(text, "single", "two\nlines", "'it''s here'", "\"two\\nlines\"");
    bump(text, "double", "a \"b\" \\ c\td", "\"say \\\"hi\\\"\\n\"", "\"a \\\"b\\\" \\\\ c\\td\"");
    bump(text, "double", std::string("bell\x07", 5), "\"say \\\"hi\\\"\\n\"", "\"bell\\x07\"");
    bump(text, "multiline_double", "one line", "\"first\n  second\"", "\"one line\"");
    bump(text, "plain_multi", "three", "one\n  two", "three");
    bump(text, "empty_single", "x", "''", "'x'");
    bump(text, "plain", "", "value", "\"\"");
    bump(text, "plain", "true", "value", "\"true\"");
    bump(text, "plain", "- x", "value", "\"- x\"");
    bump(text, "plain", "key: v", "value", "\"key: v\"");
    bump(text, "plain", " padded", "value", "\" padded\"");
}

TEST_CASE("Block scalars keep their indicator and indentation", "[bump]") {
    const std::string text = fixture("block.yaml");
    bump(text, "script", "echo three\n", "|\n  echo one\n  echo two", "|\n  echo three");
    bump(text, "script", "a\n\nb\n", "|\n  echo one\n  echo two", "|\n  a\n\n  b");
    bump(text, "script", "no newline", "|\n  echo one\n  echo two", "|-\n  no newline");
    bump(text, "folded", "new folded text\n", ">\n  folded text\n  continues here", ">\n  new folded text");
    bump(text, "folded", "two\nlines\n", ">\n  folded text\n  continues here", "|\n  two\n  lines");
    bump(text, "stripped", "still none", "|-\n  no final newline", "|-\n  still none");
    bump(text, "stripped", "now one\n", "|-\n  no final newline", "|\n  now one");
    bump(text, "indented", "  two spaces\n", "|2\n    leading spaces kept", "|2\n    two spaces");
    bump(text, "script", "x\n\n\n", "|\n  echo one\n  echo two", "\"x\\n\\n\\n\"");
}

TEST_CASE("Flow collections: plain scalars end at ',' and '}'", "[bump]") {
    const std::string text = fixture("flow.yaml");
    bump(text, "image.tag", "1.1.0", "1.0.0", "1.1.0");
    bump(text, "image.repository", "ghcr.io/acme/other", "ghcr.io/acme/app", "ghcr.io/acme/other");
    bump(text, "tags[0]", "z", "a", "z");
    bump(text, "tags[1]", "y", "'b'", "'y'");
    bump(text, "tags[2]", "x", "\"c\"", "\"x\"");
    bump(text, "tags[0]", "a,b", "a", "\"a,b\"");
    bump(text, "nested.list[2].deep", "deeper", "value", "deeper");
    bump(text, "nested.\"quoted key\"", "z", "x", "z", {"nested.quoted key"});
    bump(text, "nested.\"quoted key\"", "y", "x", "\"y\"", {"nested.quoted key"});
    bump(text, "spaced.name", "api", "app", "api");
    bump(text, "spaced.tag", "v2", "v1", "v2");
}

TEST_CASE("CRLF line endings stay", "[bump]") {
    const std::string text = fixture("crlf.yaml");
    REQUIRE(text.find("\r\n") != std::string::npos);
    bump(text, "image.tag", "1.0.1", "1.0.0", "1.0.1");
    bump(text, "note", "one\ntwo\nthree\n", "|\r\n  first line\r\n  second line", "|\r\n  one\r\n  two\r\n  three");
}

TEST_CASE("A file without a final newline keeps it missing", "[bump]") {
    const std::string text = fixture("no_final_newline.yaml");
    Edit edit = bump(text, "image.tag", "2.0.0", "1.0.0", "2.0.0");
    CHECK(edit.text.back() == 'e');
}

TEST_CASE("Multi-document files: every document is searched", "[bump]") {
    const std::string text = fixture("multi_doc.yaml");
    bump(text, "spec.template.spec.containers[name=worker].image", "ghcr.io/acme/worker:2.0.0",
         "ghcr.io/acme/worker@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
         "ghcr.io/acme/worker:2.0.0", {"documents[1].spec.template.spec.containers[0].image"});
    bump(text, "spec.template.spec.containers[name=metrics].image", "prom/statsd-exporter:v0.27.0",
         "\"prom/statsd-exporter:v0.26.0\"", "\"prom/statsd-exporter:v0.27.0\"",
         {"documents[0].spec.template.spec.containers[1].image"});
    bump(text, "spec.ports[0].targetPort", "9090", "8080", "9090", {"documents[2].spec.ports[0].targetPort"});

    const pipeline::Error several = failure(text, "metadata.name", "x");
    CHECK(several.kind == ErrorKind::config);
    CHECK(several.message.find("3 documents") != std::string::npos);
    CHECK(several.message.find("values.yaml:5:9") != std::string::npos);
    CHECK(several.message.find("values.yaml:19:9") != std::string::npos);
    CHECK(several.where == "values.yaml:5:9");
    CHECK_FALSE(several.hint.empty());

    const pipeline::Error missing = failure(text, "spec.template.spec.containers[name=nope].image", "x");
    CHECK(missing.message.find("name=nope") != std::string::npos);
    CHECK(missing.hint.find("api, metrics") != std::string::npos);
}

TEST_CASE("Errors name the place and the closest keys", "[bump]") {
    const std::string text = fixture("helm_values.yaml");
    const pipeline::Error typo = failure(text, "image.tga", "1");
    CHECK(typo.kind == ErrorKind::config);
    CHECK(typo.where == "values.yaml:11:3");
    CHECK(typo.message.find("'tga'") != std::string::npos);
    CHECK(typo.hint.find("did you mean 'image.tag'") != std::string::npos);
    CHECK(typo.hint.find("repository, tag, pullPolicy") != std::string::npos);

    const pipeline::Error map = failure(text, "image", "1");
    CHECK(map.message.find("is a map, not a scalar") != std::string::npos);
    CHECK(map.where == "values.yaml:11:3");
    CHECK(map.hint.find("image.tag") != std::string::npos);

    const pipeline::Error list = failure(text, "worker.extraTags", "1");
    CHECK(list.message.find("a list") != std::string::npos);

    const pipeline::Error index = failure(text, "worker.extraTags[5]", "1");
    CHECK(index.message.find("has 2 items") != std::string::npos);

    const pipeline::Error through_scalar = failure(text, "image.tag.x", "1");
    CHECK(through_scalar.message.find("not a map") != std::string::npos);

    const pipeline::Error null_value = failure("a:\n  b:\n", "a.b", "1");
    CHECK(null_value.message.find("null") != std::string::npos);

    const pipeline::Error bad_path = failure(text, "image..tag", "1");
    CHECK(bad_path.kind == ErrorKind::usage);

    const pipeline::Error bad_utf8 = failure(text, "image.tag", "\xff");
    CHECK(bad_utf8.kind == ErrorKind::usage);
}

TEST_CASE("Invalid YAML is reported at its position", "[bump]") {
    const pipeline::Error invalid = failure("a: b\nc: [d\n", "a", "x");
    CHECK(invalid.kind == ErrorKind::config);
    CHECK(invalid.where.rfind("values.yaml:", 0) == 0);
    CHECK(invalid.message.find("invalid YAML") != std::string::npos);

    const pipeline::Error comma = failure(",a: b\n", "a", "x");
    CHECK(comma.kind == ErrorKind::config);

    auto changed = changed_paths(",", "a: b", "x.yaml");
    REQUIRE_FALSE(changed.has_value());
    CHECK(changed.error().kind == ErrorKind::config);
}

TEST_CASE("kustomize images: newTag and digest are set or added", "[bump]") {
    const std::string text = fixture("kustomization.yaml");
    SECTION("an existing newTag") {
        auto edit = set_kustomize_image(text, "ghcr.io/acme/app", std::string("1.5.0"), std::nullopt, "k.yaml");
        REQUIRE(edit.has_value());
        CHECK(edit->changed);
        CHECK(edit->old_value == "1.4.2");
        CHECK(edit->line == 11);
        CHECK(edit->column == 13);
        std::string expected = text;
        expected.replace(expected.find("1.4.2"), 5, "1.5.0");
        CHECK(edit->text == expected);
        CHECK(*changed_paths(text, edit->text, "k.yaml") == std::vector<std::string>{"images[0].newTag"});
    }
    SECTION("a missing newTag is added after newName, matched through normalized names") {
        auto edit = set_kustomize_image(text, "docker.io/library/nginx", std::string("1.27"), std::nullopt, "k.yaml");
        REQUIRE(edit.has_value());
        std::string expected = text;
        const std::string after = "    newName: docker.io/library/nginx";
        expected.insert(expected.find(after) + after.size(), "\n    newTag: \"1.27\"");
        CHECK(edit->text == expected);
        CHECK(edit->line == 14);
        CHECK(edit->column == 13);
        REQUIRE(edit->notes.size() == 1);
        CHECK(*changed_paths(text, edit->text, "k.yaml") == std::vector<std::string>{"images[1].newTag"});
    }
    SECTION("a digest is added after newTag and the tag kept") {
        auto edit = set_kustomize_image(text, "ghcr.io/acme/app", std::nullopt, k_digest, "k.yaml");
        REQUIRE(edit.has_value());
        std::string expected = text;
        const std::string after = "    newTag: 1.4.2";
        expected.insert(expected.find(after) + after.size(), "\n    digest: " + k_digest);
        CHECK(edit->text == expected);
        CHECK(*changed_paths(text, edit->text, "k.yaml") == std::vector<std::string>{"images[0].digest"});
    }
    SECTION("tag and digest together, both existing") {
        auto edit =
            set_kustomize_image(text, "registry.example.com/mirror/redis", std::string("7.4"), k_digest, "k.yaml");
        REQUIRE(edit.has_value());
        CHECK(edit->old_value == "7.2");
        CHECK(*changed_paths(text, edit->text, "k.yaml") ==
              std::vector<std::string>{"images[2].newTag", "images[2].digest"});
        CHECK(edit->text.find("newTag: \"7.4\"") != std::string::npos);
    }
    SECTION("the tag edited and a digest added in one call") {
        auto edit = set_kustomize_image(text, "ghcr.io/acme/app", std::string("2.0.0"), k_digest, "k.yaml");
        REQUIRE(edit.has_value());
        CHECK(edit->text.find("newTag: 2.0.0\n    digest: " + k_digest + "\n") != std::string::npos);
    }
    SECTION("already there") {
        auto edit = set_kustomize_image(text, "ghcr.io/acme/app", std::string("1.4.2"), std::nullopt, "k.yaml");
        REQUIRE(edit.has_value());
        CHECK_FALSE(edit->changed);
        CHECK(edit->text == text);
    }
    SECTION("no entry: the names there are listed") {
        auto edit = set_kustomize_image(text, "ghcr.io/acme/ap", std::string("1"), std::nullopt, "k.yaml");
        REQUIRE_FALSE(edit.has_value());
        CHECK(edit.error().kind == ErrorKind::config);
        CHECK(edit.error().hint.find("did you mean 'ghcr.io/acme/app'") != std::string::npos);
    }
    SECTION("an invalid tag or digest is a usage error") {
        auto bad_tag = set_kustomize_image(text, "nginx", std::string("-bad"), std::nullopt, "k.yaml");
        REQUIRE_FALSE(bad_tag.has_value());
        CHECK(bad_tag.error().kind == ErrorKind::usage);
        auto bad_digest = set_kustomize_image(text, "nginx", std::nullopt, std::string("sha256:12"), "k.yaml");
        REQUIRE_FALSE(bad_digest.has_value());
        CHECK(bad_digest.error().kind == ErrorKind::usage);
    }
    SECTION("a flow-style entry cannot take a new key") {
        auto edit = set_kustomize_image("images: [{name: nginx}]\n", "nginx", std::string("1"), std::nullopt, "k.yaml");
        REQUIRE_FALSE(edit.has_value());
        CHECK(edit.error().message.find("flow") != std::string::npos);
    }
    SECTION("CRLF and no final newline") {
        const std::string crlf = "images:\r\n- name: app\r\n  newTag: v1 # pinned";
        auto edit = set_kustomize_image(crlf, "app", std::string("v2"), k_digest, "k.yaml");
        REQUIRE(edit.has_value());
        CHECK(edit->text == "images:\r\n- name: app\r\n  newTag: v2 # pinned\r\n  digest: " + k_digest);
    }
}

TEST_CASE("Image references in plain manifests are replaced everywhere", "[bump]") {
    const std::string text = fixture("multi_doc.yaml");
    auto edit = set_image_references(text, "ghcr.io/acme/api", "ghcr.io/acme/api:1.1.0", "m.yaml");
    REQUIRE(edit.has_value());
    REQUIRE(edit->edits.size() == 2);
    CHECK(edit->edits[0].line == 11);
    CHECK(edit->edits[0].column == 18);
    CHECK(edit->edits[0].old_value == "ghcr.io/acme/api:1.0.0");
    CHECK(edit->edits[1].line == 25);
    std::string expected = text;
    for (std::size_t pos = expected.find("ghcr.io/acme/api:1.0.0"); pos != std::string::npos;
         pos = expected.find("ghcr.io/acme/api:1.0.0", pos)) {
        expected.replace(pos, 22, "ghcr.io/acme/api:1.1.0");
    }
    CHECK(edit->text == expected);
    CHECK(*changed_paths(text, edit->text, "m.yaml") ==
          std::vector<std::string>{"documents[0].spec.template.spec.containers[0].image",
                                   "documents[1].spec.template.spec.initContainers[0].image"});

    auto hub =
        set_image_references("containers:\n- name: nginx\n  image: nginx\n- image: \"docker.io/library/nginx:1\"\n",
                             "docker.io/library/nginx", "nginx:1.27", "m.yaml");
    REQUIRE(hub.has_value());
    CHECK(hub->text == "containers:\n- name: nginx\n  image: nginx:1.27\n- image: \"nginx:1.27\"\n");

    auto none = set_image_references(text, "ghcr.io/acme/other", "ghcr.io/acme/other:1", "m.yaml");
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().kind == ErrorKind::config);

    auto same = set_image_references(text, "ghcr.io/acme/api", "ghcr.io/acme/api:1.0.0", "m.yaml");
    REQUIRE(same.has_value());
    CHECK(same->text == text);
    CHECK(same->edits.size() == 2);
    CHECK_FALSE(same->edits[0].changed);

    auto bad = set_image_references(text, "ghcr.io/acme/api", "UPPER/case", "m.yaml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == ErrorKind::usage);
}

TEST_CASE("changed_paths reports changed scalars, keys and structure", "[bump]") {
    auto same = changed_paths("a: 1 # x\n", "a:   1\n", "x.yaml");
    REQUIRE(same.has_value());
    CHECK(same->empty());

    auto quoted = changed_paths("a: 1\n", "a: \"1\"\n", "x.yaml");
    REQUIRE(quoted.has_value());
    CHECK(*quoted == std::vector<std::string>{"a"});

    auto keys = changed_paths("a: 1\nb: 2\n", "a: 1\nc: 2\n", "x.yaml");
    REQUIRE(keys.has_value());
    CHECK(*keys == std::vector<std::string>{"b", "c"});

    auto order = changed_paths("a: 1\nb: 2\n", "b: 2\na: 1\n", "x.yaml");
    REQUIRE(order.has_value());
    CHECK(order->size() == 1);

    auto kinds = changed_paths("a: [1]\n", "a: {b: 1}\n", "x.yaml");
    REQUIRE(kinds.has_value());
    CHECK(*kinds == std::vector<std::string>{"a"});

    auto documents = changed_paths("a: 1\n---\na: 1\n", "a: 1\n", "x.yaml");
    REQUIRE(documents.has_value());
    CHECK(*documents == std::vector<std::string>{"documents"});

    auto cycle = changed_paths("a: &x [1, *x]\n", "a: &x [1, *x]\n", "x.yaml");
    REQUIRE(cycle.has_value());
}

TEST_CASE("find_scalar_span covers exactly the scalar token", "[bump]") {
    using pipeline::bump::find_scalar_span;
    using pipeline::bump::ScalarStyle;
    const std::string text = "a: &x !!str  'q''s' # c\nb: plain text  # c\n";
    auto quoted = find_scalar_span(text, 3, "q's");
    REQUIRE(quoted.has_value());
    CHECK(text.substr(quoted->start, quoted->end - quoted->start) == "'q''s'");
    CHECK(quoted->style == ScalarStyle::single_quoted);
    auto plain = find_scalar_span(text, text.find("plain"), "plain text");
    REQUIRE(plain.has_value());
    CHECK(text.substr(plain->start, plain->end - plain->start) == "plain text");
    CHECK_FALSE(find_scalar_span(text, text.find("plain"), "other").has_value());
}

TEST_CASE("A UTF-8 byte order mark stays in front", "[bump]") {
    const std::string bom = "\xEF\xBB\xBF";
    auto edit = set_scalar(bom + "a: 1\nb: x # c\n", "b", "z", "values.yaml");
    REQUIRE(edit.has_value());
    CHECK(edit->text == bom + "a: 1\nb: z # c\n");
    auto references = set_image_references(bom + "image: nginx:1\n", "nginx", "nginx:2", "values.yaml");
    REQUIRE(references.has_value());
    CHECK(references->text == bom + "image: nginx:2\n");
}

TEST_CASE("changed_paths pairs duplicate keys by occurrence", "[bump]") {
    const std::string text = "image:\n  tag: 1.0.0 x\n  tag: 1.0.0\n";
    auto same = changed_paths(text, text, "x.yaml");
    REQUIRE(same.has_value());
    CHECK(same->empty());
    auto second = changed_paths(text, "image:\n  tag: 1.0.0 x\n  tag: 2.0.0\n", "x.yaml");
    REQUIRE(second.has_value());
    CHECK(*second == std::vector<std::string>{"image.tag"});
}

TEST_CASE("An empty tagged scalar gets its value after the tag", "[bump]") {
    auto edit = set_scalar("a: !\nb: 1\n", "a", "x1", "values.yaml");
    REQUIRE(edit.has_value());
    CHECK(edit->text == "a: ! x1\nb: 1\n");
    auto at_end = set_scalar("a: !!str", "a", "8x\t", "values.yaml");
    REQUIRE(at_end.has_value());
    CHECK(at_end->text == "a: !!str \"8x\\t\"");
    auto again = set_scalar(at_end->text, "a", "8x\t", "values.yaml");
    REQUIRE(again.has_value());
    CHECK_FALSE(again->changed);
}
