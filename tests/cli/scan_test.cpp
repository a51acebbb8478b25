// `pipe scan` contract without Trivy or a registry: what it refuses before running anything.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::filesystem::path repository(const TempDir& dir, const std::string& yaml = "image: 127.0.0.1:5000/acme/api\n") {
    return pipeline::testing::service_repository(dir.path() / "repo",
                                                 {{"pipe.yaml", yaml}, {"Containerfile", "FROM scratch\n"}});
}

}  // namespace

TEST_CASE("pipe scan without a pushed image says what to run", "[cli][scan]") {
    TempDir dir;
    auto repo = repository(dir);
    auto run = run_pipe({"scan"}, repo);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("no pushed image recorded") && Catch::Contains("run `pipe push` first"));
}

TEST_CASE("pipe scan rejects unknown severities, formats and missing ignore files", "[cli][scan]") {
    TempDir dir;
    auto repo = repository(dir);
    auto severity = run_pipe({"scan", "--severity", "CRITICAL,SEVERE", "127.0.0.1:5000/acme/api:1"}, repo);
    CHECK(severity.exit_code == 2);
    CHECK_THAT(severity.err, Catch::Contains("--severity: unknown severity 'SEVERE'"));
    auto format = run_pipe({"scan", "--sbom-format", "xml", "127.0.0.1:5000/acme/api:1"}, repo);
    CHECK(format.exit_code == 2);
    TempDir other;
    auto bad_config = repository(other, "image: 127.0.0.1:5000/acme/api\nscan:\n  severity: BAD\n");
    auto located = run_pipe({"scan", "127.0.0.1:5000/acme/api@sha256:" + std::string(64, 'a')}, bad_config);
    CHECK(located.exit_code == 2);
    CHECK_THAT(located.err, Catch::Contains("pipe.yaml:3:13"));
    TempDir third;
    auto ignore = repository(third, "image: 127.0.0.1:5000/acme/api\nscan:\n  ignore_file: .trivyignore.yaml\n");
    auto missing = run_pipe({"scan", "127.0.0.1:5000/acme/api@sha256:" + std::string(64, 'a')}, ignore);
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("pipe.yaml:3:16") && Catch::Contains("does not exist"));
}

TEST_CASE("pipe scan --from-report judges an existing Trivy report without running Trivy", "[cli][scan]") {
    TempDir dir;
    auto repo = repository(dir);
    const std::string report = std::string(PIPE_TEST_DATA) + "/trivy/mixed.json";
    auto run = run_pipe({"scan", "--from-report", report}, repo, {{"PATH", (dir.path() / "no-tools").string()}});
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::StartsWith("CRITICAL: 2, HIGH: 3, MEDIUM: 1, LOW: 1, UNKNOWN: 1\n"));
    auto json = run_pipe({"--json", "scan", "--from-report", report, "--fail-on", "none"}, repo);
    CHECK(json.exit_code == 0);
    CHECK_THAT(json.out, Catch::Contains("\"digest\": \"sha256:" + std::string(64, 'a') + "\""));
    auto missing = run_pipe({"scan", "--from-report", "nope.json"}, repo);
    CHECK(missing.exit_code == 2);
    auto both = run_pipe({"scan", "--from-report", report, "--local"}, repo);
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Catch::Contains("give one of them"));
}
