// The CLI contract every command follows: exit codes, stdout/stderr split, one JSON document,
// "did you mean", global options before or after the command, and a quiet end on a closed pipe.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::size_t count_lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("the version flag and command print the version without touching any repository", "[cli]") {
    TempDir dir;  // not a git repository: the version needs none
    auto flag = run_pipe({"--version"}, dir.path());
    CHECK(flag.exit_code == 0);
    CHECK(flag.out == std::string("pipe ") + PIPE_VERSION + "\n");
    auto command = run_pipe({"version"}, dir.path());
    CHECK(command.exit_code == 0);
    CHECK(command.out == flag.out);
    auto json = run_pipe({"version", "--json"}, dir.path());
    CHECK(json.exit_code == 0);
    CHECK(nlohmann::json::parse(json.out)["version"] == PIPE_VERSION);
}

TEST_CASE("help lists commands, examples and exit codes", "[cli]") {
    TempDir dir;
    auto help = run_pipe({"--help"}, dir.path());
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("tags") && Catch::Contains("Exit codes") && Catch::Contains("--dry-run"));
    auto tags_help = run_pipe({"tags", "--help"}, dir.path());
    CHECK(tags_help.exit_code == 0);
    CHECK_THAT(tags_help.out, Catch::Contains("Examples:") && Catch::Contains("pipe tags --refs"));
}

TEST_CASE("unknown commands and options are usage errors with a suggestion", "[cli]") {
    TempDir dir;
    auto command = run_pipe({"tgas"}, dir.path());
    CHECK(command.exit_code == 2);
    CHECK(command.out.empty());
    CHECK_THAT(command.err, Catch::StartsWith("pipe: error: unknown command 'tgas'\n"));
    CHECK_THAT(command.err, Catch::Contains("did you mean 'tags'?"));
    CHECK(count_lines(command.err) == 2);

    auto option = run_pipe({"tags", "--jsn"}, dir.path());
    CHECK(option.exit_code == 2);
    CHECK_THAT(option.err, Catch::Contains("unknown option '--jsn'") && Catch::Contains("did you mean '--json'?"));

    auto global = run_pipe({"--dryrun", "tags"}, dir.path());
    CHECK(global.exit_code == 2);
    CHECK_THAT(global.err, Catch::Contains("did you mean '--dry-run'?"));

    auto none = run_pipe({}, dir.path());
    CHECK(none.exit_code == 2);
    CHECK_THAT(none.err, Catch::Contains("no command given"));

    auto both = run_pipe({"-q", "-v", "version"}, dir.path());
    CHECK(both.exit_code == 2);
}

TEST_CASE("errors in --json mode still give exactly one JSON document on stdout", "[cli]") {
    TempDir dir;
    auto run = run_pipe({"--json", "tags"}, dir.path());
    CHECK(run.exit_code == 2);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["error"]["kind"] == "usage");
    CHECK(doc["error"]["exit_code"] == 2);
    CHECK_THAT(run.err, Catch::Contains("not a git repository"));
}

TEST_CASE("pipe tags prints the seed's default tags from local git", "[cli][tags]") {
    TempDir dir;
    init_repository(dir.path());
    std::string sha = git(dir.path(), {"rev-parse", "HEAD"});
    auto run = run_pipe({"tags"}, dir.path());
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "main\nsha-" + sha + "\n");  // ref (priority 600) before sha (100)
    CHECK(run.err.empty());
}

TEST_CASE("pipe tags --json is one document with the documented fields", "[cli][tags]") {
    TempDir dir;
    init_repository(dir.path());
    dir.write("pipe.yaml", "image: ghcr.io/acme/payments-api\n");
    std::string sha = git(dir.path(), {"rev-parse", "HEAD"});
    auto run = run_pipe({"tags", "--json"}, dir.path(), {{"SOURCE_DATE_EPOCH", "1704846600"}});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["version"] == "main");
    CHECK(doc["tags"] == nlohmann::json::array({"main", "sha-" + sha}));
    CHECK(doc["references"] ==
          nlohmann::json::array({"ghcr.io/acme/payments-api:main", "ghcr.io/acme/payments-api:sha-" + sha}));
    CHECK(doc["latest"] == false);
    CHECK(doc["labels"]["org.opencontainers.image.revision"] == sha);
    CHECK(doc["labels"]["org.opencontainers.image.created"] == "2024-01-10T00:30:00.000Z");
    CHECK(doc["services"].size() == 1);
}

