// `pipe run` contract without real tools: the plan and every step's dry run in order, unknown
// steps with "did you mean", one JSON document, and a failing step that stops the run with its
// exit code, the timing table, the run record (the same as the separate command's) and metrics.
// The end-to-end run against a registry is in tests/integration/run_test.cpp.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::testing::git;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::filesystem::path service_repository(const TempDir& dir) {
    return pipeline::testing::service_repository(dir.path() / "repo",
                                                 {{"pipe.yaml", "image: ghcr.io/acme/payments-api\n"},
                                                  {"Containerfile", "FROM scratch\nCOPY README.md /README.md\n"}});
}

// The record without what differs between runs: durations and timestamps.
nlohmann::json comparable(nlohmann::json record) {
    for (nlohmann::json& step : record["steps"]) {
        step.erase("duration_seconds");
        step.erase("finished_at");
    }
    return record;
}

}  // namespace

TEST_CASE("pipe --dry-run run shows the plan and each step's dry run in order", "[cli][run]") {
    TempDir dir;
    auto repo = service_repository(dir);
    pipeline::Environment env{{"PIPE_BUILDAH_ROOT", (dir.path() / "storage").string()}};
    auto run = run_pipe({"--dry-run", "run"}, repo, env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.err, Catch::Contains("pipe: plan: build runs     always"));
    CHECK_THAT(run.err, Catch::Contains("pipe: plan: sign  skipped  no sign: key configured"));
    CHECK_THAT(run.err, Catch::Contains("pipe: plan: bump  skipped  no bump: entries"));
    CHECK_THAT(run.err, Catch::Contains("pipe: plan: test  skipped  no test: command and no project type detected"));
    CHECK_THAT(run.out, Catch::Contains("buildah") && Catch::Contains("build --format oci"));
    CHECK_THAT(run.err, Catch::Contains("pipe: push cannot be planned before build ran"));
    CHECK_THAT(run.err, Catch::Contains("duration") && Catch::Contains("planned"));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe"));

    auto json = run_pipe({"--dry-run", "--json", "run", "build"}, repo, env);
    INFO(json.err);
    REQUIRE(json.exit_code == 0);
    auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["dry_run"] == true);
    CHECK(doc["plan"][1] == nlohmann::json{{"step", "build"},
                                           {"runs", true},
                                           {"reason", "asked for on the command line"},
                                           {"arguments", nlohmann::json::array()}});
    CHECK_THAT(json.err, Catch::Contains("buildah"));
}

TEST_CASE("pipe run rejects unknown steps and malformed step arguments with exit 2", "[cli][run]") {
    TempDir dir;
    auto repo = service_repository(dir);
    auto typo = run_pipe({"run", "biuld"}, repo);
    CHECK(typo.exit_code == 2);
    CHECK_THAT(typo.err,
               Catch::Contains("pipe: error: unknown step 'biuld'") && Catch::Contains("did you mean 'build'?"));
    auto from = run_pipe({"run", "--from", "sign", "--to", "build"}, repo);
    CHECK(from.exit_code == 2);
    CHECK_THAT(from.err, Catch::Contains("--from sign comes after --to build"));
    auto argument = run_pipe({"run", "--step-arg", "deploy=--now"}, repo);
    CHECK(argument.exit_code == 2);
    CHECK_THAT(argument.err, Catch::Contains("--step-arg 'deploy=--now'"));
    auto flag = run_pipe({"--dry-run", "run", "build", "--step-arg", "build=--no-such-flag"}, repo);
    CHECK(flag.exit_code == 2);
    CHECK_THAT(flag.err, Catch::Contains("--step-arg for build"));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe"));
}

TEST_CASE("a failing step stops pipe run with its exit code and is recorded like the separate command", "[cli][run]") {
    TempDir dir;
    auto repo = service_repository(dir);
    std::filesystem::create_directories(dir.path() / "empty-bin");
    pipeline::Environment env{{"PATH", (dir.path() / "empty-bin").string()}};
    auto run = run_pipe({"--json", "run", "--metrics", (dir.path() / "pipe.prom").string(), "--record",
                         (dir.path() / "record.json").string()},
                        repo, env);
    INFO(run.err);
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("failed (exit 3)") && Catch::Contains("not run"));
    CHECK_THAT(run.err, Catch::Contains("pipe: error:") && Catch::Contains("buildah"));
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["error"]["exit_code"] == 3);
    const std::string sha = git(repo, {"rev-parse", "HEAD"});
    auto recorded = nlohmann::json::parse(read_file(repo / ".pipe/run.json"));
    CHECK(recorded["commit"] == sha);
    REQUIRE(recorded["steps"].size() == 1);
    CHECK(recorded["steps"][0]["step"] == "build");
    CHECK(recorded["steps"][0]["exit_code"] == 3);
    CHECK(nlohmann::json::parse(read_file(dir.path() / "record.json")) == recorded);
    const std::string metrics = read_file(dir.path() / "pipe.prom");
    CHECK_THAT(metrics, Catch::Contains("pipe_step_success{step=\"build\",service=\"payments-api\"} 0\n") &&
                            Catch::EndsWith("# EOF\n"));

    std::filesystem::remove(repo / ".pipe/run.json");
    auto separate = run_pipe({"build"}, repo, env);
    CHECK(separate.exit_code == 3);
    CHECK(comparable(nlohmann::json::parse(read_file(repo / ".pipe/run.json"))) == comparable(recorded));
}
