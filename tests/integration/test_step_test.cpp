// `pipe test` with real runners on small fixture projects (C++ with CMake, Python with pytest,
// Node with npm, a Makefile), passing and failing; a shell string, a missing runner, nothing to
// run, a time limit, --dry-run, the --json document, Actions outputs and the state record.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// A committed repository at dir/repo holding files; generated files stay out of git's sight.
std::filesystem::path project(const TempDir& dir, Files files) {
    files.emplace_back(".gitignore", "__pycache__/\n.pytest_cache/\nnode_modules/\ncoverage.out\n");
    return pipeline::testing::service_repository(dir.path() / "repo", files);
}

// The environment of every run: HOME outside the repository (npm writes its logs there) and no
// npm update check, which would reach for the network.
pipeline::Environment environment(const TempDir& dir) {
    std::filesystem::create_directories(dir.path() / "home");
    return {{"HOME", (dir.path() / "home").string()}, {"NPM_CONFIG_UPDATE_NOTIFIER", "false"}};
}

// Fails the test, saying what to install, when a runner the test needs is missing.
void require_tool(const std::vector<std::string>& argv, const std::string& install) {
    pipeline::proc::Command command;
    command.argv = argv;
    command.timeout = std::chrono::seconds(60);
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO("this test needs `" << fmt::format("{}", fmt::join(argv, " ")) << "` to work: " << install);
    REQUIRE(result.has_value());
    INFO(result->err);
    REQUIRE(result->status.success());
}

nlohmann::json test_record(const std::filesystem::path& repo) {
    return nlohmann::json::parse(read_file(repo / ".pipe/state.json"))["repository"]["test"];
}

void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("pipe test configures, builds and runs a C++ CMake project with ctest", "[integration][test-step]") {
    require_tool({"cmake", "--version"}, "apt-get install cmake g++");
    require_tool({"g++", "--version"}, "apt-get install g++");
    TempDir dir;
    auto repo = project(dir, {{"CMakeLists.txt",
                               "cmake_minimum_required(VERSION 3.20)\nproject(calc LANGUAGES CXX)\nenable_testing()\n"
                               "add_executable(calc_test calc_test.cpp)\nadd_test(NAME calc COMMAND calc_test)\n"},
                              {"calc_test.cpp", "int main() { return 2 + 2 == 4 ? 0 : 1; }\n"}});
    auto env = environment(dir);
    auto run = run_pipe({"test"}, repo, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.err, Catch::Contains("pipe: detected cmake (from CMakeLists.txt)"));
    CHECK_THAT(run.err, Catch::Contains("pipe: running ctest --test-dir .pipe/test-build --output-on-failure"));
    CHECK_THAT(run.out, Catch::Contains("100% tests passed"));
    CHECK(std::filesystem::exists(repo / ".pipe/test-build/CMakeCache.txt"));
    CHECK(test_record(repo)["runner"] == "cmake");
    CHECK(test_record(repo)["passed"] == true);

    write(repo / "calc_test.cpp", "#include <cstdio>\nint main() { std::puts(\"2 + 2 is not 5\"); return 1; }\n");
    auto failed = run_pipe({"test"}, repo, env);
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.out, Catch::Contains("2 + 2 is not 5"));
    CHECK_THAT(failed.err, Catch::Contains("pipe: tests failed: ctest --test-dir .pipe/test-build --output-on-failure "
                                           "exited with code 8"));
    CHECK(test_record(repo)["passed"] == false);
    CHECK(test_record(repo)["exit_code"] == 8);
}

TEST_CASE("pipe test runs pytest for a Python project", "[integration][test-step]") {
    require_tool({"pytest", "--version"}, "apt-get install python3-pytest");
    TempDir dir;
    auto repo = project(dir, {{"pyproject.toml", "[project]\nname = \"calc\"\nversion = \"0.1.0\"\n"},
                              {"test_calc.py", "def test_add():\n    assert 2 + 2 == 4\n"}});
    auto env = environment(dir);
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    auto run = run_pipe({"test", "--", "-q"}, repo, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.err, Catch::Contains("pipe: detected pytest (from pyproject.toml)"));
    CHECK_THAT(run.err, Catch::Contains("pipe: running pytest -q"));
    CHECK_THAT(run.out, Catch::Contains("1 passed"));

    write(repo / "test_calc.py", "def test_add():\n    assert 2 + 2 == 5\n");
    auto failed = run_pipe({"test"}, repo, env);
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.out, Catch::Contains("1 failed"));
    CHECK(test_record(repo)["exit_code"] == 1);
}

