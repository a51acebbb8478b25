// `pipe run` end to end: real buildah and docker-registry on loopback, the fake Trivy, pipe's
// native signer (no cosign here) and a file:// config repository. The whole run, then the same
// steps as separate processes: both run records compare equal apart from durations, timestamps
// and the bump commit's id. A CRITICAL finding stops the run with exit 1 before sign and bump.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>

using pipeline::Environment;
using pipeline::testing::BuildahStorage;
using pipeline::testing::git;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

// A service repository that builds, pushes, scans, signs with a key and bumps a bare config
// repository over file://, with the fake Trivy on PATH reporting report.
struct Pipeline {
    Pipeline(const TempDir& dir, const std::string& report) : storage(dir), registry(dir.path()) {
        const std::filesystem::path seed = dir.path() / "config-seed";
        pipeline::testing::service_repository(seed, {{"values.yaml", "image:\n  tag: \"sha-old\"  # bumped\n"}});
        bare = dir.path() / "config.git";
        git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
        key = dir.path() / "keys" / "cosign.key";
        std::filesystem::create_directories(key.parent_path());
        repo = pipeline::testing::service_repository(
            dir.path() / "repo",
            {{"pipe.yaml", fmt::format("image: {}/acme/api\nregistry:\n  insecure: true\n"
                                       "sign:\n  key: {}\n  tlog_upload: false\n"
                                       "bump:\n  - url: file://{}\n    file: values.yaml\n    key: image.tag\n",
                                       registry.host(), key.string(), bare.string())},
             {"Containerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
             {"hello.txt", "hello\n"}});
        env = storage.env();
        const std::filesystem::path bin = dir.path() / "bin";
        std::filesystem::create_directories(bin);
        std::filesystem::create_symlink(std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-trivy", bin / "trivy");
        const char* path = std::getenv("PATH");
        env["PATH"] = bin.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin");
        env["FAKE_TRIVY_LOG"] = (dir.path() / "trivy-calls.jsonl").string();
        env["FAKE_TRIVY_REPORT"] = std::string(PIPE_TEST_DATA) + "/trivy/" + report;
        env["COSIGN_PASSWORD"] = "run-test-password";
        auto generated = run_pipe({"sign", "--generate-key", "--key", key.string()}, repo, env);
        INFO(generated.err);
        REQUIRE(generated.exit_code == 0);
    }

    nlohmann::json record() const { return nlohmann::json::parse(read_file(repo / ".pipe/run.json")); }

    BuildahStorage storage;
    LocalRegistry registry;
    std::filesystem::path bare, key, repo;
    Environment env;
};

// The record without what differs between two runs of the same commit.
nlohmann::json comparable(nlohmann::json record) {
    for (nlohmann::json& step : record["steps"]) {
        step.erase("duration_seconds");
        step.erase("finished_at");
        if (step.contains("result")) {
            for (nlohmann::json& service : step["result"]["services"]) {
                service.erase("duration_ms");
                service.erase("commit");
            }
        }
    }
    for (nlohmann::json& service : record["services"]) {
        for (nlohmann::json& bumped : service["bump"]) {
            bumped.erase("duration_ms");
            bumped.erase("commit");
        }
    }
    return record;
}

}  // namespace

TEST_CASE("pipe run gives the same record as the steps run one by one", "[integration][run]") {
    TempDir dir;
    Pipeline p(dir, "clean.json");
    const std::string sha = git(p.repo, {"rev-parse", "HEAD"});
    auto run = run_pipe(
        {"--json", "run", "--step-arg", "build=--skip-unchanged", "--metrics", (dir.path() / "pipe.prom").string()},
        p.repo, p.env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json printed = nlohmann::json::parse(run.out);
    const nlohmann::json whole = p.record();
    CHECK(printed == whole);
    CHECK(whole["commit"] == sha);
    std::vector<std::string> steps;
    for (const nlohmann::json& step : whole["steps"]) {
        steps.push_back(step["step"]);
        CHECK(step["exit_code"] == 0);
    }
    CHECK(steps == std::vector<std::string>{"build", "push", "scan", "sign", "bump"});
    REQUIRE(whole["services"].size() == 1);
    const nlohmann::json& api = whole["services"][0];
    const std::string digest = api["push"]["digest"];
    CHECK(api["push"]["pinned"] == p.registry.host() + "/acme/api@" + digest);
    CHECK(api["scan"]["digest"] == digest);
    CHECK(api["scan"]["passed"] == true);
    CHECK(api["sign"]["method"] == "native key");
    CHECK(api["bump"][0]["changed"] == true);
    CHECK(api["bump"][0]["new"] == "sha-" + sha);
    CHECK_THAT(run.err, Catch::Contains("pipe: step ") && Catch::Contains("duration"));
    CHECK_THAT(read_file(dir.path() / "pipe.prom"),
               Catch::Contains("pipe_step_success{step=\"bump\",service=\"api\"} 1") && Catch::EndsWith("# EOF\n"));

    // The same steps one by one, from a clean state and a config repository without pipe's branch.
    std::filesystem::remove_all(p.repo / ".pipe");
    git(p.bare, {"branch", "-D", "bump/api"});
    for (const std::vector<std::string>& step :
         std::vector<std::vector<std::string>>{{"build", "--skip-unchanged"}, {"push"}, {"scan"}, {"sign"}, {"bump"}}) {
        auto ran = run_pipe(step, p.repo, p.env);
        INFO(step[0] << ": " << ran.err);
        REQUIRE(ran.exit_code == 0);
    }
    CHECK(comparable(p.record()) == comparable(whole));
}

TEST_CASE("a CRITICAL finding stops pipe run with exit 1 before sign and bump", "[integration][run]") {
    TempDir dir;
    Pipeline p(dir, "mixed.json");
    auto run = run_pipe({"run"}, p.repo, p.env);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err, Catch::Contains("failed (exit 1)") && Catch::Contains("not run"));
    const nlohmann::json record = p.record();
    REQUIRE(record["steps"].size() == 3);
    CHECK(record["steps"][2]["step"] == "scan");
    CHECK(record["steps"][2]["exit_code"] == 1);
    CHECK(record["services"][0]["scan"]["passed"] == false);
    CHECK_FALSE(record["services"][0].contains("sign"));
    const std::string digest = record["services"][0]["push"]["digest"];
    for (const std::string& tag : p.registry.skopeo_tags("acme/api")) {
        CHECK(tag != "sha256-" + digest.substr(7) + ".sig");
    }
    CHECK(git(p.bare, {"branch", "--list", "bump/api"}).empty());
}
