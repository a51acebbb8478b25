// The test step with a recording runner: which commands a configuration, a flag or detection
// plans, extra arguments, environment and time limit, the verdicts (pass, fail, cannot start,
// test tool missing, nothing to run) and what the state file records.
#include "fake_buildah_runner.h"
#include "git_fixture.h"
#include "temp_dir.h"

#include <pipe/proc/recording_runner.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/test_step.h>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using pipeline::ErrorKind;
using pipeline::proc::RecordingRunner;
using pipeline::steps::plan_test;
using pipeline::steps::run_test;
using pipeline::steps::TestOptions;
using pipeline::steps::Workspace;
using pipeline::testing::exited;
using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::read_file;
using pipeline::testing::TempDir;

namespace {

using Argv = std::vector<std::string>;

// A committed repository with the given files.
void repository(const TempDir& dir, std::initializer_list<std::pair<std::string, std::string>> files) {
    init_repository(dir.path());
    for (const auto& [name, text] : files) {
        dir.write(name, text);
    }
    git(dir.path(), {"add", "."});
    git(dir.path(), {"commit", "-q", "-m", "project"});
}

Workspace open(const TempDir& dir) {
    pipeline::steps::WorkspaceOptions options;
    options.directory = dir.path();
    options.git_optional = true;
    auto workspace = pipeline::steps::open_workspace(options, {});
    INFO((workspace ? "" : workspace.error().message));
    REQUIRE(workspace.has_value());
    return *workspace;
}

std::vector<Argv> argvs(const pipeline::steps::TestPlan& plan) {
    std::vector<Argv> all;
    for (const auto& command : plan.commands) {
        all.push_back(command.argv);
    }
    return all;
}

nlohmann::json recorded(const TempDir& dir) {
    return nlohmann::json::parse(read_file(pipeline::state::state_path(dir.path())));
}

}  // namespace

TEST_CASE("a configured argv runs as given, with extra arguments, env and the root as cwd", "[test-step]") {
    TempDir dir;
    repository(dir, {{"pipe.yaml", "test:\n  command: [make, check]\n  env:\n    CI: \"true\"\n"}, {"go.mod", ""}});
    Workspace workspace = open(dir);
    TestOptions options;
    options.args = {"V=1", "two words"};
    auto plan = plan_test(workspace, options);
    REQUIRE(plan.has_value());
    CHECK(plan->runner == "configured");
    CHECK(plan->origin == "pipe.yaml:2:12");
    CHECK(argvs(*plan) == std::vector<Argv>{{"make", "check", "V=1", "two words"}});
    CHECK(plan->commands[0].cwd == workspace.root);
    CHECK(plan->commands[0].env.at("CI") == "true");
    CHECK(plan->coverage.empty());
}

TEST_CASE("a configured string and --command run through sh -c with quoted extra arguments", "[test-step]") {
    TempDir dir;
    repository(dir, {{"pipe.yaml", "test:\n  command: make lint && make check\n  timeout: 5m\n"}});
    Workspace workspace = open(dir);
    TestOptions options;
    options.args = {"-k", "it's"};
    auto plan = plan_test(workspace, options);
    REQUIRE(plan.has_value());
    CHECK(argvs(*plan) == std::vector<Argv>{{"sh", "-c", "make lint && make check -k 'it'\\''s'"}});
    CHECK(plan->timeout == std::chrono::minutes(5));

    options.command = "./run-tests";
    options.timeout = std::chrono::seconds(10);
    plan = plan_test(workspace, options);
    REQUIRE(plan.has_value());
    CHECK(plan->runner == "--command");
    CHECK(argvs(*plan) == std::vector<Argv>{{"sh", "-c", "./run-tests -k 'it'\\''s'"}});
    CHECK(plan->timeout == std::chrono::seconds(10));
}

TEST_CASE("a detected runner gets the extra arguments on its last command", "[test-step]") {
    TempDir dir;
    repository(dir, {{"CMakeLists.txt", "project(x)\n"}, {"pipe.yaml", "test:\n  coverage: out/cov.info\n"}});
    TestOptions options;
    options.args = {"-R", "parser"};
    auto plan = plan_test(open(dir), options);
    REQUIRE(plan.has_value());
    CHECK(plan->runner == "cmake");
    CHECK(plan->origin == "CMakeLists.txt");
    CHECK(argvs(*plan) ==
          std::vector<Argv>{{"cmake", "-S", ".", "-B", ".pipe/test-build"},
                            {"cmake", "--build", ".pipe/test-build"},
                            {"ctest", "--test-dir", ".pipe/test-build", "--output-on-failure", "-R", "parser"}});
    CHECK(plan->coverage == "out/cov.info");
    options.coverage = "other.info";
    CHECK(plan_test(open(dir), options)->coverage == "other.info");
}

TEST_CASE("nothing configured and nothing detected is a config error with a hint", "[test-step]") {
    TempDir dir;
    repository(dir, {{"package.json", R"({"name": "web"})"}});
    auto plan = plan_test(open(dir), {});
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().kind == ErrorKind::config);
    CHECK(exit_code_for(plan.error()) == 2);
    CHECK_THAT(plan.error().message, Catch::Contains("go.mod") && Catch::Contains("package.json has no scripts.test"));
    CHECK_THAT(plan.error().hint, Catch::Contains("test.command"));
}

