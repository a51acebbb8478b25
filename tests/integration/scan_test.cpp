// `pipe scan` end to end: a real build and push to docker-registry on loopback, then Trivy (the
// fake in tests/fakes/fake-trivy; the real one in the hidden [real-tools] case) on the pushed
// digest: the gate's exit codes, every report file, the cache, credentials only through
// DOCKER_CONFIG, Trivy failures and crashes that never pass, the DB rate-limit fallback.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/core/timestamp.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

using pipeline::Environment;
using pipeline::testing::BuildahStorage;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::string data(const std::string& name) {
    return std::string(PIPE_TEST_DATA) + "/trivy/" + name;
}

// A repository whose image was built and pushed, and an environment with trivy on PATH: the fake,
// or with real set the trivy already on PATH.
struct Scanned {
    explicit Scanned(const TempDir& dir, const std::string& report = "mixed.json", bool real = false)
        : storage(dir), registry(dir.path()) {
        repo = pipeline::testing::service_repository(
            dir.path() / "repo",
            {{"pipe.yaml", "image: " + registry.host() + "/acme/api\nregistry:\n  insecure: true\n"},
             {"Containerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
             {"hello.txt", "hello\n"}});
        env = storage.env();
        const std::filesystem::path bin = dir.path() / "bin";
        std::filesystem::create_directories(bin);
        if (!real) {
            std::filesystem::create_symlink(std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-trivy", bin / "trivy");
        }
        const char* path = std::getenv("PATH");
        env["PATH"] = bin.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin");
        log = dir.path() / "trivy-calls.jsonl";
        env["FAKE_TRIVY_LOG"] = log.string();
        env["FAKE_TRIVY_REPORT"] = data(report);
        env["PIPE_REGISTRY_USERNAME"] = "ci";
        env["PIPE_REGISTRY_PASSWORD"] = "scan-secret-value";
        auto build = run_pipe({"build"}, repo, env);
        INFO(build.err);
        REQUIRE(build.exit_code == 0);
        auto push = run_pipe({"push"}, repo, env);
        INFO(push.err);
        REQUIRE(push.exit_code == 0);
        pinned = push.out.substr(0, push.out.find('\n'));
    }

    // The recorded trivy calls, one JSON object each.
    std::vector<nlohmann::json> calls() const {
        std::vector<nlohmann::json> parsed;
        std::istringstream in(read_file(log));
        for (std::string line; std::getline(in, line);) {
            parsed.push_back(nlohmann::json::parse(line));
        }
        return parsed;
    }

    // The last `trivy image` call.
    nlohmann::json last_image_call() const {
        nlohmann::json last;
        for (const auto& call : calls()) {
            if (call["argv"][0] == "image") {
                last = call;
            }
        }
        return last;
    }

    std::size_t image_calls() const {
        std::size_t count = 0;
        for (const auto& call : calls()) {
            count += call["argv"][0] == "image" ? 1 : 0;
        }
        return count;
    }

    BuildahStorage storage;
    LocalRegistry registry;
    std::filesystem::path repo;
    std::filesystem::path log;
    Environment env;
    std::string pinned;
};

}  // namespace

TEST_CASE("pipe scan fails the gate on CRITICAL/HIGH and writes every report", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir);
    auto run = run_pipe({"scan", "--sarif", "out.sarif", "--junit", "out.xml", "--output", "raw.json"}, s.repo, s.env);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::StartsWith("CRITICAL: 2, HIGH: 3, MEDIUM: 1, LOW: 1, UNKNOWN: 1\n"));
    CHECK_THAT(run.out, Catch::Contains("CVE-2024-0001") && Catch::Contains("3.0.15-1~deb12u1"));
    CHECK_THAT(run.err, Catch::Contains("failed the gate: 5 finding(s) at CRITICAL,HIGH"));
    CHECK(run.err.find("scan-secret-value") == std::string::npos);

    auto sarif = nlohmann::json::parse(read_file(s.repo / "out.sarif"));
    CHECK(sarif["version"] == "2.1.0");
    CHECK(sarif["runs"][0]["results"].size() == 8);
    CHECK_THAT(read_file(s.repo / "out.xml"), Catch::Contains("<testsuites"));
    CHECK(nlohmann::json::parse(read_file(s.repo / "raw.json"))["ArtifactName"] == s.pinned);

    const auto scan = s.last_image_call();
    CHECK(scan["argv"][0] == "image");
    CHECK(scan["argv"].back() == s.pinned);
    CHECK_FALSE(scan["docker_config"].get<std::string>().empty());
    CHECK(scan["secret_env"].empty());
    CHECK(scan.dump().find("scan-secret-value") == std::string::npos);
    CHECK(scan.dump().find("--insecure") != std::string::npos);

    auto state = nlohmann::json::parse(read_file(s.repo / ".pipe/state.json"));
    const auto& section = state["services"]["api"]["scan"];
    CHECK(section["passed"] == false);
    CHECK(section["failing"] == 5);
    CHECK(section["counts"]["CRITICAL"] == 2);
    CHECK(section["digest"] == s.pinned.substr(s.pinned.find('@') + 1));
}

