#include <pipe/scan/report.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace pipeline::scan {
namespace {

// Where in the report a SAX event happens; everything pipe does not read is `skip`.
enum class Region {
    skip,
    root,
    metadata,
    repo_digests,
    results,
    result,
    findings,
    finding,
    pkg_identifier,
    cvss,
    cvss_source,
};

struct Frame {
    Region region = Region::skip;
    std::string key;  // the current key, for object frames
};

// A SAX handler that keeps only the fields a Report holds.
class ReportReader {
public:
    using number_integer_t = nlohmann::json::number_integer_t;
    using number_unsigned_t = nlohmann::json::number_unsigned_t;
    using number_float_t = nlohmann::json::number_float_t;
    using string_t = nlohmann::json::string_t;
    using binary_t = nlohmann::json::binary_t;

    Report report;
    std::string error;
    bool saw_root_object = false;

    bool null() { return true; }
    bool boolean(bool /*value*/) { return true; }
    bool number_integer(number_integer_t value) { return number(static_cast<double>(value), value); }
    bool number_unsigned(number_unsigned_t value) {
        return number(static_cast<double>(value), static_cast<number_integer_t>(value));
    }
    bool number_float(number_float_t value, const string_t& /*text*/) { return number(value, 0); }
    bool binary(binary_t& /*value*/) { return true; }

    bool string(string_t& value) {
        if (m_stack.empty()) {
            return true;
        }
        const Frame& frame = m_stack.back();
        switch (frame.region) {
            case Region::root:
                if (frame.key == "ArtifactName") {
                    report.artifact_name = std::move(value);
                }
                break;
            case Region::metadata:
                if (frame.key == "ImageID") {
                    report.image_id = std::move(value);
                }
                break;
            case Region::repo_digests:
                report.repo_digests.push_back(std::move(value));
                break;
            case Region::result:
                if (frame.key == "Target") {
                    m_target = value;
                }
                break;
            case Region::finding:
                finding_string(frame.key, std::move(value));
                break;
            case Region::pkg_identifier:
                if (frame.key == "PURL") {
                    m_finding.purl = std::move(value);
                }
                break;
            default:
                break;
        }
        return true;
    }

    bool key(string_t& value) {
        if (!m_stack.empty()) {
            m_stack.back().key = std::move(value);
        }
        return true;
    }

    bool start_object(std::size_t /*size*/) {
        if (m_stack.empty()) {
            saw_root_object = true;
            m_stack.push_back(Frame{Region::root, {}});
            return true;
        }
        const Frame& parent = m_stack.back();
        Region region = Region::skip;
        if (parent.region == Region::root && parent.key == "Metadata") {
            region = Region::metadata;
        } else if (parent.region == Region::results) {
            region = Region::result;
            m_target.clear();
            m_result_start = report.findings.size();
        } else if (parent.region == Region::findings) {
            region = Region::finding;
            m_finding = Finding{};
            m_finding.kind = m_kind;
            m_misconfig_status.clear();
        } else if (parent.region == Region::finding && parent.key == "PkgIdentifier") {
            region = Region::pkg_identifier;
        } else if (parent.region == Region::finding && parent.key == "CVSS") {
            region = Region::cvss;
        } else if (parent.region == Region::cvss) {
            region = Region::cvss_source;
        }
        m_stack.push_back(Frame{region, {}});
        return true;
    }

    bool end_object() {
        const Region region = m_stack.back().region;
        m_stack.pop_back();
        if (region == Region::finding) {
            if (m_finding.kind != FindingKind::misconfiguration || m_misconfig_status == "FAIL") {
                report.findings.push_back(std::move(m_finding));
            }
        } else if (region == Region::result) {
            report.targets.push_back(m_target);
            for (std::size_t i = m_result_start; i < report.findings.size(); ++i) {
                Finding& finding = report.findings[i];
                finding.target = m_target;
                if (finding.path.empty() && finding.kind != FindingKind::vulnerability) {
                    finding.path = m_target;
                }
            }
        }
        return true;
    }

