// What a scan writes from one report: SARIF 2.1.0 in the shape GitHub code scanning requires,
// JUnit XML, the Markdown summary under GitHub's limit, the terminal table and annotations.
#include <pipe/scan/scan_reports.h>

#include "temp_dir.h"
#include "trivy_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

using pipeline::scan::GatePolicy;
using pipeline::scan::judge;
using pipeline::scan::ScanSubject;
using pipeline::scan::Severity;

namespace {

const ScanSubject k_subject{"ghcr.io/acme/payments-api@sha256:" + std::string(64, 'a'),
                            "sha256:" + std::string(64, 'a'), "0.58.1"};

}  // namespace

TEST_CASE("SARIF 2.1.0 has the structure GitHub code scanning requires", "[scan][sarif]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    auto entries = pipeline::scan::parse_plain_ignore("CVE-2024-0003\n", ".trivyignore");
    REQUIRE(entries);
    auto gate = judge(report, GatePolicy{}, *entries);
    std::ostringstream text;
    pipeline::scan::write_sarif(text, report, gate, k_subject);
    auto sarif = nlohmann::json::parse(text.str());
    CHECK(sarif["version"] == "2.1.0");
    CHECK(sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json");
    REQUIRE(sarif["runs"].size() == 1);
    const auto& run = sarif["runs"][0];
    CHECK(run["tool"]["driver"]["name"] == "Trivy");
    CHECK(run["tool"]["driver"]["version"] == "0.58.1");
    const auto& rules = run["tool"]["driver"]["rules"];
    const auto& results = run["results"];
    CHECK(results.size() == 7);  // 8 findings, one ignored
    CHECK(rules.size() == 7);
    for (const auto& rule : rules) {
        CHECK(rule["id"].is_string());
        CHECK(rule["shortDescription"]["text"].is_string());
        CHECK(rule["helpUri"].get<std::string>().rfind("https://", 0) == 0);
        const std::string score = rule["properties"]["security-severity"];
        CHECK(std::stod(score) >= 0.0);
        CHECK(std::stod(score) <= 10.0);
    }
    CHECK(rules[0]["properties"]["security-severity"] == "9.8");  // CVSS wins over the severity
    for (const auto& result : results) {
        CHECK(rules[result["ruleIndex"].get<std::size_t>()]["id"] == result["ruleId"]);
        CHECK(result["message"]["text"].is_string());
        const auto& location = result["locations"][0]["physicalLocation"];
        CHECK_FALSE(location["artifactLocation"]["uri"].get<std::string>().empty());
        CHECK(location["region"]["startLine"] == 1);
    }
    CHECK(results[0]["level"] == "error");
    CHECK(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ghcr.io/acme/payments-api");
}

TEST_CASE("JUnit XML: a suite per target, failures for what fails the gate", "[scan][junit]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    auto gate = judge(report, GatePolicy{}, {});
    std::ostringstream text;
    pipeline::scan::write_junit(text, report, gate, k_subject);
    const std::string xml = text.str();
    CHECK_THAT(xml, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    CHECK_THAT(xml, Catch::Contains("<testsuite name=\"ghcr.io/acme/payments-api (debian 12.8)\" tests=\"5\" "
                                    "failures=\"2\""));
    CHECK_THAT(xml, Catch::Contains("name=\"[MEDIUM] CVE-2024-0003\"/>"));
    CHECK_THAT(xml, Catch::Contains("<failure message=\"openssl: a critical flaw\" type=\"CRITICAL\">"));
    CHECK_THAT(xml, Catch::Contains("classname=\"bash@5.2.15-2+b7\""));
    CHECK_THAT(xml, Catch::Contains("classname=\"secret:/app/config/.env\""));
    CHECK_THAT(xml, Catch::Contains("user should not be &apos;root&apos;"));
    CHECK_THAT(xml, Catch::EndsWith("</testsuites>\n"));
}

TEST_CASE("the Markdown summary lists what fails the gate and stays under the limit", "[scan][summary]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    auto gate = judge(report, GatePolicy{}, {});
    const std::vector<Severity> fail_on{Severity::critical, Severity::high};
    const std::string text = pipeline::scan::to_markdown(report, gate, k_subject, fail_on, 1 << 20);
    CHECK_THAT(text, Catch::Contains("**Failed**: 5 finding(s) fail the gate (CRITICAL, HIGH)"));
    CHECK_THAT(text, Catch::Contains("| 2 | 3 | 1 | 1 | 1 | 0 |"));
    CHECK_THAT(text, Catch::Contains("[CVE-2024-0001](https://avd.aquasec.com/nvd/cve-2024-0001)"));
    CHECK(text.find("CVE-2024-0003") == std::string::npos);  // MEDIUM does not fail the gate

    pipeline::scan::Report big;
    for (int i = 0; i < 50000; ++i) {
        pipeline::scan::Finding f;
        f.id = "CVE-2024-" + std::to_string(i);
        f.package = "package-with-a-long-name";
        f.installed = "1.0.0";
        f.title = std::string(100, 't');
        f.severity = Severity::critical;
        big.findings.push_back(f);
    }
    auto big_gate = judge(big, GatePolicy{}, {});
    const std::string cut = pipeline::scan::to_markdown(big, big_gate, k_subject, fail_on, 1 << 20);
    CHECK(cut.size() <= std::size_t{1} << 20);
    CHECK_THAT(cut, Catch::Contains("more failing finding(s), cut to stay under GitHub's summary limit"));
}

TEST_CASE("terminal table and annotations", "[scan][summary]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    auto gate = judge(report, GatePolicy{}, {});
    auto lines = pipeline::scan::terminal_summary(report, gate, 3);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] == "CRITICAL: 2, HIGH: 3, MEDIUM: 1, LOW: 1, UNKNOWN: 1");
    CHECK_THAT(lines[1], Catch::StartsWith("ID") && Catch::Contains("PACKAGE") && Catch::Contains("TITLE"));
    CHECK_THAT(lines[2], Catch::StartsWith("CVE-2024-0001") && Catch::Contains("3.0.15-1~deb12u1"));
    CHECK(lines[5] == "... and 2 more failing finding(s)");
    auto notes = pipeline::scan::annotations(report, gate, 2);
    REQUIRE(notes.size() == 3);
    CHECK(notes[0] ==
          "::error title=CRITICAL CVE-2024-0001::libssl3 3.0.14-1~deb12u2 (fixed in 3.0.15-1~deb12u1): "
          "openssl: a critical flaw");
    CHECK_THAT(notes[1], Catch::Contains("(no fix yet)"));
    CHECK_THAT(notes[2], Catch::Contains("3 more finding(s) fail the gate"));
}
