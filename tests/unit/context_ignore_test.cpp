// The ignore-file semantics buildah and docker share (moby's patternmatcher): globs, '**',
// parent-directory matches, '!' re-includes in order, and which file applies.
#include <pipe/tools/context_ignore.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

using pipeline::tools::glob_matches;
using pipeline::tools::is_ignored;
using pipeline::tools::parse_ignore_file;

TEST_CASE("ignore files: comments, blanks, cleaning and exclusions", "[tools][ignore]") {
    auto patterns = parse_ignore_file("# comment\n\n  /build/  \n!build/keep.txt\n./a/../docs\n*.md\r\n");
    REQUIRE(patterns.size() == 4);
    CHECK(patterns[0].glob == "build");
    CHECK_FALSE(patterns[0].exclusion);
    CHECK(patterns[1].glob == "build/keep.txt");
    CHECK(patterns[1].exclusion);
    CHECK(patterns[2].glob == "docs");
    CHECK(patterns[3].glob == "*.md");
}

TEST_CASE("glob matching follows filepath.Match plus ** and parent directories", "[tools][ignore]") {
    CHECK(glob_matches("*.md", "README.md"));
    CHECK_FALSE(glob_matches("*.md", "docs/README.md"));
    CHECK(glob_matches("**/*.md", "docs/README.md"));
    CHECK(glob_matches("**/*.md", "README.md"));
    CHECK(glob_matches("docs", "docs/a/b.txt"));
    CHECK(glob_matches("d?cs", "docs"));
    CHECK_FALSE(glob_matches("d?cs", "d/cs"));
    CHECK(glob_matches("[a-c]*.go", "b_test.go"));
    CHECK_FALSE(glob_matches("[!a-c]*.go", "b_test.go"));
    CHECK(glob_matches("a/**/z", "a/z"));
    CHECK(glob_matches("a/**/z", "a/b/c/z"));
    CHECK_FALSE(glob_matches("a/*/z", "a/b/c/z"));
    CHECK(glob_matches("\\*literal", "*literal"));
    CHECK_FALSE(glob_matches("\\*literal", "xliteral"));
    CHECK(glob_matches("**", "anything/at/all"));
}

TEST_CASE("the last matching pattern decides, and exclusions re-include", "[tools][ignore]") {
    auto patterns = parse_ignore_file("*\n!src\n!Containerfile\nsrc/*.tmp\n");
    CHECK(is_ignored(patterns, "README.md"));
    CHECK_FALSE(is_ignored(patterns, "Containerfile"));
    CHECK_FALSE(is_ignored(patterns, "src/main.go"));
    CHECK(is_ignored(patterns, "src/cache.tmp"));
    CHECK_FALSE(is_ignored(parse_ignore_file(""), "anything"));
}

TEST_CASE("the ignore file next to the Containerfile wins over the context's", "[tools][ignore]") {
    pipeline::testing::TempDir dir;
    dir.write("ctx/.dockerignore", "a\n");
    CHECK(*pipeline::tools::find_ignore_file(dir.path() / "ctx", dir.path() / "ctx/Containerfile") ==
          dir.path() / "ctx/.dockerignore");
    dir.write("ctx/.containerignore", "b\n");
    CHECK(*pipeline::tools::find_ignore_file(dir.path() / "ctx", dir.path() / "ctx/Containerfile") ==
          dir.path() / "ctx/.containerignore");
    dir.write("build/api.Containerfile.dockerignore", "c\n");
    CHECK(*pipeline::tools::find_ignore_file(dir.path() / "ctx", dir.path() / "build/api.Containerfile") ==
          dir.path() / "build/api.Containerfile.dockerignore");
    CHECK_FALSE(pipeline::tools::find_ignore_file(dir.path() / "none", dir.path() / "none/Containerfile"));
}