    bool start_array(std::size_t /*size*/) {
        Region region = Region::skip;
        if (!m_stack.empty()) {
            const Frame& parent = m_stack.back();
            if (parent.region == Region::root && parent.key == "Results") {
                region = Region::results;
            } else if (parent.region == Region::metadata && parent.key == "RepoDigests") {
                region = Region::repo_digests;
            } else if (parent.region == Region::result) {
                if (parent.key == "Vulnerabilities") {
                    region = Region::findings;
                    m_kind = FindingKind::vulnerability;
                } else if (parent.key == "Secrets") {
                    region = Region::findings;
                    m_kind = FindingKind::secret;
                } else if (parent.key == "Misconfigurations") {
                    region = Region::findings;
                    m_kind = FindingKind::misconfiguration;
                }
            }
        }
        m_stack.push_back(Frame{region, {}});
        return true;
    }

    bool end_array() {
        m_stack.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& /*ex*/) {
        error = fmt::format("malformed JSON at byte {}", position);
        return false;
    }

private:
    bool number(double value, number_integer_t integer) {
        if (m_stack.empty()) {
            return true;
        }
        const Frame& frame = m_stack.back();
        if (frame.region == Region::root && frame.key == "SchemaVersion") {
            report.schema_version = static_cast<int>(integer);
        } else if (frame.region == Region::cvss_source && frame.key == "V3Score") {
            m_finding.score = std::max(m_finding.score, value);
        }
        return true;
    }

    void finding_string(const std::string& key, std::string value) {
        Finding& f = m_finding;
        if (key == "Severity") {
            if (value.empty()) {
                f.severity = Severity::unknown;
            } else if (auto parsed = parse_severity(value)) {
                f.severity = *parsed;
            } else {
                f.severity = Severity::unknown;
                ++report.unknown_severities;
            }
        } else if (key == "Title") {
            f.title = std::move(value);
        } else if (key == "PrimaryURL") {
            f.url = std::move(value);
        } else if (f.kind == FindingKind::vulnerability) {
            vulnerability_string(key, std::move(value));
        } else if (f.kind == FindingKind::secret) {
            if (key == "RuleID") {
                f.id = std::move(value);
            } else if (key == "Category") {
                f.package = std::move(value);
            }
        } else if (key == "AVDID" || (key == "ID" && f.id.empty())) {
            f.id = std::move(value);
        } else if (key == "Status") {
            m_misconfig_status = std::move(value);
        }
    }

    void vulnerability_string(const std::string& key, std::string value) {
        Finding& f = m_finding;
        if (key == "VulnerabilityID") {
            f.id = std::move(value);
        } else if (key == "PkgName") {
            f.package = std::move(value);
        } else if (key == "PkgPath") {
            f.path = std::move(value);
        } else if (key == "InstalledVersion") {
            f.installed = std::move(value);
        } else if (key == "FixedVersion") {
            f.fixed = std::move(value);
        } else if (key == "Status") {
            f.status = std::move(value);
        }
    }

    std::vector<Frame> m_stack;
    std::string m_target;
    std::size_t m_result_start = 0;
    FindingKind m_kind = FindingKind::vulnerability;
    Finding m_finding;
    std::string m_misconfig_status;
};

}  // namespace

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::critical:
            return "CRITICAL";
        case Severity::high:
            return "HIGH";
        case Severity::medium:
            return "MEDIUM";
        case Severity::low:
            return "LOW";
        case Severity::unknown:
            break;
    }
    return "UNKNOWN";
}

std::optional<Severity> parse_severity(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (Severity severity : k_severities) {
        if (severity_name(severity) == upper) {
            return severity;
        }
    }
    return std::nullopt;
}

Result<Report> parse_report(std::string_view json, const std::string& where) {
    ReportReader reader;
    const bool parsed = nlohmann::json::sax_parse(json.begin(), json.end(), &reader);
    if (!parsed) {
        return runtime_error(fmt::format("{}: Trivy's report is not valid JSON ({})", where, reader.error),
                             "the scan did not produce a readable report; nothing was judged");
    }
    if (!reader.saw_root_object) {
        return runtime_error(fmt::format("{}: Trivy's report is not a JSON object", where),
                             "the scan did not produce a readable report; nothing was judged");
    }
    if (reader.report.schema_version != 2) {
        return runtime_error(
            fmt::format("{}: Trivy report has SchemaVersion {}, pipe reads 2", where, reader.report.schema_version),
            "use Trivy 0.20 or later with --format json");
    }
    return std::move(reader.report);
}

}  // namespace pipeline::scan