TEST_CASE("pipe test runs npm test for a Node project", "[integration][test-step]") {
    require_tool({"node", "--version"}, "apt-get install nodejs npm");
    require_tool({"npm", "--version"}, "apt-get install nodejs npm");
    TempDir dir;
    auto repo = project(
        dir, {{"package.json",
               R"({"name": "calc", "version": "1.0.0", "private": true, "scripts": {"test": "node check.js"}})"},
              {"check.js",
               "if (2 + 2 !== 4) { console.error('math is broken'); process.exit(1); }\nconsole.log('node ok');\n"}});
    auto env = environment(dir);
    auto run = run_pipe({"test"}, repo, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.err, Catch::Contains("pipe: detected npm (from package.json)"));
    CHECK_THAT(run.out, Catch::Contains("node ok"));

    write(repo / "check.js", "console.error('math is broken'); process.exit(1);\n");
    auto failed = run_pipe({"test"}, repo, env);
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("math is broken"));
    CHECK_THAT(failed.err, Catch::Contains("pipe: tests failed: npm test exited with code 1"));
}

TEST_CASE("pipe test runs make test, streams the output and publishes Actions outputs", "[integration][test-step]") {
    require_tool({"make", "--version"}, "apt-get install make");
    TempDir dir;
    auto repo = project(dir, {{"Makefile",
                               "all:\n\t@echo building\ntest:\n\t@echo make-test-ran $(ARGS)\n"
                               "\t@echo to-stderr >&2\n\t@echo data > coverage.out\n"},
                              {"pipe.yaml", "test:\n  coverage: coverage.out\n"}});
    auto env = environment(dir);
    env["GITHUB_OUTPUT"] = (dir.path() / "output").string();
    env["GITHUB_STEP_SUMMARY"] = (dir.path() / "summary").string();
    auto run = run_pipe({"test", "--", "ARGS=fast"}, repo, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "make-test-ran fast\n");
    CHECK_THAT(run.err, Catch::Contains("pipe: detected make (from Makefile)\npipe: running make test ARGS=fast\n"
                                        "to-stderr\n"));
    CHECK_THAT(run.err, Catch::Contains("pipe: coverage coverage.out (sha256:"));
    const std::string outputs = read_file(dir.path() / "output");
    CHECK_THAT(outputs, Catch::Contains("passed=true\n") && Catch::Contains("coverage=coverage.out\n") &&
                            Catch::Contains("duration="));
    CHECK_THAT(read_file(dir.path() / "summary"), Catch::Contains("### pipe test") && Catch::Contains("**passed**"));
    auto record = test_record(repo);
    CHECK(record["coverage"]["path"] == "coverage.out");
    CHECK(record["coverage"]["sha256"] == "sha256:6667b2d1aab6a00caa5aee5af8ad9f1465e567abf1c209d15727d57b3e8f6e5f");

    write(repo / "Makefile", "test:\n\t@echo failing\n\t@exit 3\n");
    auto failed = run_pipe({"test"}, repo, env);
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("pipe: tests failed: make test exited with code 2"));
    CHECK_THAT(read_file(dir.path() / "output"), Catch::Contains("passed=false\n"));
}

TEST_CASE("pipe test runs a configured string through sh with env and quoted extra arguments",
          "[integration][test-step]") {
    TempDir dir;
    auto repo = project(dir, {{"pipe.yaml",
                               "test:\n  command: printf '%s|' \"$GREETING\"\n  env:\n"
                               "    GREETING: hello world\n"}});
    auto run = run_pipe({"test", "--", "it's", "$HOME"}, repo, environment(dir));
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "hello world|it's|$HOME|\n");
    CHECK_THAT(run.err, Catch::Contains("pipe: test.command (pipe.yaml:2:12)"));

    auto flag = run_pipe({"test", "--command", "exit 4"}, repo, environment(dir));
    CHECK(flag.exit_code == 1);
    CHECK_THAT(flag.err, Catch::Contains("exited with code 4"));
}

