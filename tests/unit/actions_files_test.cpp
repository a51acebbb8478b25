#include "temp_dir.h"

#include <pipe/ci/actions_files.h>

#include <catch2/catch.hpp>

using pipeline::testing::read_file;

namespace {}  // namespace

TEST_CASE("step outputs use name=value or a delimited block for multi-line values", "[actions]") {
    pipeline::ci::StepOutputs outputs{{"version", "1.2.3"}, {"tags", "a\nb"}};
    CHECK(pipeline::ci::format_step_outputs(outputs, "ghadelimiter_X") ==
          "version=1.2.3\ntags<<ghadelimiter_X\na\nb\nghadelimiter_X\n");
}

TEST_CASE("outputs are appended to GITHUB_OUTPUT with a random delimiter", "[actions]") {
    pipeline::testing::TempDir dir;
    auto file = dir.write("output", "earlier=1\n");
    pipeline::Environment env{{"GITHUB_OUTPUT", file.string()}};
    REQUIRE(pipeline::ci::write_step_outputs(env, {{"tags", "x\ny"}}).has_value());
    std::string text = read_file(file);
    CHECK(text.rfind("earlier=1\ntags<<ghadelimiter_", 0) == 0);
    CHECK(text.find("EOF") == std::string::npos);
    CHECK(pipeline::ci::write_step_outputs({}, {{"a", "b"}}).has_value());
}

TEST_CASE("a step summary over 1 MiB is cut with a note", "[actions]") {
    pipeline::testing::TempDir dir;
    auto file = dir.write("summary", "");
    pipeline::Environment env{{"GITHUB_STEP_SUMMARY", file.string()}};
    std::string big;
    while (big.size() < 2 * pipeline::ci::k_step_summary_limit) {
        big += "| row | with some text |\n";
    }
    REQUIRE(pipeline::ci::append_step_summary(env, big).has_value());
    std::string text = read_file(file);
    CHECK(text.size() <= pipeline::ci::k_step_summary_limit);
    CHECK_THAT(text, Catch::Contains("Summary truncated"));
}

TEST_CASE("an unwritable GITHUB_OUTPUT is a runtime error", "[actions]") {
    pipeline::Environment env{{"GITHUB_OUTPUT", "/nonexistent/dir/output"}};
    auto written = pipeline::ci::write_step_outputs(env, {{"a", "b"}});
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().kind == pipeline::ErrorKind::runtime);
}
