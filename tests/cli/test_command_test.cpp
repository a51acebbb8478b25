// The contract of `pipe test` with nothing but sh: exit codes 0/1/2/3, arguments after `--`,
// stdout kept for one JSON document, help with examples.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

TEST_CASE("pipe test exit codes: pass 0, fail 1, nothing to run 2, runner missing 3", "[cli][test-step]") {
    TempDir dir;
    auto repo = pipeline::testing::service_repository(dir.path() / "repo", {{"README.md", "no tests here\n"}});
    CHECK(run_pipe({"test", "--command", "true"}, repo).exit_code == 0);
    auto failed = run_pipe({"test", "--command", "exit 7"}, repo);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("pipe: tests failed: sh -c 'exit 7' exited with code 7"));
    auto nothing = run_pipe({"test"}, repo);
    CHECK(nothing.exit_code == 2);
    CHECK_THAT(nothing.err, Catch::StartsWith("pipe: error: no tests to run in "));
    std::ofstream(repo / "pipe.yaml") << "test:\n  command: [pipe-test-no-such-runner]\n";
    auto missing = run_pipe({"test"}, repo);
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.err, Catch::Contains("not found on PATH"));
    std::ofstream(repo / "pipe.yaml") << "test:\n  commnd: [make]\n";
    auto typo = run_pipe({"test"}, repo);
    CHECK(typo.exit_code == 2);
    CHECK_THAT(typo.err, Catch::StartsWith("pipe: error: pipe.yaml:2:3: unknown key 'commnd'"));
    CHECK_THAT(typo.err, Catch::Contains("did you mean 'command'?"));
}

TEST_CASE("pipe test passes the words after -- to the command, global flags included", "[cli][test-step]") {
    TempDir dir;
    auto repo = pipeline::testing::service_repository(dir.path() / "repo",
                                                      {{"pipe.yaml", "test:\n  command: [printf, \"%s\\\\n\"]\n"}});
    auto run = run_pipe({"test", "--", "-k", "--json", "two words"}, repo);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "-k\n--json\ntwo words\n");

    auto json = run_pipe({"--json", "test", "--", "from-runner"}, repo);
    INFO(json.err);
    CHECK(json.exit_code == 0);
    auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["passed"] == true);
    CHECK(doc["runner"] == "configured");
    CHECK(doc["origin"] == "pipe.yaml:2:12");
    CHECK_THAT(json.err, Catch::Contains("from-runner\n"));
}

TEST_CASE("pipe test --help shows its examples", "[cli][test-step]") {
    TempDir dir;
    auto help = run_pipe({"test", "--help"}, dir.path());
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("pipe test -- -run TestParse -v") && Catch::Contains("--timeout"));
}