TEST_CASE("pipe scan: clean images pass, --fail-on none reports only, --json shape", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir, "clean.json");
    auto clean = run_pipe({"--json", "scan"}, s.repo, s.env);
    INFO(clean.err);
    CHECK(clean.exit_code == 0);
    auto doc = nlohmann::json::parse(clean.out);
    CHECK(doc["image"] == s.pinned);
    CHECK(doc["digest"] == s.pinned.substr(s.pinned.find('@') + 1));
    CHECK(doc["passed"] == true);
    CHECK(doc["failing"] == 0);
    CHECK(doc["counts"] == nlohmann::json{{"CRITICAL", 0}, {"HIGH", 0}, {"MEDIUM", 0}, {"LOW", 0}, {"UNKNOWN", 0}});
    CHECK_THAT(doc["report"].get<std::string>(), Catch::Contains(".pipe/scan/"));

    s.env["FAKE_TRIVY_REPORT"] = data("mixed.json");
    auto report_only = run_pipe({"--json", "scan", "--fail-on", "none", "--no-cache"}, s.repo, s.env);
    CHECK(report_only.exit_code == 0);
    CHECK(nlohmann::json::parse(report_only.out)["counts"]["CRITICAL"] == 2);
    auto unfixed = run_pipe({"scan", "--severity", "HIGH", "--ignore-unfixed", "--no-cache"}, s.repo, s.env);
    CHECK(unfixed.exit_code == 1);
    CHECK_THAT(unfixed.err, Catch::Contains("2 finding(s) at HIGH"));
}

TEST_CASE("pipe scan reuses the report for the same digest and DB", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir, "clean.json");
    REQUIRE(run_pipe({"scan"}, s.repo, s.env).exit_code == 0);
    CHECK(s.image_calls() == 1);
    auto again = run_pipe({"scan"}, s.repo, s.env);
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.err, Catch::Contains("reused the report"));
    CHECK(s.image_calls() == 1);
    s.env["FAKE_TRIVY_DB_UPDATED"] = "2026-11-27T06:00:00Z";
    REQUIRE(run_pipe({"scan"}, s.repo, s.env).exit_code == 0);
    CHECK(s.image_calls() == 2);
    REQUIRE(run_pipe({"scan", "--no-cache"}, s.repo, s.env).exit_code == 0);
    CHECK(s.image_calls() == 3);
}

TEST_CASE("a Trivy that fails, crashes or writes garbage never passes", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir, "clean.json");
    s.env["FAKE_TRIVY_MODE"] = "fail";
    auto failed = run_pipe({"scan"}, s.repo, s.env);
    CHECK(failed.exit_code == 3);
    CHECK_THAT(failed.err, Catch::Contains("failed (exit 1): FATAL") && Catch::Contains("unable to inspect"));
    s.env["FAKE_TRIVY_MODE"] = "crash";
    auto crashed = run_pipe({"scan", "--no-cache"}, s.repo, s.env);
    CHECK(crashed.exit_code == 3);
    CHECK_THAT(crashed.err, Catch::Contains("killed by signal 9"));
    s.env["FAKE_TRIVY_MODE"] = "garbage";
    auto garbage = run_pipe({"scan", "--no-cache"}, s.repo, s.env);
    CHECK(garbage.exit_code == 3);
    CHECK_THAT(garbage.err, Catch::Contains("not valid JSON"));
    s.env.erase("FAKE_TRIVY_MODE");
    s.env["PATH"] = (dir.path() / "empty").string();
    auto missing = run_pipe({"scan", "--no-cache"}, s.repo, s.env);
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.err, Catch::Contains("install Trivy"));
}

