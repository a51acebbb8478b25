// Hand-written Trivy reports in tests/data/trivy/, parsed for the scan tests.
#pragma once

#include <pipe/scan/report.h>

#include <string>

namespace pipeline::testing {

// Parses tests/data/trivy/<name>; the test fails when it does not parse.
scan::Report trivy_report(const std::string& name);

}  // namespace pipeline::testing