TEST_CASE("global options work before and after the command, and -C changes directory", "[cli][tags]") {
    TempDir dir;
    init_repository(dir.path() / "repo");
    pipeline::Environment fixed{{"SOURCE_DATE_EPOCH", "1704846600"}};
    auto before = run_pipe({"-C", "repo", "--json", "tags"}, dir.path(), fixed);
    auto after = run_pipe({"tags", "-C", "repo", "--json"}, dir.path(), fixed);
    CHECK(before.exit_code == 0);
    CHECK(after.exit_code == 0);
    CHECK(before.out == after.out);
    auto missing = run_pipe({"-C", "nowhere", "tags"}, dir.path());
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("-C"));
}

TEST_CASE("a release tag gives semver tags, latest, and the rollback warning", "[cli][tags]") {
    TempDir dir;
    init_repository(dir.path());
    git(dir.path(), {"tag", "v1.2.3"});
    git(dir.path(), {"checkout", "-q", "v1.2.3"});
    auto run = run_pipe({"tags", "--image", "ghcr.io/acme/app", "--tag", "type=semver,pattern={{version}}", "--tag",
                         "type=semver,pattern={{major}}.{{minor}}"},
                        dir.path());
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "1.2.3\n1.2\nlatest\n");
    CHECK_THAT(run.err, Catch::Contains("pipe: warning:") && Catch::Contains("latest"));
    auto forced = run_pipe({"tags", "--tag", "type=semver,pattern={{version}}", "--flavor", "latest=true"}, dir.path());
    CHECK(forced.exit_code == 0);
    CHECK(forced.err.empty());
}

TEST_CASE("configuration errors name file:line:column and exit 2", "[cli][config]") {
    TempDir dir;
    init_repository(dir.path());
    dir.write("pipe.yaml", "image: ghcr.io/acme/app\ntgas:\n  - type=sha\n");
    auto typo = run_pipe({"tags"}, dir.path());
    CHECK(typo.exit_code == 2);
    CHECK_THAT(typo.err, Catch::StartsWith("pipe: error: pipe.yaml:2:1: unknown key 'tgas'"));
    CHECK_THAT(typo.err, Catch::Contains("did you mean 'tags'?"));

    dir.write("pipe.yaml", "image: ghcr.io/acme/app\ntags:\n  - type=sha\n  - type=bogus\n");
    auto rule = run_pipe({"tags"}, dir.path());
    CHECK(rule.exit_code == 2);
    CHECK_THAT(rule.err, Catch::Contains("pipe.yaml:4:5"));

    dir.write("pipe.yaml", "image: ghcr.io/Acme/app\n");
    auto image = run_pipe({"tags"}, dir.path());
    CHECK(image.exit_code == 2);
    CHECK_THAT(image.err, Catch::Contains("pipe.yaml:1:8") && Catch::Contains("lowercase"));

    dir.write("pipe.yaml", "image: [unclosed\n");
    auto yaml = run_pipe({"tags"}, dir.path());
    CHECK(yaml.exit_code == 2);
    CHECK_THAT(yaml.err, Catch::Contains("invalid YAML"));

    auto missing = run_pipe({"--config", "other.yaml", "tags"}, dir.path());
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("other.yaml"));
}

