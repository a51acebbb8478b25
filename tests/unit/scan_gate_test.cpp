// The scan gate and Trivy's ignore files: severities, --ignore-unfixed, ignore entries by ID,
// path, purl and scanner, expiry (warns and no longer ignores), and the severity-list parser.
#include <pipe/scan/gate.h>

#include "temp_dir.h"
#include "trivy_fixture.h"

#include <catch2/catch.hpp>

using pipeline::scan::FindingKind;
using pipeline::scan::GatePolicy;
using pipeline::scan::judge;
using pipeline::scan::parse_plain_ignore;
using pipeline::scan::parse_severity_list;
using pipeline::scan::parse_yaml_ignore;
using pipeline::scan::Severity;

namespace {

std::vector<std::string> failing_ids(const pipeline::scan::Report& report, const pipeline::scan::GateResult& gate) {
    std::vector<std::string> ids;
    for (std::size_t i : gate.failing) {
        ids.push_back(report.findings[i].id);
    }
    return ids;
}

}  // namespace

TEST_CASE("the default gate fails on CRITICAL and HIGH of every scanner", "[scan][gate]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    GatePolicy policy;
    policy.today = "2026-11-27";
    auto gate = judge(report, policy, {});
    CHECK_FALSE(gate.passed);
    CHECK(failing_ids(report, gate) == std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002", "GHSA-xxxx-yyyy-zzzz",
                                                                "aws-access-key-id", "AVD-DS-0002"});
    CHECK(gate.count(Severity::critical) == 2);
    CHECK(gate.count(Severity::high) == 3);
    CHECK(gate.count(Severity::medium) == 1);
    CHECK(gate.count(Severity::low) == 1);
    CHECK(gate.count(Severity::unknown) == 1);
}

TEST_CASE("with ignore-unfixed only findings with a fix fail", "[scan][gate]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    GatePolicy policy;
    policy.ignore_unfixed = true;
    auto gate = judge(report, policy, {});
    CHECK(failing_ids(report, gate) ==
          std::vector<std::string>{"CVE-2024-0001", "GHSA-xxxx-yyyy-zzzz", "aws-access-key-id", "AVD-DS-0002"});
    CHECK(gate.count(Severity::high) == 3);  // still counted, only not failing
}

TEST_CASE("other severities and report-only", "[scan][gate]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    GatePolicy policy;
    policy.fail_on = {Severity::low};
    CHECK(failing_ids(report, judge(report, policy, {})) == std::vector<std::string>{"CVE-2024-0004"});
    policy.fail_on = {};
    auto gate = judge(report, policy, {});
    CHECK(gate.passed);
    CHECK(gate.count(Severity::critical) == 2);
    auto clean = pipeline::scan::parse_report(R"({"SchemaVersion":2})", "c");
    REQUIRE(clean);
    CHECK(judge(*clean, GatePolicy{}, {}).passed);
}

TEST_CASE("plain .trivyignore: IDs for every scanner, exp: dates", "[scan][gate][ignore]") {
    auto entries = parse_plain_ignore(
        "# accepted risks\n\nCVE-2024-0001 exp:2027-01-31\nCVE-2024-0002 exp:2026-10-01\naws-access-key-id\n",
        ".trivyignore");
    REQUIRE(entries);
    REQUIRE(entries->size() == 3);
    CHECK((*entries)[0].where == ".trivyignore:3");
    auto report = pipeline::testing::trivy_report("mixed.json");
    GatePolicy policy;
    policy.today = "2026-11-27";
    auto gate = judge(report, policy, *entries);
    CHECK(failing_ids(report, gate) == std::vector<std::string>{"CVE-2024-0002", "GHSA-xxxx-yyyy-zzzz", "AVD-DS-0002"});
    CHECK(gate.ignored == 2);
    CHECK(gate.suppressed[0]);
    REQUIRE(gate.warnings.size() == 1);
    CHECK_THAT(gate.warnings[0], Catch::Contains(".trivyignore:4") && Catch::Contains("expired on 2026-10-01"));

    auto bad = parse_plain_ignore("CVE-1 exp:2026-13-01\n", ".trivyignore");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().where == ".trivyignore:1");
}

