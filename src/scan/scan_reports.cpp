#include <pipe/scan/scan_reports.h>

#include <pipe/ci/workflow_commands.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

namespace pipeline::scan {
namespace {

// GitHub's code scanning reads this as the finding's severity (0.0 - 10.0).
std::string security_severity(const Finding& finding) {
    if (finding.score > 0.0) {
        return fmt::format("{:.1f}", finding.score);
    }
    switch (finding.severity) {
        case Severity::critical:
            return "9.5";
        case Severity::high:
            return "8.0";
        case Severity::medium:
            return "5.5";
        case Severity::low:
            return "2.0";
        case Severity::unknown:
            break;
    }
    return "0.0";
}

std::string sarif_level(Severity severity) {
    switch (severity) {
        case Severity::critical:
        case Severity::high:
            return "error";
        case Severity::medium:
            return "warning";
        default:
            return "note";
    }
}

std::string kind_name(FindingKind kind) {
    switch (kind) {
        case FindingKind::secret:
            return "secret";
        case FindingKind::misconfiguration:
            return "misconfiguration";
        case FindingKind::vulnerability:
            break;
    }
    return "vulnerability";
}

std::string describe_finding(const Finding& f) {
    if (f.kind == FindingKind::vulnerability) {
        return fmt::format("Package: {}\nInstalled Version: {}\nVulnerability: {}\nSeverity: {}\nFixed Version: {}\n{}",
                           f.package, f.installed, f.id, severity_name(f.severity), f.fixed.empty() ? "none" : f.fixed,
                           f.url.empty() ? f.title : f.url);
    }
    return fmt::format("{} {} in {}: {}\nSeverity: {}", kind_name(f.kind), f.id, f.path, f.title,
                       severity_name(f.severity));
}

// Where a finding is: its package path or file, else the image's name without tag or digest.
std::string location_of(const Finding& f, const ScanSubject& subject) {
    if (!f.path.empty()) {
        return f.path;
    }
    std::string image = subject.image.substr(0, subject.image.find('@'));
    return image.empty() ? f.target : image;
}

std::set<std::size_t> failing_set(const GateResult& gate) {
    return {gate.failing.begin(), gate.failing.end()};
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                    out += ' ';
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string markdown_cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string shorten(std::string_view text, std::size_t width) {
    if (text.size() <= width) {
        return std::string(text);
    }
    return std::string(text.substr(0, width - 3)) + "...";
}

std::string counts_line(const GateResult& gate) {
    std::string line;
    for (Severity severity : k_severities) {
        line += fmt::format("{}{}: {}", line.empty() ? "" : ", ", severity_name(severity), gate.count(severity));
    }
    return line;
}

}  // namespace

void write_sarif(std::ostream& out, const Report& report, const GateResult& gate, const ScanSubject& subject) {
    // Streamed object by object: a report of 200,000 findings must not become one JSON tree.
    std::map<std::string, std::size_t> rule_index;
    std::vector<std::size_t> rule_finding;
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
        if (!gate.suppressed[i] && rule_index.try_emplace(report.findings[i].id, rule_finding.size()).second) {
            rule_finding.push_back(i);
        }
    }
    const nlohmann::json driver{{"name", "Trivy"},
                                {"informationUri", "https://github.com/aquasecurity/trivy"},
                                {"fullName", "Trivy Vulnerability Scanner (via pipe)"},
                                {"version", subject.trivy_version.empty() ? "unknown" : subject.trivy_version}};
    std::string head = driver.dump();
    head.pop_back();
    out << R"({"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":)"
        << head << R"(,"rules":[)";
    for (std::size_t r = 0; r < rule_finding.size(); ++r) {
        const Finding& f = report.findings[rule_finding[r]];
        const std::string help = describe_finding(f);
        const nlohmann::json rule{{"id", f.id},
                                  {"name", kind_name(f.kind)},
                                  {"shortDescription", {{"text", f.title.empty() ? f.id : f.title}}},
                                  {"fullDescription", {{"text", f.title.empty() ? f.id : f.title}}},
                                  {"defaultConfiguration", {{"level", sarif_level(f.severity)}}},
                                  {"helpUri", f.url.empty() ? "https://avd.aquasec.com/" : f.url},
                                  {"help", {{"text", help}, {"markdown", help}}},
                                  {"properties",
                                   {{"tags", {kind_name(f.kind), "security", std::string(severity_name(f.severity))}},
                                    {"precision", "very-high"},
                                    {"security-severity", security_severity(f)}}}};
        out << (r == 0 ? "" : ",") << rule.dump();
    }
    out << R"(]}},"results":[)";
    bool first = true;
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
        if (gate.suppressed[i]) {
            continue;
        }
        const Finding& f = report.findings[i];
        const nlohmann::json result{
            {"ruleId", f.id},
            {"ruleIndex", rule_index[f.id]},
            {"level", sarif_level(f.severity)},
            {"message", {{"text", describe_finding(f)}}},
            {"locations",
             {{{"physicalLocation",
                {{"artifactLocation", {{"uri", location_of(f, subject)}, {"uriBaseId", "ROOTPATH"}}},
                 {"region", {{"startLine", 1}, {"startColumn", 1}, {"endLine", 1}, {"endColumn", 1}}}}},
               {"message", {{"text", fmt::format("{}: {}@{}", f.target, f.package, f.installed)}}}}}}};
        out << (first ? "" : ",") << result.dump();
        first = false;
    }
    const nlohmann::json properties{{"imageName", subject.image}, {"imageDigest", subject.digest}};
    out << R"(],"columnKind":"utf16CodeUnits","originalUriBaseIds":{"ROOTPATH":{"uri":"file:///"}},"properties":)"
        << properties.dump() << "}]}\n";
}