TEST_CASE("monorepo services are computed separately and selected with --service", "[cli][tags]") {
    TempDir dir;
    init_repository(dir.path());
    dir.write("pipe.yaml",
              "tags: ['type=ref,event=branch']\nservices:\n  api:\n    image: ghcr.io/acme/api\n"
              "  web:\n    image: ghcr.io/acme/web\n    tags:\n      - type=raw,value=web-{{branch}}\n");
    auto all = run_pipe({"tags", "--json"}, dir.path());
    REQUIRE(all.exit_code == 0);
    auto doc = nlohmann::json::parse(all.out);
    REQUIRE(doc["services"].size() == 2);
    CHECK(doc["services"][0]["references"] == nlohmann::json::array({"ghcr.io/acme/api:main"}));
    CHECK(doc["services"][1]["references"] == nlohmann::json::array({"ghcr.io/acme/web:web-main"}));
    CHECK_FALSE(doc.contains("version"));
    auto one = run_pipe({"--service", "web", "tags", "--refs"}, dir.path());
    CHECK(one.exit_code == 0);
    CHECK(one.out == "ghcr.io/acme/web:web-main\n");
    auto typo = run_pipe({"--service", "wbe", "tags"}, dir.path());
    CHECK(typo.exit_code == 2);
    CHECK_THAT(typo.err, Catch::Contains("did you mean 'web'?"));
}

TEST_CASE("PIPE_* variables sit between pipe.yaml and flags", "[cli][config]") {
    TempDir dir;
    init_repository(dir.path());
    dir.write("pipe.yaml", "tags:\n  - type=raw,value=from-file\n");
    CHECK(run_pipe({"tags"}, dir.path()).out == "from-file\n");
    CHECK(run_pipe({"tags"}, dir.path(), {{"PIPE_TAGS", "type=raw,value=from-env"}}).out == "from-env\n");
    CHECK(
        run_pipe({"tags", "--tag", "type=raw,value=from-flag"}, dir.path(), {{"PIPE_TAGS", "type=raw,value=from-env"}})
            .out == "from-flag\n");
}

TEST_CASE("inside GitHub Actions the event context wins and outputs are written", "[cli][tags][actions]") {
    TempDir dir;
    init_repository(dir.path());
    auto output = dir.write("github_output", "");
    auto summary = dir.write("summary.md", "");
    pipeline::Environment env{{"GITHUB_ACTIONS", "true"},
                              {"GITHUB_EVENT_NAME", "push"},
                              {"GITHUB_REF", "refs/tags/v2.0.0-rc.1"},
                              {"GITHUB_SHA", "860c1904a1ce19322e91ac35af1ab07466440c37"},
                              {"GITHUB_REPOSITORY", "acme/payments-api"},
                              {"GITHUB_OUTPUT", output.string()},
                              {"GITHUB_STEP_SUMMARY", summary.string()}};
    auto run = run_pipe({"tags", "--image", "ghcr.io/acme/payments-api"}, dir.path(), env);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "2.0.0-rc.1\nsha-860c1904a1ce19322e91ac35af1ab07466440c37\n");
    std::ifstream in(output);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("version=2.0.0-rc.1\n"));
    CHECK_THAT(text, Catch::Contains("tags<<ghadelimiter_"));
    CHECK_THAT(text, Catch::Contains("ghcr.io/acme/payments-api:2.0.0-rc.1"));

    auto output_dry = dir.write("github_output_dry", "");
    env["GITHUB_OUTPUT"] = output_dry.string();
    auto dry = run_pipe({"--dry-run", "tags"}, dir.path(), env);
    CHECK(dry.exit_code == 0);
    CHECK(std::filesystem::file_size(output_dry) == 0);
}

TEST_CASE("a closed stdout ends quietly", "[cli]") {
    TempDir dir;
    init_repository(dir.path());
    std::string script = "set -o pipefail; \"$0\" tags --tag type=raw,value=a | head -c0";
    pipeline::proc::Command command;
    command.argv = {"bash", "-c", script, pipeline::testing::pipe_binary()};
    command.cwd = dir.path();
    pipeline::proc::SystemRunner runner;
    for (int i = 0; i < 5; ++i) {
        auto result = runner.run(command);
        REQUIRE(result.has_value());
        CHECK(result->status.success());
        CHECK(result->err.empty());
    }
}