TEST_CASE("a DB download failure falls back to a recent cached DB, not an old one", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir, "clean.json");
    s.env["FAKE_TRIVY_MODE"] = "db-rate-limit";
    s.env["FAKE_TRIVY_DB_UPDATED"] = pipeline::rfc3339_utc(std::chrono::system_clock::now() - std::chrono::hours(5));
    auto recent = run_pipe({"scan"}, s.repo, s.env);
    INFO(recent.err);
    CHECK(recent.exit_code == 0);
    CHECK_THAT(recent.err, Catch::Contains("scanning with the cached DB"));
    CHECK(s.last_image_call()["argv"].dump().find("--skip-db-update") != std::string::npos);

    s.env["FAKE_TRIVY_DB_UPDATED"] = "2020-01-01T00:00:00Z";
    auto old = run_pipe({"scan"}, s.repo, s.env);
    CHECK(old.exit_code == 3);
    CHECK_THAT(old.err, Catch::Contains("TOOMANYREQUESTS") && Catch::Contains("--skip-db-update"));
}

TEST_CASE("pipe scan IMAGE:TAG resolves the tag to its digest first", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir, "clean.json");
    const std::string tagged = s.registry.host() + "/acme/api:main";
    auto run = run_pipe({"scan", tagged, "--sbom", "sbom.cdx.json", "--sbom-format", "cyclonedx"}, s.repo, s.env);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.err, Catch::Contains("(resolved from " + tagged + ")"));
    CHECK(s.calls().back()["argv"][0] == "convert");
    CHECK(nlohmann::json::parse(read_file(s.repo / "sbom.cdx.json"))["bomFormat"] == "CycloneDX");
    auto state = nlohmann::json::parse(read_file(s.repo / ".pipe/state.json"));
    CHECK(state["services"]["api"]["scan"]["sbom_format"] == "cyclonedx");
    auto missing = run_pipe({"scan", s.registry.host() + "/acme/api:nope"}, s.repo, s.env);
    CHECK(missing.exit_code == 2);
}

TEST_CASE("pipe scan --local scans the built image from an OCI layout export", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir);
    auto run = run_pipe({"scan", "--local"}, s.repo, s.env);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    const auto call = s.last_image_call();
    const std::string argv = call["argv"].dump();
    CHECK(argv.find("\"--input\"") != std::string::npos);
    CHECK_THAT(call["argv"].back().get<std::string>(), Catch::EndsWith("/layout"));
    auto plan = run_pipe({"--dry-run", "scan", "--local"}, s.repo, s.env);
    CHECK(plan.exit_code == 0);
    CHECK_THAT(plan.out, Catch::Contains("buildah") && Catch::Contains(" oci:") && Catch::Contains("--input"));
}

TEST_CASE("pipe scan in GitHub Actions: summary, annotations, outputs", "[integration][scan][buildah]") {
    TempDir dir;
    Scanned s(dir);
    dir.write("summary.md", "");
    dir.write("outputs.txt", "");
    s.env["GITHUB_ACTIONS"] = "true";
    s.env["GITHUB_STEP_SUMMARY"] = (dir.path() / "summary.md").string();
    s.env["GITHUB_OUTPUT"] = (dir.path() / "outputs.txt").string();
    s.env["GITHUB_EVENT_NAME"] = "push";
    s.env["GITHUB_REF"] = "refs/heads/main";
    s.env["GITHUB_SHA"] = pipeline::testing::git(s.repo, {"rev-parse", "HEAD"});
    s.env["GITHUB_REPOSITORY"] = "acme/api";
    auto run = run_pipe({"scan"}, s.repo, s.env);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err, Catch::Contains("::error title=CRITICAL CVE-2024-0001::libssl3"));
    CHECK_THAT(run.err, Catch::Contains("::group::trivy image api"));
    CHECK_THAT(read_file(dir.path() / "summary.md"), Catch::Contains("**Failed**: 5 finding(s)"));
    CHECK_THAT(read_file(dir.path() / "outputs.txt"),
               Catch::Contains("passed=false\n") && Catch::Contains("failing=5\n"));
}

// Hidden unless asked for (`integration_tests "[real-tools]"` with PIPE_TEST_REAL_TOOLS=1 and a
// real trivy on PATH, which needs network for its DB): the same build, push and scan against the
// real scanner, whose verdict on a FROM scratch image with one text file must be clean.
TEST_CASE("pipe scan with the real Trivy", "[.][real-tools][integration][buildah]") {
    const char* flag = std::getenv("PIPE_TEST_REAL_TOOLS");
    REQUIRE(flag != nullptr);
    REQUIRE(std::string(flag) == "1");
    TempDir dir;
    Scanned s(dir, "clean.json", true);
    auto run = run_pipe({"--json", "scan", "--sarif", "real.sarif"}, s.repo, s.env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["passed"] == true);
    CHECK(doc["digest"] == s.pinned.substr(s.pinned.find('@') + 1));
    CHECK(nlohmann::json::parse(read_file(s.repo / "real.sarif"))["version"] == "2.1.0");
}
