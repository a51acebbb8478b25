// Trivy's JSON report as pipe reads it: hand-written reports in Trivy's documented format
// (tests/data/trivy/), absent arrays, passed misconfigurations, empty and unknown severities,
// and reports that must never look clean (malformed, another schema, not an object).
#include <pipe/scan/report.h>

#include "temp_dir.h"
#include "trivy_fixture.h"

#include <catch2/catch.hpp>

using pipeline::scan::FindingKind;
using pipeline::scan::parse_report;
using pipeline::scan::Severity;
using pipeline::testing::read_file;

TEST_CASE("a clean report has targets and no findings", "[scan][report]") {
    auto report = pipeline::testing::trivy_report("clean.json");
    CHECK(report.schema_version == 2);
    CHECK(report.image_id == "sha256:42745351bf914bb688aacd1dd25199d83b4df79759d33b11e98e0eaf245c68fc");
    CHECK(report.repo_digests.size() == 1);
    CHECK(report.targets == std::vector<std::string>{"127.0.0.1:5000/acme/api (alpine 3.20.3)"});
    CHECK(report.findings.empty());
}

TEST_CASE("vulnerabilities, secrets and failed misconfigurations of every target", "[scan][report]") {
    auto report = pipeline::testing::trivy_report("mixed.json");
    REQUIRE(report.findings.size() == 8);
    const auto& critical = report.findings[0];
    CHECK(critical.id == "CVE-2024-0001");
    CHECK(critical.kind == FindingKind::vulnerability);
    CHECK(critical.package == "libssl3");
    CHECK(critical.installed == "3.0.14-1~deb12u2");
    CHECK(critical.fixed == "3.0.15-1~deb12u1");
    CHECK(critical.status == "fixed");
    CHECK(critical.severity == Severity::critical);
    CHECK(critical.score == Approx(9.8));
    CHECK(critical.purl.rfind("pkg:deb/debian/libssl3@", 0) == 0);
    CHECK(critical.target == "ghcr.io/acme/payments-api (debian 12.8)");
    CHECK(critical.url == "https://avd.aquasec.com/nvd/cve-2024-0001");
    CHECK(report.findings[4].severity == Severity::unknown);
    const auto& npm = report.findings[5];
    CHECK(npm.target == "app/package-lock.json");
    CHECK(npm.path == "app/node_modules/lodash/package.json");
    CHECK(npm.score == Approx(7.4));
    const auto& secret = report.findings[6];
    CHECK(secret.kind == FindingKind::secret);
    CHECK(secret.id == "aws-access-key-id");
    CHECK(secret.path == "/app/config/.env");
    CHECK(secret.severity == Severity::critical);
    const auto& misconfig = report.findings[7];
    CHECK(misconfig.kind == FindingKind::misconfiguration);
    CHECK(misconfig.id == "AVD-DS-0002");
    CHECK(misconfig.path == "Dockerfile");
    CHECK(report.targets.size() == 5);
    CHECK(report.unknown_severities == 0);
}

TEST_CASE("unknown severity names are counted and judged as UNKNOWN", "[scan][report]") {
    auto report = parse_report(R"({"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[
        {"VulnerabilityID":"CVE-1","Severity":"SEVERE"},{"VulnerabilityID":"CVE-2","Severity":"high"}]}]})",
                               "r");
    REQUIRE(report);
    CHECK(report->findings[0].severity == Severity::unknown);
    CHECK(report->findings[1].severity == Severity::high);
    CHECK(report->unknown_severities == 1);
}

TEST_CASE("reports that cannot be read are errors, never clean", "[scan][report]") {
    for (const char* text : {"", "not json", "[]", "\"text\"", "{\"SchemaVersion\":1,\"Results\":[]}",
                             "{\"Results\":[]}", "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"x\""}) {
        auto report = parse_report(text, "trivy.json");
        INFO(text);
        REQUIRE_FALSE(report);
        CHECK(report.error().kind == pipeline::ErrorKind::runtime);
        CHECK_THAT(report.error().message, Catch::StartsWith("trivy.json: "));
    }
}

TEST_CASE("a large report is parsed completely", "[scan][report]") {
    std::string json = R"({"SchemaVersion":2,"Results":[{"Target":"big","Vulnerabilities":[)";
    for (int i = 0; i < 20000; ++i) {
        json += (i == 0 ? "" : ",");
        json += R"({"VulnerabilityID":"CVE-2024-)" + std::to_string(i) +
                R"(","PkgName":"p","InstalledVersion":"1","Severity":"LOW","Description":"xxxxxxxxxxxxxxxx"})";
    }
    json += "]}]}";
    auto report = parse_report(json, "big.json");
    REQUIRE(report);
    CHECK(report->findings.size() == 20000);
    CHECK(report->findings.back().id == "CVE-2024-19999");
}
