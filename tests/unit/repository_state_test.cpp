#include "git_fixture.h"
#include "temp_dir.h"

#include <pipe/git/repository_state.h>

#include <catch2/catch.hpp>

#include <fstream>

using pipeline::testing::commit_file;
using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::TempDir;

TEST_CASE("a repository on a branch reports sha, ref, time and cleanliness", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    auto state = pipeline::git::read_state(dir.path());
    REQUIRE(state.has_value());
    CHECK(state->sha == git(dir.path(), {"rev-parse", "HEAD"}));
    CHECK(state->ref == "refs/heads/main");
    CHECK_FALSE(state->detached);
    CHECK_FALSE(state->dirty);
    CHECK(state->default_branch == "main");
    CHECK(state->remote_url.empty());
    CHECK(std::chrono::system_clock::to_time_t(state->commit_time) == 1704846600);
    CHECK(std::filesystem::equivalent(state->root, dir.path()));
}

TEST_CASE("the state is found from a subdirectory", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    commit_file(dir.path(), "services/api/main.go", "package main\n", "api");
    auto state = pipeline::git::read_state(dir.path() / "services" / "api");
    REQUIRE(state.has_value());
    CHECK(std::filesystem::equivalent(state->root, dir.path()));
}

TEST_CASE("untracked and modified files make the tree dirty - ignored files do not", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    commit_file(dir.path(), ".gitignore", ".pipe/\n", "ignore state");
    dir.write(".pipe/state.json", "{}");
    CHECK_FALSE(pipeline::git::read_state(dir.path())->dirty);
    dir.write("new.txt", "x");
    CHECK(pipeline::git::read_state(dir.path())->dirty);
    std::filesystem::remove(dir.path() / "new.txt");
    dir.write("README.md", "changed\n");
    CHECK(pipeline::git::read_state(dir.path())->dirty);
}

TEST_CASE("tags at HEAD are listed highest version first", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    git(dir.path(), {"tag", "v1.9.0"});
    git(dir.path(), {"tag", "-a", "v1.10.0", "-m", "annotated"});
    git(dir.path(), {"tag", "v1.2.0"});
    commit_file(dir.path(), "a.txt", "a", "later");
    git(dir.path(), {"tag", "v2.0.0"});
    git(dir.path(), {"checkout", "-q", "HEAD~1"});
    auto state = pipeline::git::read_state(dir.path());
    REQUIRE(state.has_value());
    CHECK(state->tags_at_head == std::vector<std::string>{"v1.10.0", "v1.9.0", "v1.2.0"});
    CHECK(state->detached);
    CHECK(state->ref == "refs/tags/v1.10.0");
}

TEST_CASE("a detached HEAD without tags resolves to a branch at or containing it", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    std::string first = git(dir.path(), {"rev-parse", "HEAD"});
    git(dir.path(), {"checkout", "-q", "-b", "feature/x#12"});
    std::string tip = commit_file(dir.path(), "f.txt", "f", "feature work");
    git(dir.path(), {"checkout", "-q", "--detach", tip});
    CHECK(pipeline::git::read_state(dir.path())->ref == "refs/heads/feature/x#12");
    git(dir.path(), {"checkout", "-q", "--detach", first});
    // main points at HEAD: that beats feature/x#12, which only contains it.
    CHECK(pipeline::git::read_state(dir.path())->ref == "refs/heads/main");
}

TEST_CASE("remote URLs lose their credentials and origin/HEAD names the default branch", "[git]") {
    TempDir dir;
    init_repository(dir.path());
    git(dir.path(), {"remote", "add", "origin", "https://user:ghp_token@github.com/acme/app.git"});
    git(dir.path(), {"update-ref", "refs/remotes/origin/trunk", "HEAD"});
    git(dir.path(), {"symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk"});
    auto state = pipeline::git::read_state(dir.path());
    REQUIRE(state.has_value());
    CHECK(state->remote_url == "https://github.com/acme/app.git");
    CHECK(state->default_branch == "trunk");
}

TEST_CASE("outside a repository, or before the first commit, is a usage error", "[git]") {
    TempDir dir;
    auto outside = pipeline::git::read_state(dir.path());
    REQUIRE_FALSE(outside.has_value());
    CHECK(outside.error().kind == pipeline::ErrorKind::usage);
    CHECK_THAT(outside.error().hint, Catch::Contains("-C"));
    git(dir.path(), {"init", "-q", "-b", "main"});
    auto empty = pipeline::git::read_state(dir.path());
    REQUIRE_FALSE(empty.has_value());
    CHECK_THAT(empty.error().message, Catch::Contains("no commits"));
}

TEST_CASE("strip_credentials and version ordering", "[git]") {
    using pipeline::git::strip_credentials;
    CHECK(strip_credentials("https://x:y@host/a/b.git") == "https://host/a/b.git");
    CHECK(strip_credentials("https://host/a@b") == "https://host/a@b");
    CHECK(strip_credentials("git@github.com:acme/app.git") == "git@github.com:acme/app.git");
    CHECK(pipeline::git::version_greater("v1.10.0", "v1.9.9"));
    CHECK(pipeline::git::version_greater("v2.0.0", "v2.0.0-rc.1"));
    CHECK_FALSE(pipeline::git::version_greater("v2.0.0-rc.1", "v2.0.0"));
    CHECK(pipeline::git::version_greater("v2.0.0.1", "v2.0.0"));
    CHECK_FALSE(pipeline::git::version_greater("a", "b"));
}
