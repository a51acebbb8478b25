// `pipe doctor` with PATH holding only fake tools (tests/helpers/doctor_tools.h): versions missing,
// old or fine, a stale Trivy DB, a broken buildah storage and a broken pipe.yaml, checked by exit
// code, the printed fix and the --json document.
#include "doctor_tools.h"
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/core/timestamp.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::testing::DoctorTools;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

// Runs `pipe doctor args...` in dir with PATH holding only the fakes of tools.
pipeline::testing::PipeRun doctor(const TempDir& dir, const DoctorTools& tools, std::vector<std::string> args = {},
                                  const std::filesystem::path& cwd = {}) {
    const std::filesystem::path bin = pipeline::testing::write_doctor_tools(dir.path() / "bin", tools);
    args.insert(args.begin(), "doctor");
    return run_pipe(args, cwd.empty() ? dir.path() : cwd, {{"PATH", bin.string()}});
}

// A DB updated an hour ago, so the age check passes whenever the test runs.
std::string fresh_db() {
    return pipeline::rfc3339_utc(std::chrono::system_clock::now() - std::chrono::hours(1));
}

// The check named name in a --json document.
nlohmann::json check_named(const nlohmann::json& doc, const std::string& name) {
    for (const nlohmann::json& check : doc["checks"]) {
        if (check["name"] == name) {
            return check;
        }
    }
    FAIL("no check named " << name << " in " << doc.dump());
    return {};
}

}  // namespace

TEST_CASE("pipe doctor passes with every tool new enough, outside any repository", "[cli][doctor]") {
    TempDir dir;
    DoctorTools tools;
    tools.trivy_db_updated = fresh_db();
    auto run = doctor(dir, tools);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("ok      buildah                  1.28.2 (minimum 1.28)"));
    CHECK_THAT(run.out, Catch::Contains("ok      buildah storage          driver vfs (buildah's default)"));
    CHECK_THAT(run.out, Catch::Contains("ok      trivy                    0.58.1 (minimum 0.50)"));
    CHECK_THAT(run.out, Catch::Contains("ok      cosign                   2.4.1 (minimum 2.0) (optional"));
    CHECK_THAT(run.out, Catch::Contains("ok      git (libgit2)            1."));
    CHECK_THAT(run.out, Catch::Contains("skipped pipe.yaml                no pipe.yaml here"));
    CHECK_THAT(run.err, Catch::Contains("pipe: ready"));
    const std::string calls = pipeline::testing::read_file(dir.path() / "bin" / "calls.log");
    CHECK(calls == "buildah --version\nbuildah info\ntrivy version --format json\ncosign version --json\n");
}

TEST_CASE("pipe doctor --json prints every check with status, required, detail and fix", "[cli][doctor]") {
    TempDir dir;
    DoctorTools tools;
    tools.trivy_db_updated = fresh_db();
    tools.cosign.clear();
    auto run = doctor(dir, tools, {"--json"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    const auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["passed"] == true);
    CHECK(doc["checks"].size() == 7);
    const auto cosign = check_named(doc, "cosign");
    CHECK(cosign["status"] == "warn");
    CHECK(cosign["required"] == false);
    CHECK_THAT(cosign["detail"].get<std::string>(), Catch::Contains("not found on PATH (optional: pipe signs"));
    CHECK(check_named(doc, "trivy db")["status"] == "ok");
    CHECK(check_named(doc, "buildah")["required"] == true);
}

TEST_CASE("pipe doctor fails without buildah and says how to install it", "[cli][doctor]") {
    TempDir dir;
    DoctorTools tools;
    tools.buildah.clear();
    tools.trivy_db_updated = fresh_db();
    auto run = doctor(dir, tools);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::Contains("fail    buildah                  not found on PATH"));
    CHECK_THAT(run.out, Catch::Contains("fix: install buildah 1.28 or later: apt-get install buildah"));
    CHECK_THAT(run.out, Catch::Contains("skipped buildah storage          needs a working buildah"));
    CHECK_THAT(run.err, Catch::Contains("1 required check(s) failed"));
}

TEST_CASE("pipe doctor fails an old trivy, warns an old cosign and a stale DB", "[cli][doctor]") {
    TempDir dir;
    DoctorTools tools;
    tools.trivy = "0.49.1";
    auto old_trivy = doctor(dir, tools);
    CHECK(old_trivy.exit_code == 1);
    CHECK_THAT(old_trivy.out,
               Catch::Contains("fail    trivy                    0.49.1 is older than the minimum 0.50"));
    CHECK_THAT(old_trivy.out, Catch::Contains("skipped trivy db"));

    TempDir other;
    DoctorTools stale;
    stale.cosign = "v1.13.1";
    stale.trivy_db_updated = "2026-01-01T00:00:00Z";
    auto run = doctor(other, stale, {"--max-db-age", "24"});
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("warn    cosign                   1.13.1 is older than the minimum 2.0"));
    CHECK_THAT(run.out, Catch::Contains("warn    trivy db                 updated 2026-01-01T00:00:00Z") &&
                            Catch::Contains("older than 24 h"));
    CHECK_THAT(run.err, Catch::Contains("pipe: ready (2 warning(s))"));
}

TEST_CASE("pipe doctor fails when buildah's storage does not work and when pipe.yaml is broken", "[cli][doctor]") {
    TempDir dir;
    DoctorTools tools;
    tools.buildah_info_fails = true;
    tools.trivy_db_updated = fresh_db();
    auto storage = doctor(dir, tools);
    CHECK(storage.exit_code == 1);
    CHECK_THAT(storage.out, Catch::Contains("fail    buildah storage") && Catch::Contains("permission denied"));
    CHECK_THAT(storage.out, Catch::Contains("storage_driver: vfs, isolation: chroot"));

    TempDir other;
    auto repo = pipeline::testing::service_repository(
        other.path() / "repo", {{"pipe.yaml", "image: 127.0.0.1:5000/acme/api\nbuild:\n  isolation: jail\n"}});
    DoctorTools fine;
    fine.trivy_db_updated = fresh_db();
    auto config = doctor(other, fine, {}, repo);
    CHECK(config.exit_code == 1);
    CHECK_THAT(config.out, Catch::Contains("fail    pipe.yaml") && Catch::Contains("pipe.yaml:3:14"));
    CHECK_THAT(config.out, Catch::Contains("ok      buildah "));
}

TEST_CASE("pipe doctor reads storage driver and isolation from pipe.yaml", "[cli][doctor]") {
    TempDir dir;
    auto repo = pipeline::testing::service_repository(dir.path() / "repo",
                                                      {{"pipe.yaml",
                                                        "image: 127.0.0.1:1/acme/api\nbuild:\n  storage_driver: vfs\n"
                                                        "  isolation: chroot\n"}});
    DoctorTools tools;
    tools.trivy_db_updated = fresh_db();
    const std::filesystem::path bin = pipeline::testing::write_doctor_tools(dir.path() / "bin", tools);
    // The registry check is not wanted here: a closed loopback port fails it quickly.
    auto run = run_pipe({"doctor"}, repo, {{"PATH", bin.string()}});
    CHECK_THAT(run.out, Catch::Contains("driver vfs (pipe.yaml:3:19), isolation chroot (pipe.yaml:4:14)"));
    CHECK_THAT(pipeline::testing::read_file(bin / "calls.log"), Catch::Contains("buildah --storage-driver vfs info"));
}
