// Test runner detection: which files reveal which runner, in which order, and which do not (a
// package.json without a real test script, a makefile without a test rule).
#include "temp_dir.h"

#include <pipe/steps/test_detection.h>

#include <catch2/catch.hpp>

using pipeline::steps::detect_test_runner;
using pipeline::steps::makefile_has_target;
using pipeline::steps::ProjectFiles;

namespace {

using Argv = std::vector<std::string>;

ProjectFiles files(std::initializer_list<std::pair<std::string, std::string>> entries) {
    ProjectFiles project;
    for (const auto& [name, content] : entries) {
        project.names.insert(name);
        if (!content.empty()) {
            project.contents[name] = content;
        }
    }
    return project;
}

const std::string k_npm_test = R"({"name": "app", "scripts": {"test": "node --test"}})";

}  // namespace

TEST_CASE("detection picks the runner of the first matching rule", "[test-detection]") {
    struct Row {
        ProjectFiles project;
        std::string kind;
        std::string marker;
        std::vector<Argv> commands;
        std::string coverage;
    };
    const std::vector<Row> rows{
        {files({{"go.mod", ""}}),
         "go",
         "go.mod",
         {{"go", "test", "./...", "-race", "-coverprofile=coverage.out"}},
         "coverage.out"},
        {files({{"Cargo.toml", ""}}), "cargo", "Cargo.toml", {{"cargo", "test"}}, ""},
        {files({{"package.json", k_npm_test}}), "npm", "package.json", {{"npm", "test"}}, ""},
        {files({{"package.json", "{not json"}}), "npm", "package.json", {{"npm", "test"}}, ""},
        {files({{"CMakeLists.txt", ""}}),
         "cmake",
         "CMakeLists.txt",
         {{"cmake", "-S", ".", "-B", ".pipe/test-build"},
          {"cmake", "--build", ".pipe/test-build"},
          {"ctest", "--test-dir", ".pipe/test-build", "--output-on-failure"}},
         ""},
        {files({{"pyproject.toml", ""}}), "pytest", "pyproject.toml", {{"pytest"}}, ""},
        {files({{"pytest.ini", ""}}), "pytest", "pytest.ini", {{"pytest"}}, ""},
        {files({{"Makefile", "all:\n\tcc main.c\ntest: all\n\t./check\n"}}),
         "make",
         "Makefile",
         {{"make", "test"}},
         ""},
        {files({{"GNUmakefile", "test:\n\ttrue\n"}, {"Makefile", "all:\n"}}),
         "make",
         "GNUmakefile",
         {{"make", "test"}},
         ""},
        // Order: go before a makefile that wraps it, npm before CMake, CMake before pytest.
        {files({{"go.mod", ""}, {"Makefile", "test:\n\tgo test ./...\n"}}),
         "go",
         "go.mod",
         {{"go", "test", "./...", "-race", "-coverprofile=coverage.out"}},
         "coverage.out"},
        {files({{"CMakeLists.txt", ""}, {"package.json", k_npm_test}}), "npm", "package.json", {{"npm", "test"}}, ""},
        {files({{"CMakeLists.txt", ""}, {"pyproject.toml", ""}}),
         "cmake",
         "CMakeLists.txt",
         {{"cmake", "-S", ".", "-B", ".pipe/test-build"},
          {"cmake", "--build", ".pipe/test-build"},
          {"ctest", "--test-dir", ".pipe/test-build", "--output-on-failure"}},
         ""},
        // A package.json without tests gives way to the next rule.
        {files({{"package.json", R"({"name": "web"})"}, {"pytest.ini", ""}}), "pytest", "pytest.ini", {{"pytest"}}, ""},
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("row " << i);
        const Row& row = rows[i];
        auto detection = detect_test_runner(row.project);
        REQUIRE(detection.runner.has_value());
        CHECK(detection.runner->kind == row.kind);
        CHECK(detection.runner->marker == row.marker);
        CHECK(detection.runner->commands == row.commands);
        CHECK(detection.runner->coverage == row.coverage);
        CHECK_FALSE(detection.runner->install_hint.empty());
    }
}

TEST_CASE("projects without tests are detected as none, with the reason", "[test-detection]") {
    struct Row {
        ProjectFiles project;
        std::vector<std::string> notes;
    };
    const std::vector<Row> rows{
        {files({}), {}},
        {files({{"README.md", ""}, {"src", ""}}), {}},
        {files({{"package.json", R"({"name": "web", "scripts": {"build": "tsc"}})"}}),
         {"package.json has no scripts.test"}},
        {files({{"package.json", R"({"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}})"}}),
         {"package.json's scripts.test is npm's \"no test specified\" placeholder"}},
        {files({{"Makefile", "all:\n\tcc main.c\n"}}), {"Makefile has no test target"}},
        // make reads GNUmakefile first: a test rule in Makefile does not count then.
        {files({{"GNUmakefile", "all:\n"}, {"Makefile", "test:\n"}}), {"GNUmakefile has no test target"}},
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("row " << i);
        auto detection = detect_test_runner(rows[i].project);
        CHECK_FALSE(detection.runner.has_value());
        CHECK(detection.notes == rows[i].notes);
    }
}

TEST_CASE("a makefile test target is a rule, not a variable, recipe line or comment", "[test-detection]") {
    const std::vector<std::pair<std::string, bool>> rows{
        {"test:\n", true},
        {"test: build\n\t./run\n", true},
        {"check test: build\n", true},
        {"test::\n\techo double colon\n", true},
        {"test :\r\n", true},
        {".PHONY: test\n", false},
        {"test := value\n", false},
        {"test ::= value\n", false},
        {"test = a:b\n", false},
        {"all:\n\ttest: not a rule\n", false},
        {"# test:\n", false},
        {"testing:\n", false},
        {"unit-test:\n", false},
        {"", false},
    };
    for (const auto& [text, expected] : rows) {
        INFO(text);
        CHECK(makefile_has_target(text, "test") == expected);
    }
}

TEST_CASE("the project's files are read from its root", "[test-detection]") {
    pipeline::testing::TempDir dir;
    dir.write("package.json", k_npm_test);
    dir.write("Makefile", "test:\n");
    dir.write("src/main.c", "");
    auto project = pipeline::steps::read_project_files(dir.path());
    CHECK(project.names == std::set<std::string, std::less<>>{"Makefile", "package.json", "src"});
    CHECK(project.contents.at("package.json") == k_npm_test);
    CHECK(project.contents.at("Makefile") == "test:\n");
    CHECK(detect_test_runner(project).runner->kind == "npm");
}
