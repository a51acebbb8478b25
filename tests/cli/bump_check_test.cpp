// `pipe bump --check` in a checkout of a config repository: exit 0 when a change only moves image
// versions, 1 (with file:line:column of each other change) when it touches anything else, 2 when
// the base cannot be found; the base comes from --against, GITHUB_BASE_REF or HEAD^.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::Environment;
using pipeline::testing::commit_file;
using pipeline::testing::git;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

const char* const k_values = "image:\n  repository: ghcr.io/acme/api\n  tag: sha-1  # bumped by pipe\nreplicas: 2\n";

std::filesystem::path config_repository(const TempDir& dir) {
    return pipeline::testing::service_repository(dir.path() / "k8s-config", {{"apps/api/values.yaml", k_values}});
}

}  // namespace

TEST_CASE("pipe bump --check passes a change of image versions only", "[cli][bump]") {
    TempDir dir;
    const auto repo = config_repository(dir);
    commit_file(repo, "apps/api/values.yaml",
                "image:\n  repository: ghcr.io/acme/api\n  tag: sha-2  # bumped by pipe\nreplicas: 2\n", "bump api");
    auto run = run_pipe({"bump", "--check"}, repo);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("apps/api/values.yaml:3:8: image.tag: sha-1 -> sha-2 (image version)") != std::string::npos);
    CHECK(run.err.find("only image versions change") != std::string::npos);
    CHECK(run.err.find("(HEAD^)") != std::string::npos);
}

TEST_CASE("pipe bump --check fails a change that touches anything else, naming where", "[cli][bump]") {
    TempDir dir;
    const auto repo = config_repository(dir);
    const std::string base = git(repo, {"rev-parse", "HEAD"});
    commit_file(repo, "apps/api/values.yaml",
                "image:\n  repository: ghcr.io/acme/api\n  tag: sha-2  # bumped by pipe\nreplicas: 5\n", "bump api");
    commit_file(repo, "apps/api/extra.yaml", "kind: Secret\n", "sneak a file in");
    auto run = run_pipe({"bump", "--check", "--against", base, "--json"}, repo);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    const auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["only_image_versions"] == false);
    CHECK(doc["files"] == 2);
    CHECK(doc["base"] == base);
    REQUIRE(doc["findings"].size() == 3);
    CHECK(doc["findings"][0]["file"] == "apps/api/extra.yaml");
    CHECK(doc["findings"][0]["description"] == "file added");
    CHECK(doc["findings"][1]["image_version"] == true);
    CHECK(doc["findings"][2]["path"] == "replicas");
    CHECK(doc["findings"][2]["line"] == 4);

    auto allowed = run_pipe({"bump", "--check", "--against", "HEAD~1", "--key", "replicas"}, repo);
    CHECK(allowed.exit_code == 1);  // HEAD~1..HEAD adds a file
    commit_file(repo, "apps/api/values.yaml",
                "image:\n  repository: ghcr.io/acme/api\n  tag: sha-3  # bumped by pipe\nreplicas: 6\n", "scale");
    CHECK(run_pipe({"bump", "--check", "--key", "replicas"}, repo).exit_code == 0);
    CHECK(run_pipe({"bump", "--check"}, repo).exit_code == 1);
}

TEST_CASE("pipe bump --check finds the pull request's base through GITHUB_BASE_REF", "[cli][bump]") {
    TempDir dir;
    const auto origin = config_repository(dir);
    const auto clone = dir.path() / "clone";
    git(dir.path(), {"clone", "-q", origin.string(), clone.string()});
    git(clone, {"checkout", "-q", "-b", "bump/api"});
    commit_file(clone, "apps/api/values.yaml",
                "image:\n  repository: ghcr.io/acme/api\n  tag: sha-2  # bumped by pipe\nreplicas: 2\n", "bump api");
    commit_file(clone, "README.md", "docs\n", "docs too");
    Environment env{{"GITHUB_BASE_REF", "main"}};
    auto run = run_pipe({"bump", "--check"}, clone, env);
    INFO(run.err);
    CHECK(run.exit_code == 1);  // two commits since the merge base: the README counts
    CHECK(run.err.find("merge base with origin/main") != std::string::npos);
    CHECK(run.out.find("README.md: changed, and not a YAML file") != std::string::npos);

    Environment missing{{"GITHUB_BASE_REF", "release"}};
    auto unknown = run_pipe({"bump", "--check"}, clone, missing);
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("origin/release is not in this checkout") != std::string::npos);
    CHECK(unknown.err.find("fetch-depth: 0") != std::string::npos);
}

TEST_CASE("pipe bump --check refuses bump flags and runs outside git only with an error", "[cli][bump]") {
    TempDir dir;
    const auto repo = config_repository(dir);
    CHECK(run_pipe({"bump", "--check", "--direct"}, repo).exit_code == 2);
    CHECK(run_pipe({"bump", "--against", "HEAD"}, repo).exit_code == 2);
    pipeline::testing::init_repository(dir.path() / "fresh");
    auto first = run_pipe({"bump", "--check"}, dir.path() / "fresh");
    CHECK(first.exit_code == 2);  // a first commit has no parent
    CHECK(first.err.find("HEAD has no parent") != std::string::npos);
    std::filesystem::create_directories(dir.path() / "plain");
    auto outside = run_pipe({"bump", "--check"}, dir.path() / "plain");
    CHECK(outside.exit_code == 2);
    CHECK(outside.err.find("not inside a git repository") != std::string::npos);
}