TEST_CASE("pipe test exits 3 with an install hint when the runner is missing", "[integration][test-step]") {
    TempDir dir;
    auto repo = project(dir, {{"pipe.yaml", "test:\n  command: [no-such-test-runner, run]\n"}});
    auto run = run_pipe({"test"}, repo, environment(dir));
    CHECK(run.exit_code == 3);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains("pipe: error: cannot run the tests: cannot run 'no-such-test-runner'"));
    CHECK_THAT(run.err,
               Catch::Contains("hint: install 'no-such-test-runner' or change test.command at pipe.yaml:2:12"));

    TempDir go_dir;
    auto go_repo = project(go_dir, {{"go.mod", "module example.com/calc\n"}});
    auto env = environment(go_dir);
    env["PATH"] = (go_dir.path() / "home").string();  // no go here, whatever the machine has
    auto go = run_pipe({"test"}, go_repo, env);
    CHECK(go.exit_code == 3);
    CHECK_THAT(go.err, Catch::Contains("cannot run 'go'") && Catch::Contains("install Go"));
}

TEST_CASE("pipe test exits 2 when there is nothing to run", "[integration][test-step]") {
    TempDir dir;
    auto repo = project(dir, {{"package.json", R"({"name": "web", "scripts": {"build": "tsc"}})"}});
    auto run = run_pipe({"test"}, repo, environment(dir));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("no tests to run") && Catch::Contains("package.json has no scripts.test"));
    CHECK_THAT(run.err, Catch::Contains("hint: set test.command in pipe.yaml"));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe/state.json"));
}

TEST_CASE("pipe test --json keeps stdout for one document and --dry-run runs nothing", "[integration][test-step]") {
    TempDir dir;
    auto repo = project(dir, {{"Makefile", "test:\n\t@echo runner-stdout\n\t@touch ran\n"}});
    auto dry = run_pipe({"--dry-run", "test"}, repo, environment(dir));
    INFO(dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out == "cd " + repo.string() + " && make test\n");
    CHECK_FALSE(std::filesystem::exists(repo / "ran"));

    auto dry_json = nlohmann::json::parse(run_pipe({"--json", "--dry-run", "test"}, repo, environment(dir)).out);
    CHECK(dry_json["dry_run"] == true);
    CHECK(dry_json["runner"] == "make");

    auto run = run_pipe({"--json", "test"}, repo, environment(dir));
    INFO(run.err);
    CHECK(run.exit_code == 0);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["passed"] == true);
    CHECK(doc["runner"] == "make");
    CHECK(doc["origin"] == "Makefile");
    CHECK(doc["exit_code"] == 0);
    CHECK(doc["status"] == "exited with code 0");
    CHECK(doc["commands_run"] == 1);
    CHECK(doc["duration_ms"].is_number_integer());
    CHECK(doc["coverage"].is_null());
    CHECK(doc["state_file"] == (repo / ".pipe/state.json").string());
    CHECK_THAT(run.err, Catch::Contains("runner-stdout"));
    CHECK(std::filesystem::exists(repo / "ran"));
}

TEST_CASE("pipe test stops tests that run over their time limit", "[integration][test-step]") {
    TempDir dir;
    auto repo = project(dir, {{"pipe.yaml", "test:\n  command: [sleep, \"30\"]\n  timeout: 1h\n"}});
    auto started = std::chrono::steady_clock::now();
    auto run = run_pipe({"test", "--timeout", "1s"}, repo, environment(dir));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err, Catch::Contains("timed out after 1s"));
    auto bad = run_pipe({"test", "--timeout", "soon"}, repo, environment(dir));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("invalid duration 'soon' for --timeout"));
}
