// A vulnerability report as pipe judges it: the findings of Trivy's JSON report (SchemaVersion 2)
// reduced to what the gate, the summaries, SARIF and JUnit need. The parser streams (SAX), so a
// report of hundreds of megabytes is read at parser speed and held only as its findings.
#pragma once

#include <pipe/core/result.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::scan {

// Trivy's severities, lowest first.
enum class Severity { unknown, low, medium, high, critical };

inline constexpr std::array<Severity, 5> k_severities{Severity::critical, Severity::high, Severity::medium,
                                                      Severity::low, Severity::unknown};

// "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN".
std::string_view severity_name(Severity severity);

// Parses a severity name, case-insensitively; nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view name);

// What kind of scanner found it.
enum class FindingKind { vulnerability, secret, misconfiguration };

// One finding, from any scanner.
struct Finding {
    FindingKind kind = FindingKind::vulnerability;
    std::string id;         // CVE-2024-1234, a secret rule id, AVD-DS-0002
    std::string target;     // the Result's Target: "img (alpine 3.20)", "app/package-lock.json", a file
    std::string package;    // PkgName (vulnerabilities), the category (secrets)
    std::string path;       // PkgPath, or the file a secret or misconfiguration is in
    std::string purl;       // PkgIdentifier.PURL
    std::string installed;  // InstalledVersion
    std::string fixed;      // FixedVersion; empty: no fix
    std::string status;     // fixed, affected, will_not_fix, ...; empty when Trivy gives none
    Severity severity = Severity::unknown;
    std::string title;
    std::string url;     // PrimaryURL
    double score = 0.0;  // the highest CVSS v3 score given, 0 when none
};

// The report's identity and findings. Misconfigurations that passed are not findings.
struct Report {
    int schema_version = 0;
    std::string artifact_name;
    std::string image_id;                   // Metadata.ImageID (config digest)
    std::vector<std::string> repo_digests;  // Metadata.RepoDigests
    std::vector<std::string> targets;       // every Result's Target, in order
    std::vector<Finding> findings;
    std::size_t unknown_severities = 0;  // severities that were neither empty nor a known name
};

// Parses a Trivy JSON report. Anything but a JSON object with SchemaVersion 2 is a runtime error
// at where (a scanner whose output cannot be read must not look like a clean image). Absent
// arrays are empty; an empty severity is UNKNOWN.
Result<Report> parse_report(std::string_view json, const std::string& where);

}  // namespace pipeline::scan
