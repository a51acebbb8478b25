// Everything a scan writes for people and machines, from the one report and gate verdict:
// SARIF 2.1.0 for GitHub code scanning, JUnit XML for test dashboards, a Markdown step summary
// listing what fails the gate (kept under GitHub's limit), the terminal table and ::error::
// annotations.
#pragma once

#include <pipe/scan/gate.h>
#include <pipe/scan/report.h>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace pipeline::scan {

// What the reports say the scan was of.
struct ScanSubject {
    std::string image;   // the reference scanned, e.g. ghcr.io/acme/app@sha256:...
    std::string digest;  // sha256:...; empty for a local image
    std::string trivy_version;
};

// Writes SARIF 2.1.0: one rule per finding ID (help URI, security-severity from CVSS or the
// severity), one result per finding not ignored, located at the package path or the image.
void write_sarif(std::ostream& out, const Report& report, const GateResult& gate, const ScanSubject& subject);

// Writes JUnit XML: a test suite per target, a test case per finding not ignored; those failing
// the gate fail.
void write_junit(std::ostream& out, const Report& report, const GateResult& gate, const ScanSubject& subject);

// The Markdown step summary: verdict, counts, and the failing findings as a table, cut with a
// note to stay under limit bytes.
std::string to_markdown(const Report& report, const GateResult& gate, const ScanSubject& subject,
                        const std::vector<Severity>& fail_on, std::size_t limit);

// The terminal summary: a counts line, then the failing findings as an aligned table (ID,
// package, installed, fixed, severity, title), at most max_rows rows and a "... and N more" line.
std::vector<std::string> terminal_summary(const Report& report, const GateResult& gate, std::size_t max_rows);

// One ::error:: annotation per failing finding, at most max_annotations, then one that says how
// many more there are.
std::vector<std::string> annotations(const Report& report, const GateResult& gate, std::size_t max_annotations);

}  // namespace pipeline::scan
