// The scan gate: pipe's own decision over Trivy's findings. A finding fails the gate when its
// severity is one the policy fails on, it is not ignored by an unexpired ignore entry, and (with
// ignore_unfixed) a fix exists. Pure, so every rule is a table test.
#pragma once

#include <pipe/core/result.h>
#include <pipe/scan/ignore_file.h>
#include <pipe/scan/report.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::scan {

// What fails the gate.
struct GatePolicy {
    std::vector<Severity> fail_on{Severity::critical, Severity::high};  // empty: report only, never fail
    bool ignore_unfixed = false;  // only findings with a fix (status fixed) can fail
    std::string today;            // YYYY-MM-DD, for ignore expiry
};

// Parses "CRITICAL,HIGH" (any case, spaces allowed); "none" gives an empty list. An unknown name
// is a usage error naming it and listing the valid ones; origin names the flag or key.
Result<std::vector<Severity>> parse_severity_list(std::string_view text, const std::string& origin);

// The gate's verdict over a report.
struct GateResult {
    std::array<std::size_t, 5> counts{};  // per Severity (indexed by its value), ignored findings excluded
    std::vector<std::size_t> failing;     // indices into Report::findings, in report order
    std::size_t ignored = 0;              // findings an unexpired ignore entry covered
    std::vector<bool> suppressed;         // per finding: covered by an ignore entry
    std::vector<std::string> warnings;    // expired ignore entries that no longer ignore
    bool passed = true;

    // The count for one severity.
    std::size_t count(Severity severity) const { return counts[static_cast<std::size_t>(severity)]; }
};

// Judges report under policy and the ignore entries.
GateResult judge(const Report& report, const GatePolicy& policy, const std::vector<IgnoreEntry>& ignores);

// True when a vulnerability has a fix: status "fixed", or no status but a FixedVersion.
bool has_fix(const Finding& finding);

}  // namespace pipeline::scan
