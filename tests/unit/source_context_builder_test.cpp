#include "temp_dir.h"

#include <pipe/ci/source_context_builder.h>

#include <catch2/catch.hpp>

using pipeline::Environment;
using pipeline::ci::build_source_context;

namespace {

pipeline::git::RepositoryState local_state() {
    pipeline::git::RepositoryState state;
    state.root = "/src/payments-api";
    state.sha = "860c1904a1ce19322e91ac35af1ab07466440c37";
    state.ref = "refs/heads/main";
    state.commit_time = std::chrono::system_clock::time_point(std::chrono::seconds(1704846600));
    state.remote_url = "git@github.com:acme/payments-api.git";
    state.default_branch = "main";
    return state;
}

Environment actions_env(const std::string& event, const std::string& ref) {
    return Environment{{"GITHUB_ACTIONS", "true"},
                       {"GITHUB_EVENT_NAME", event},
                       {"GITHUB_REF", ref},
                       {"GITHUB_SHA", "5f3331d7f7044c18ca9f12c77d961c4d7cf3276a"},
                       {"GITHUB_REPOSITORY", "acme/payments-api"},
                       {"GITHUB_SERVER_URL", "https://github.com"},
                       {"GITHUB_EVENT_PATH", std::string(PIPE_TEST_DATA) + "/events/pull_request.json"}};
}

}  // namespace

TEST_CASE("outside CI the context comes from local git", "[context]") {
    auto context = build_source_context({{"SOURCE_DATE_EPOCH", "1700000000"}}, local_state());
    REQUIRE(context.has_value());
    CHECK(context->event_name == "push");
    CHECK(context->ref == "refs/heads/main");
    CHECK(context->sha == "860c1904a1ce19322e91ac35af1ab07466440c37");
    CHECK(context->payload["repository"]["default_branch"] == "main");
    CHECK(context->repository.name == "payments-api");
    CHECK(context->repository.html_url == "https://github.com/acme/payments-api");
    CHECK(std::chrono::system_clock::to_time_t(context->now) == 1700000000);
    CHECK(context->commit_time.has_value());
}

TEST_CASE("inside GitHub Actions the CI context wins over local git", "[context]") {
    auto context = build_source_context(actions_env("push", "refs/heads/release/1.x"), local_state());
    REQUIRE(context.has_value());
    CHECK(context->ref == "refs/heads/release/1.x");
    CHECK(context->sha == "5f3331d7f7044c18ca9f12c77d961c4d7cf3276a");
    CHECK_FALSE(context->commit_time.has_value());  // git HEAD is another commit
    CHECK(context->repository.description == "Payments API");
    CHECK(context->repository.license == "MIT");
    CHECK(context->repository.html_url == "https://github.com/acme/payments-api");
}

TEST_CASE("pull_request_target uses the PR merge ref - DOCKER_METADATA_PR_HEAD_SHA swaps the sha", "[context]") {
    auto target = build_source_context(actions_env("pull_request_target", "refs/heads/main"), std::nullopt);
    REQUIRE(target.has_value());
    CHECK(target->ref == "refs/pull/15/merge");
    Environment env = actions_env("pull_request", "refs/pull/15/merge");
    CHECK(build_source_context(env, std::nullopt)->sha == "5f3331d7f7044c18ca9f12c77d961c4d7cf3276a");
    env["DOCKER_METADATA_PR_HEAD_SHA"] = "true";
    CHECK(build_source_context(env, std::nullopt)->sha == "a9c8f3ad7ed7a0f4b0bd1b3b3bd2b49c4ec1d0e5");
    Environment push = actions_env("push", "refs/heads/main");
    push["DOCKER_METADATA_PR_HEAD_SHA"] = "true";
    CHECK(build_source_context(push, std::nullopt)->sha == "5f3331d7f7044c18ca9f12c77d961c4d7cf3276a");
}

TEST_CASE("bad SOURCE_DATE_EPOCH and unreadable payloads are config errors", "[context]") {
    for (const char* epoch : {"yesterday", "12abc", "-5"}) {
        auto context = build_source_context({{"SOURCE_DATE_EPOCH", epoch}}, local_state());
        REQUIRE_FALSE(context.has_value());
        CHECK(context.error().where == "SOURCE_DATE_EPOCH");
    }
    pipeline::testing::TempDir dir;
    Environment env = actions_env("push", "refs/heads/main");
    env["GITHUB_EVENT_PATH"] = dir.write("event.json", "[1, 2").string();
    auto broken = build_source_context(env, std::nullopt);
    REQUIRE_FALSE(broken.has_value());
    CHECK(broken.error().kind == pipeline::ErrorKind::config);
    env["GITHUB_EVENT_PATH"] = (dir.path() / "missing.json").string();
    CHECK_FALSE(build_source_context(env, std::nullopt).has_value());
}

TEST_CASE("repository facts from remote URLs of every shape", "[context]") {
    using pipeline::ci::repository_from_remote;
    struct Case {
        std::string url;
        std::string name;
        std::string html_url;
    };
    const std::vector<Case> cases{
        {"https://github.com/acme/app.git", "app", "https://github.com/acme/app"},
        {"https://github.com/acme/app", "app", "https://github.com/acme/app"},
        {"git@github.com:acme/app.git", "app", "https://github.com/acme/app"},
        {"ssh://git@ghe.example.com:2222/acme/app.git", "app", "https://ghe.example.com/acme/app"},
        {"https://gitlab.example.com/group/sub/app/", "app", "https://gitlab.example.com/group/sub/app"},
        {"file:///srv/git/app.git", "app", ""},
        {"/srv/git/app.git", "fallback", ""},
        {"", "fallback", ""},
    };
    for (const Case& c : cases) {
        INFO(c.url);
        auto info = repository_from_remote(c.url, "fallback");
        CHECK(info.name == c.name);
        CHECK(info.html_url == c.html_url);
    }
}
