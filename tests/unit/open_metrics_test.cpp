// The OpenMetrics rendering of a run record: metadata before samples, units in names, escaped
// label values, one sample per step and service, scan counts, and the closing `# EOF`.
#include <pipe/steps/open_metrics.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <sstream>

using pipeline::steps::escape_label_value;
using pipeline::steps::render_open_metrics;

namespace {

const nlohmann::json k_record = nlohmann::json::parse(R"({
  "schema": 1, "commit": "0123456789012345678901234567890123456789",
  "services": [{"name": "api", "scan": {"counts": {"CRITICAL": 1, "HIGH": 0}}}],
  "steps": [{"step": "build", "exit_code": 0, "duration_seconds": 12.5},
            {"step": "scan", "exit_code": 1, "duration_seconds": 0.25}]
})");

}  // namespace

TEST_CASE("open metrics: the record's steps and scan counts as gauges", "[unit][run]") {
    const std::string text = render_open_metrics(k_record, {"api"});
    CHECK(text ==
          "# TYPE pipe_step_duration_seconds gauge\n"
          "# UNIT pipe_step_duration_seconds seconds\n"
          "# HELP pipe_step_duration_seconds Wall time of the pipe step that handled the service.\n"
          "pipe_step_duration_seconds{step=\"build\",service=\"api\"} 12.5\n"
          "pipe_step_duration_seconds{step=\"scan\",service=\"api\"} 0.25\n"
          "# TYPE pipe_step_success gauge\n"
          "# HELP pipe_step_success 1 when the step succeeded, 0 when it failed.\n"
          "pipe_step_success{step=\"build\",service=\"api\"} 1\n"
          "pipe_step_success{step=\"scan\",service=\"api\"} 0\n"
          "# TYPE pipe_scan_findings gauge\n"
          "# HELP pipe_scan_findings Findings of the scan of the pushed image, per severity.\n"
          "pipe_scan_findings{service=\"api\",severity=\"CRITICAL\"} 1\n"
          "pipe_scan_findings{service=\"api\",severity=\"HIGH\"} 0\n"
          "# EOF\n");
}

TEST_CASE("open metrics: every line follows the exposition grammar", "[unit][run]") {
    const std::string text = render_open_metrics(k_record, {"api", "worker"});
    const std::regex metadata(R"(# (TYPE [a-z_]+ gauge|UNIT [a-z_]+_seconds seconds|HELP [a-z_]+ .+))");
    const std::regex sample(R"([a-z_]+\{([a-z_]+="([^"\\\n]|\\.)*",?)+\} -?[0-9]+(\.[0-9]+)?)");
    std::istringstream lines(text);
    std::string line;
    std::vector<std::string> all;
    while (std::getline(lines, line)) {
        all.push_back(line);
    }
    REQUIRE_FALSE(all.empty());
    CHECK(all.back() == "# EOF");
    for (std::size_t i = 0; i + 1 < all.size(); ++i) {
        INFO(all[i]);
        CHECK((std::regex_match(all[i], metadata) || std::regex_match(all[i], sample)));
    }
    CHECK(std::count(all.begin(), all.end(), "# EOF") == 1);
    CHECK(text.find("pipe_step_success{step=\"scan\",service=\"worker\"} 0") != std::string::npos);
}

TEST_CASE("open metrics: label values are escaped", "[unit][run]") {
    CHECK(escape_label_value("plain") == "plain");
    CHECK(escape_label_value("a\"b") == "a\\\"b");
    CHECK(escape_label_value("a\\b") == "a\\\\b");
    CHECK(escape_label_value("a\nb") == "a\\nb");
}

TEST_CASE("open metrics: a record without steps still ends with EOF and has no scan family", "[unit][run]") {
    const std::string text = render_open_metrics(nlohmann::json::object(), {"api"});
    CHECK(text.find("pipe_scan_findings") == std::string::npos);
    CHECK(text.size() >= 6);
    CHECK(text.substr(text.size() - 6) == "# EOF\n");
}