TEST_CASE("YAML ignore file: per scanner, paths, purls, expiry, statement", "[scan][gate][ignore]") {
    auto entries = parse_yaml_ignore(R"(vulnerabilities:
  - id: GHSA-xxxx-yyyy-zzzz
    paths: ["app/node_modules/**"]
    statement: not reachable from our code
  - id: CVE-2024-0001
    purls: ["pkg:deb/debian/libssl3@9.9"]
  - id: CVE-2024-0002
    expired_at: 2025-01-01
misconfigurations:
  - id: AVD-DS-0002
    paths: [Dockerfile]
secrets:
  - id: CVE-2024-0001
licenses:
  - id: GPL-3.0
)",
                                     ".trivyignore.yaml");
    REQUIRE(entries);
    REQUIRE(entries->size() == 5);
    CHECK((*entries)[0].statement == "not reachable from our code");
    auto report = pipeline::testing::trivy_report("mixed.json");
    GatePolicy policy;
    policy.today = "2026-11-27";
    auto gate = judge(report, policy, *entries);
    // The purl does not match, the expired entry no longer ignores, the secret entry does not
    // apply to a vulnerability.
    CHECK(failing_ids(report, gate) == std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002", "aws-access-key-id"});
    CHECK(gate.warnings.size() == 1);
}

TEST_CASE("YAML ignore file errors carry file:line:column", "[scan][gate][ignore]") {
    auto malformed = parse_yaml_ignore("vulnerabilities:\n  - id: [unclosed\n", "ig.yaml");
    REQUIRE_FALSE(malformed);
    CHECK_THAT(malformed.error().where, Catch::StartsWith("ig.yaml:"));
    auto unknown = parse_yaml_ignore("vulns:\n  - id: x\n", "ig.yaml");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().where == "ig.yaml:1:1");
    auto no_id = parse_yaml_ignore("secrets:\n  - paths: [x]\n", "ig.yaml");
    REQUIRE_FALSE(no_id);
    CHECK(no_id.error().where == "ig.yaml:2:5");
    auto missing = pipeline::scan::load_ignore_file("/nonexistent/.trivyignore", "--ignore-file");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == pipeline::ErrorKind::config);
}

TEST_CASE("severity lists", "[scan][gate]") {
    auto parsed = parse_severity_list("critical, HIGH,high", "--severity");
    REQUIRE(parsed);
    CHECK(*parsed == std::vector<Severity>{Severity::critical, Severity::high});
    CHECK(parse_severity_list("none", "--fail-on")->empty());
    auto bad = parse_severity_list("CRITICAL,SEVERE", "--severity");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "--severity: unknown severity 'SEVERE'");
    CHECK(bad.error().kind == pipeline::ErrorKind::usage);
    CHECK_FALSE(parse_severity_list(",", "--severity"));
}

TEST_CASE("a report with only an unfixed HIGH fails unless unfixed findings are ignored", "[scan][gate]") {
    auto report = pipeline::scan::parse_report(
        R"json({"SchemaVersion":2,"Results":[{"Target":"img (debian 12)","Class":"os-pkgs","Vulnerabilities":[
            {"VulnerabilityID":"CVE-2024-9","PkgName":"zlib1g","InstalledVersion":"1.2","Status":"affected",
             "Severity":"HIGH"}]}]})json",
        "unfixed.json");
    REQUIRE(report);
    CHECK_FALSE(judge(*report, GatePolicy{}, {}).passed);
    GatePolicy unfixed;
    unfixed.ignore_unfixed = true;
    auto gate = judge(*report, unfixed, {});
    CHECK(gate.passed);
    CHECK(gate.count(Severity::high) == 1);
}

TEST_CASE("an ignore entry with a future expiry still ignores", "[scan][gate][ignore]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    auto entries = parse_plain_ignore("CVE-2024-0001 exp:2099-12-31\n", ".trivyignore");
    REQUIRE(entries);
    GatePolicy policy;
    policy.today = "2026-11-27";
    auto gate = judge(report, policy, *entries);
    CHECK(gate.ignored == 1);
    CHECK(gate.warnings.empty());
}
