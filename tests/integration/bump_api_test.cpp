// `pipe bump` in API mode against tests/fakes/fake-github (GitHub's REST shapes over real bare
// repositories, so every commit is inspected with git): no clone, the bump branch and one pull
// request per service that later bumps update instead of duplicating, the Actions-token note,
// concurrent --direct bumps that all land, and GitHub failures that never pass.
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <thread>

using pipeline::Environment;
using pipeline::testing::FakeGithub;
using pipeline::testing::git;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

constexpr int k_services = 8;

// acme/k8s-config on the fake with apps/svc<i>/values.yaml, and a service repository bumping them.
struct Api {
    // entry: more lines of each service's bump entry (indented by six spaces).
    explicit Api(const TempDir& dir, const std::string& entry = "") {
        std::vector<std::pair<std::string, std::string>> files;
        std::string services = "services:\n";
        for (int i = 0; i < k_services; ++i) {
            files.emplace_back(fmt::format("apps/svc{}/values.yaml", i), "image:\n  tag: sha-old  # pipe\n");
            services += fmt::format(
                "  svc{0}:\n    image: ghcr.io/acme/svc{0}\n    bump:\n      repo: acme/k8s-config\n"
                "      file: apps/svc{0}/values.yaml\n      key: image.tag\n"
                "      labels: [deploy]\n{1}",
                i, entry);
        }
        const std::filesystem::path seed = dir.path() / "seed";
        pipeline::testing::service_repository(seed, files);
        bare = dir.path() / "github" / "acme" / "k8s-config.git";
        std::filesystem::create_directories(bare.parent_path());
        git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
        github = std::make_unique<FakeGithub>(dir.path() / "github", "api-token-value");
        repo = pipeline::testing::service_repository(dir.path() / "app", {{"pipe.yaml", services}});
        env["GITHUB_API_URL"] = github->api_url();
        env["PIPE_GITHUB_TOKEN"] = "api-token-value";
    }

    std::filesystem::path bare, repo;
    std::unique_ptr<FakeGithub> github;
    Environment env;
};

}  // namespace

TEST_CASE("pipe bump in API mode: a bump branch and one pull request, updated by later bumps", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    const std::string base = git(a.bare, {"rev-parse", "main"});

    auto first = run_pipe({"--service", "svc2", "bump", "--value", "sha-one", "--json"}, a.repo, a.env);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    const auto doc = nlohmann::json::parse(first.out);
    const nlohmann::json& result = doc["services"][0];
    CHECK(result["mode"] == "api");
    CHECK(result["branch"] == "bump/svc2");
    CHECK(result["pull_request"]["operation"] == "created");
    CHECK(result["pull_request"]["number"] == 1);
    CHECK(git(a.bare, {"show", "bump/svc2:apps/svc2/values.yaml"}) == "image:\n  tag: sha-one  # pipe");
    CHECK(git(a.bare, {"rev-parse", "bump/svc2~1"}) == base);
    CHECK(git(a.bare, {"rev-parse", "main"}) == base);
    CHECK(first.err.find("api-token-value") == std::string::npos);

    auto second = run_pipe({"--service", "svc2", "bump", "--value", "sha-two", "--json"}, a.repo, a.env);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(nlohmann::json::parse(second.out)["services"][0]["pull_request"]["operation"] == "updated");
    CHECK(nlohmann::json::parse(second.out)["services"][0]["pull_request"]["number"] == 1);
    CHECK(git(a.bare, {"show", "bump/svc2:apps/svc2/values.yaml"}) == "image:\n  tag: sha-two  # pipe");

    const nlohmann::json state = a.github->state();
    REQUIRE(state["pulls"].size() == 1);
    CHECK(state["pulls"][0]["title"].get<std::string>().find("sha-two") != std::string::npos);
    CHECK(state["pulls"][0]["labels"].dump().find("deploy") != std::string::npos);

    auto same = run_pipe({"--service", "svc2", "bump", "--value", "sha-two", "--json"}, a.repo, a.env);
    REQUIRE(same.exit_code == 0);
    CHECK(nlohmann::json::parse(same.out)["services"][0]["pull_request"]["operation"] == "unchanged");
}

TEST_CASE("the Actions GITHUB_TOKEN gets a note in the PR body", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    Environment actions = a.env;
    actions.erase("PIPE_GITHUB_TOKEN");
    actions["GITHUB_TOKEN"] = "api-token-value";
    actions["GITHUB_ACTIONS"] = "true";
    actions["GITHUB_REPOSITORY"] = "acme/app";
    actions["GITHUB_OUTPUT"] = (dir.path() / "output").string();
    auto run = run_pipe({"--service", "svc0", "bump", "--value", "sha-ci"}, a.repo, actions);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(a.github->state()["pulls"][0]["body"].get<std::string>().find("GITHUB_TOKEN") != std::string::npos);
    CHECK(pipeline::testing::read_file(dir.path() / "output")
              .find("pull-request-url=https://github.com/acme/k8s-config/pull/1") != std::string::npos);
}