void write_junit(std::ostream& out, const Report& report, const GateResult& gate, const ScanSubject& subject) {
    const std::set<std::size_t> failing = failing_set(gate);
    std::map<std::string, std::vector<std::size_t>> by_target;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
        if (gate.suppressed[i]) {
            continue;
        }
        const std::string& target = report.findings[i].target;
        if (by_target.count(target) == 0) {
            order.push_back(target);
        }
        by_target[target].push_back(i);
    }
    out << fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\">\n",
                       xml_escape("pipe scan " + subject.image));
    for (const std::string& target : order) {
        const auto& indices = by_target[target];
        const auto failures = static_cast<std::size_t>(
            std::count_if(indices.begin(), indices.end(), [&](std::size_t i) { return failing.count(i) > 0; }));
        out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                           xml_escape(target), indices.size(), failures);
        for (std::size_t i : indices) {
            const Finding& f = report.findings[i];
            const std::string classname =
                f.kind == FindingKind::vulnerability ? f.package + "@" + f.installed : kind_name(f.kind) + ":" + f.path;
            out << fmt::format("    <testcase classname=\"{}\" name=\"[{}] {}\"", xml_escape(classname),
                               severity_name(f.severity), xml_escape(f.id));
            if (failing.count(i) == 0) {
                out << "/>\n";
                continue;
            }
            out << fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                               xml_escape(f.title), severity_name(f.severity), xml_escape(describe_finding(f)));
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