TEST_CASE("passing tests are recorded with command, exit code, duration and coverage", "[test-step]") {
    TempDir dir;
    repository(dir, {{"go.mod", "module x\n"}, {".gitignore", "coverage.out\n"}});
    Workspace workspace = open(dir);
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner runner;
    runner.expect({"go", "test", "./...", "-race", "-coverprofile=coverage.out"}, exited(0, "ok  x\n"));
    // The runner writes its coverage file while it runs.
    dir.write("coverage.out", "mode: atomic\n");
    auto result = run_test(workspace, runner, *plan, {});
    REQUIRE(result.has_value());
    CHECK(runner.unanswered() == 0);
    CHECK(result->passed);
    CHECK(result->commands_run == 1);
    REQUIRE(result->coverage.has_value());
    CHECK(result->coverage->path == "coverage.out");
    CHECK(result->coverage->sha256 == "sha256:15e39ee7d1ea1e23c2caa82c7fa07907bc8ae826847b1499a894308734780a89");
    CHECK(result->warnings.empty());
    CHECK(result->state_file == pipeline::state::state_path(workspace.root));
    nlohmann::json section = recorded(dir)["repository"]["test"];
    CHECK(section["runner"] == "go");
    CHECK(section["passed"] == true);
    CHECK(section["exit_code"] == 0);
    CHECK(section["status"] == "exited with code 0");
    CHECK(section["coverage"]["path"] == "coverage.out");
    CHECK(section["duration_ms"].is_number_integer());
    CHECK_THAT(section["commands"][0].get<std::string>(),
               Catch::EndsWith("&& go test ./... -race -coverprofile=coverage.out"));
    CHECK(recorded(dir)["commit"] == workspace.git->sha);
}

TEST_CASE("failing tests stop the sequence and are recorded as failed", "[test-step]") {
    TempDir dir;
    repository(dir, {{"CMakeLists.txt", "project(x)\n"}});
    Workspace workspace = open(dir);
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner runner;
    runner.expect({"cmake", "-S", ".", "-B", ".pipe/test-build"}, exited(0));
    runner.expect({"cmake", "--build", ".pipe/test-build"}, exited(2, "", "error: expected ';'\n"));
    auto result = run_test(workspace, runner, *plan, {});
    REQUIRE(result.has_value());
    CHECK_FALSE(result->passed);
    CHECK(result->commands_run == 2);
    CHECK(result->status.exit_code() == 2);
    CHECK(std::filesystem::exists(dir.path() / ".pipe/.gitignore"));
    nlohmann::json section = recorded(dir)["repository"]["test"];
    CHECK(section["passed"] == false);
    CHECK(section["exit_code"] == 2);
    CHECK(section["coverage"].is_null());
}

TEST_CASE("a runner that cannot start is a runtime error with an install hint", "[test-step]") {
    TempDir dir;
    repository(dir, {{"pytest.ini", "[pytest]\n"}});
    Workspace workspace = open(dir);
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner missing;
    missing.expect({"pytest"},
                   pipeline::runtime_error("cannot run 'pytest': not found on PATH", "is it installed and on PATH?"));
    auto result = run_test(workspace, missing, *plan, {});
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::runtime);
    CHECK_THAT(result.error().hint, Catch::Contains("python3-pytest"));

    CHECK_FALSE(std::filesystem::exists(pipeline::state::state_path(dir.path())));
}

TEST_CASE("the time limit covers all commands and is reported as the configured one", "[test-step]") {
    TempDir dir;
    repository(dir, {{"pipe.yaml", "test:\n  command: [./slow]\n  timeout: 90s\n"}});
    Workspace workspace = open(dir);
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner runner;
    pipeline::proc::ProcessResult killed;
    killed.status = pipeline::proc::ExitStatus::signaled(15).timed_out_after(std::chrono::seconds(89));
    runner.expect({"./slow"}, killed);
    auto result = run_test(workspace, runner, *plan, {});
    REQUIRE(result.has_value());
    CHECK(runner.commands().at(0).timeout > std::chrono::seconds(89));
    CHECK(runner.commands().at(0).timeout <= std::chrono::seconds(90));
    CHECK_FALSE(result->passed);
    CHECK(pipeline::proc::describe(result->status) == "timed out after 90s");
}

TEST_CASE("a stale coverage file is not recorded, files the tests leave in the tree draw a warning", "[test-step]") {
    TempDir dir;
    repository(dir, {{"pipe.yaml", "test:\n  command: [./run]\n  coverage: cov.txt\n"}});
    dir.write("cov.txt", "old\n");
    std::filesystem::last_write_time(dir.path() / "cov.txt",
                                     std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    Workspace workspace = open(dir);
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner runner;
    runner.expect({"./run"}, exited(0));
    auto result = run_test(workspace, runner, *plan, {});
    REQUIRE(result.has_value());
    CHECK_FALSE(result->coverage.has_value());
    CHECK_THAT(result->warnings.at(0), Catch::Contains("cov.txt is older than this run"));

    RecordingRunner writer;
    writer.expect({"./run"}, exited(0));
    TestOptions options;
    options.starting = [&](const pipeline::proc::Command&) { dir.write("new-output.txt", "x"); };
    result = run_test(workspace, writer, *plan, options);
    REQUIRE(result.has_value());
    CHECK_THAT(result->warnings.back(), Catch::Contains("the tests changed files git sees"));
}

TEST_CASE("outside a git checkout the tests run but nothing is recorded", "[test-step]") {
    TempDir dir;
    dir.write("Makefile", "test:\n\ttrue\n");
    Workspace workspace = open(dir);
    CHECK_FALSE(workspace.git.has_value());
    auto plan = plan_test(workspace, {});
    REQUIRE(plan.has_value());
    RecordingRunner runner;
    runner.expect({"make", "test"}, exited(0));
    auto result = run_test(workspace, runner, *plan, {});
    REQUIRE(result.has_value());
    CHECK(result->passed);
    CHECK(result->state_file.empty());
    CHECK_THAT(result->warnings.at(0), Catch::Contains("not recorded"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / ".pipe"));
}