TEST_CASE("eight --direct bumps through the API at once: all land on main", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    std::vector<std::thread> pipelines;
    std::vector<pipeline::testing::PipeRun> runs(k_services);
    for (int i = 0; i < k_services; ++i) {
        pipelines.emplace_back([&, i] {
            runs[i] = run_pipe(
                {"--service", fmt::format("svc{}", i), "bump", "--direct", "--value", fmt::format("sha-{}", i)}, a.repo,
                a.env);
        });
    }
    for (std::thread& pipeline : pipelines) {
        pipeline.join();
    }
    for (const auto& run : runs) {
        INFO(run.err);
        CHECK(run.exit_code == 0);
    }
    for (int i = 0; i < k_services; ++i) {
        CHECK(git(a.bare, {"show", fmt::format("main:apps/svc{}/values.yaml", i)}) ==
              fmt::format("image:\n  tag: sha-{}  # pipe", i));
    }
}

TEST_CASE("GitHub failures in API mode: bad token, lost permission, a PR POST is not repeated", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    Environment bad = a.env;
    bad["PIPE_GITHUB_TOKEN"] = "wrong-token";
    auto refused = run_pipe({"--service", "svc0", "bump", "--value", "sha-x"}, a.repo, bad);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("PIPE_GITHUB_TOKEN") != std::string::npos);
    CHECK(refused.err.find("wrong-token") == std::string::npos);

    a.github->set_faults(
        nlohmann::json::array({{{"method", "POST"}, {"path_regex", "/pulls$"}, {"status", 502}, {"times", 1}}}));
    auto broken = run_pipe({"--service", "svc1", "bump", "--value", "sha-y"}, a.repo, a.env);
    CHECK(broken.exit_code == 3);
    CHECK(a.github->state()["pulls"].empty());
    // The next run finds no PR and opens exactly one.
    auto retried = run_pipe({"--service", "svc1", "bump", "--value", "sha-y"}, a.repo, a.env);
    INFO(retried.err);
    CHECK(retried.exit_code == 0);
    CHECK(a.github->state()["pulls"].size() == 1);
}

TEST_CASE("supersede closes the older bump pull requests of the same service, with a link", "[integration][bump]") {
    TempDir dir;
    Api a(dir, "      branch: bump/{service}-{value}\n      supersede: true\n");
    auto other = run_pipe({"--service", "svc1", "bump", "--value", "sha-x"}, a.repo, a.env);
    REQUIRE(other.exit_code == 0);
    auto first = run_pipe({"--service", "svc0", "bump", "--value", "sha-one"}, a.repo, a.env);
    REQUIRE(first.exit_code == 0);
    auto second = run_pipe({"--service", "svc0", "bump", "--value", "sha-two", "--json"}, a.repo, a.env);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    const auto doc = nlohmann::json::parse(second.out);
    CHECK(doc["services"][0]["branch"] == "bump/svc0-sha-two");
    CHECK(doc["services"][0]["pull_request"]["operation"] == "created");
    CHECK(doc["services"][0]["superseded"] == nlohmann::json::array({2}));
    const nlohmann::json pulls = a.github->state()["pulls"];
    REQUIRE(pulls.size() == 3);
    CHECK(pulls[0]["state"] == "open");  // svc1's
    CHECK(pulls[1]["state"] == "closed");
    REQUIRE(pulls[1]["comments"].size() == 1);
    CHECK(pulls[1]["comments"][0].get<std::string>().find("Superseded by #3") != std::string::npos);
    CHECK(pulls[2]["state"] == "open");
    CHECK(second.err.find("closed #2") != std::string::npos);
}

TEST_CASE("a pull request another pipeline opened meanwhile (422) is found and updated", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    REQUIRE(run_pipe({"--service", "svc3", "bump", "--value", "sha-one"}, a.repo, a.env).exit_code == 0);
    // The next run lists no open pull request (the other pipeline's was not there yet), so it
    // POSTs one and GitHub answers 422 "A pull request already exists".
    a.github->set_faults(nlohmann::json::array(
        {{{"method", "GET"}, {"path_regex", "/pulls$"}, {"status", 200}, {"body", nlohmann::json::array()}}}));
    auto raced = run_pipe({"--service", "svc3", "bump", "--value", "sha-two", "--json"}, a.repo, a.env);
    INFO(raced.err);
    REQUIRE(raced.exit_code == 0);
    CHECK(nlohmann::json::parse(raced.out)["services"][0]["pull_request"]["operation"] == "updated");
    const nlohmann::json pulls = a.github->state()["pulls"];
    REQUIRE(pulls.size() == 1);
    CHECK(pulls[0]["title"].get<std::string>().find("sha-two") != std::string::npos);
}

TEST_CASE("GitHub rate limits in API mode are waited out, then the bump lands", "[integration][bump]") {
    TempDir dir;
    Api a(dir);
    a.github->set_faults(nlohmann::json::array(
        {{{"method", "GET"}, {"path_regex", "/contents/"}, {"status", 403}, {"headers", {{"Retry-After", "1"}}}},
         {{"method", "POST"}, {"path_regex", "/git/trees$"}, {"status", 429}, {"headers", {{"Retry-After", "1"}}}},
         {{"method", "GET"},
          {"path_regex", "/git/ref/"},
          {"status", 403},
          {"headers",
           {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(std::time(nullptr) + 1)}}}}}));
    const auto started = std::chrono::steady_clock::now();
    auto run = run_pipe({"--service", "svc4", "bump", "--value", "sha-rl"}, a.repo, a.env);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::seconds(2));
    for (const nlohmann::json& rule : a.github->faults()) {
        CHECK(rule["hits"] == 1);
    }
    CHECK(git(a.bare, {"show", "bump/svc4:apps/svc4/values.yaml"}) == "image:\n  tag: sha-rl  # pipe");
}