std::string to_markdown(const Report& report, const GateResult& gate, const ScanSubject& subject,
                        const std::vector<Severity>& fail_on, std::size_t limit) {
    std::vector<std::string> gate_names;
    gate_names.reserve(fail_on.size());
    for (Severity severity : fail_on) {
        gate_names.emplace_back(severity_name(severity));
    }
    std::string text = fmt::format("### pipe scan: `{}`\n\n", subject.image);
    if (gate.passed) {
        text += fmt::format("**Passed**: no finding fails the gate ({}).\n\n",
                            gate_names.empty() ? "report only" : fmt::format("{}", fmt::join(gate_names, ", ")));
    } else {
        text += fmt::format("**Failed**: {} finding(s) fail the gate ({}).\n\n", gate.failing.size(),
                            fmt::join(gate_names, ", "));
    }
    text += "| CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN | ignored |\n|---|---|---|---|---|---|\n";
    text += fmt::format("| {} | {} | {} | {} | {} | {} |\n\n", gate.count(Severity::critical),
                        gate.count(Severity::high), gate.count(Severity::medium), gate.count(Severity::low),
                        gate.count(Severity::unknown), gate.ignored);
    if (gate.failing.empty()) {
        return text;
    }
    text += "| ID | package | installed | fixed | severity | title |\n|---|---|---|---|---|---|\n";
    const std::string note_format =
        "\n_... and {} more failing finding(s), cut to stay under GitHub's summary limit; "
        "see the SARIF or JSON report._\n";
    const std::size_t reserve = note_format.size() + 24;
    for (std::size_t n = 0; n < gate.failing.size(); ++n) {
        const Finding& f = report.findings[gate.failing[n]];
        const std::string id =
            f.url.empty() ? markdown_cell(f.id) : fmt::format("[{}]({})", markdown_cell(f.id), f.url);
        std::string row = fmt::format("| {} | {} | {} | {} | {} | {} |\n", id, markdown_cell(f.package),
                                      markdown_cell(f.installed), markdown_cell(f.fixed.empty() ? "-" : f.fixed),
                                      severity_name(f.severity), markdown_cell(shorten(f.title, 120)));
        if (text.size() + row.size() + reserve > limit) {
            text += fmt::format(fmt::runtime(note_format), gate.failing.size() - n);
            return text;
        }
        text += row;
    }
    return text;
}

std::vector<std::string> terminal_summary(const Report& report, const GateResult& gate, std::size_t max_rows) {
    std::vector<std::string> lines{counts_line(gate) +
                                   (gate.ignored > 0 ? fmt::format(" ({} ignored)", gate.ignored) : "")};
    if (gate.failing.empty()) {
        return lines;
    }
    std::vector<std::array<std::string, 6>> rows{{"ID", "PACKAGE", "INSTALLED", "FIXED", "SEVERITY", "TITLE"}};
    const std::size_t shown = std::min(max_rows, gate.failing.size());
    for (std::size_t n = 0; n < shown; ++n) {
        const Finding& f = report.findings[gate.failing[n]];
        rows.push_back({f.id, shorten(f.package, 30), shorten(f.installed, 20),
                        shorten(f.fixed.empty() ? "-" : f.fixed, 20), std::string(severity_name(f.severity)),
                        shorten(f.title, 60)});
    }
    std::array<std::size_t, 6> widths{};
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
        }
        lines.push_back(std::move(line));
    }
    if (shown < gate.failing.size()) {
        lines.push_back(fmt::format("... and {} more failing finding(s)", gate.failing.size() - shown));
    }
    return lines;
}

std::vector<std::string> annotations(const Report& report, const GateResult& gate, std::size_t max_annotations) {
    std::vector<std::string> lines;
    for (std::size_t n = 0; n < gate.failing.size() && n < max_annotations; ++n) {
        const Finding& f = report.findings[gate.failing[n]];
        lines.push_back(
            ci::error_annotation(fmt::format("{} {}", severity_name(f.severity), f.id),
                                 f.kind == FindingKind::vulnerability
                                     ? fmt::format("{} {} ({}): {}", f.package, f.installed,
                                                   f.fixed.empty() ? "no fix yet" : "fixed in " + f.fixed, f.title)
                                     : fmt::format("{} in {}: {}", kind_name(f.kind), f.path, f.title)));
    }
    if (gate.failing.size() > max_annotations) {
        lines.push_back(ci::error_annotation(
            "pipe scan", fmt::format("{} more finding(s) fail the gate; see the step summary or SARIF report",
                                     gate.failing.size() - max_annotations)));
    }
    return lines;
}

}  // namespace pipeline::scan
