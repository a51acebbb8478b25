#include <pipe/scan/gate.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::scan {

Result<std::vector<Severity>> parse_severity_list(std::string_view text, const std::string& origin) {
    std::vector<Severity> severities;
    std::string trimmed_all(text);
    trimmed_all.erase(std::remove(trimmed_all.begin(), trimmed_all.end(), ' '), trimmed_all.end());
    if (trimmed_all == "none" || trimmed_all == "NONE") {
        return severities;
    }
    std::size_t start = 0;
    while (start <= trimmed_all.size()) {
        const std::size_t comma = trimmed_all.find(',', start);
        const std::string name =
            trimmed_all.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) {
            auto severity = parse_severity(name);
            if (!severity) {
                Error error = usage_error(fmt::format("{}: unknown severity '{}'", origin, name),
                                          "use a comma list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN, or none");
                return error;
            }
            if (std::find(severities.begin(), severities.end(), *severity) == severities.end()) {
                severities.push_back(*severity);
            }
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    if (severities.empty()) {
        return usage_error(fmt::format("{}: no severity given", origin),
                           "use a comma list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN, or none");
    }
    return severities;
}

bool has_fix(const Finding& finding) {
    if (finding.kind != FindingKind::vulnerability) {
        return true;
    }
    return finding.status.empty() ? !finding.fixed.empty() : finding.status == "fixed";
}

GateResult judge(const Report& report, const GatePolicy& policy, const std::vector<IgnoreEntry>& ignores) {
    GateResult result;
    result.suppressed.assign(report.findings.size(), false);
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
        const Finding& finding = report.findings[i];
        bool ignored = false;
        for (const IgnoreEntry& entry : ignores) {
            if (!ignore_matches(entry, finding)) {
                continue;
            }
            if (!entry.expires.empty() && !policy.today.empty() && policy.today > entry.expires) {
                continue;
            }
            ignored = true;
            break;
        }
        if (ignored) {
            result.suppressed[i] = true;
            ++result.ignored;
            continue;
        }
        ++result.counts[static_cast<std::size_t>(finding.severity)];
        const bool severe =
            std::find(policy.fail_on.begin(), policy.fail_on.end(), finding.severity) != policy.fail_on.end();
        if (severe && (!policy.ignore_unfixed || has_fix(finding))) {
            result.failing.push_back(i);
        }
    }
    for (const IgnoreEntry& entry : ignores) {
        if (!entry.expires.empty() && !policy.today.empty() && policy.today > entry.expires) {
            result.warnings.push_back(fmt::format("{}: the ignore entry for {} expired on {} and no longer ignores",
                                                  entry.where, entry.id, entry.expires));
        }
    }
    result.passed = result.failing.empty();
    return result;
}

}  // namespace pipeline::scan
