#include <pipe/scan/report.h>

#include <pipe/scan/json_events.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
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

// Keeps only the fields a Report holds; strings nobody reads are never built.
class ReportReader final : public JsonHandler {
public:
    Report report;
    bool saw_root_object = false;

    bool literal() override { return true; }

    bool number(double value) override {
        if (m_stack.empty()) {
            return true;
        }
        const Frame& frame = m_stack.back();
        if (frame.region == Region::root && frame.key == "SchemaVersion") {
            report.schema_version = static_cast<int>(value);
        } else if (frame.region == Region::cvss_source && frame.key == "V3Score") {
            m_finding.score = std::max(m_finding.score, value);
        }
        return true;
    }

    bool wants_string() const override {
        if (m_stack.empty()) {
            return false;
        }
        const Frame& frame = m_stack.back();
        switch (frame.region) {
            case Region::root:
                return frame.key == "ArtifactName";
            case Region::metadata:
                return frame.key == "ImageID";
            case Region::repo_digests:
                return true;
            case Region::result:
                return frame.key == "Target";
            case Region::pkg_identifier:
                return frame.key == "PURL";
            case Region::finding:
                return is_finding_field(frame.key);
            default:
                return false;
        }
    }

    bool string(std::string_view value) override {
        const Frame& frame = m_stack.back();
        switch (frame.region) {
            case Region::root:
                report.artifact_name = value;
                break;
            case Region::metadata:
                report.image_id = value;
                break;
            case Region::repo_digests:
                report.repo_digests.emplace_back(value);
                break;
            case Region::result:
                m_target = value;
                break;
            case Region::finding:
                finding_string(frame.key, value);
                break;
            case Region::pkg_identifier:
                m_finding.purl = value;
                break;
            default:
                break;
        }
        return true;
    }

    bool key(std::string_view name) override {
        if (!m_stack.empty()) {
            m_stack.back().key.assign(name);
        }
        return true;
    }

    bool start_object() override {
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

    bool end_object() override {
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

    bool start_array() override {
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

    bool end_array() override {
        m_stack.pop_back();
        return true;
    }

private:
    static bool is_finding_field(const std::string& key) {
        static constexpr std::array<std::string_view, 13> k_fields{
            "Severity",     "Title",  "PrimaryURL", "VulnerabilityID", "PkgName", "PkgPath", "InstalledVersion",
            "FixedVersion", "Status", "RuleID",     "Category",        "AVDID",   "ID"};
        return std::find(k_fields.begin(), k_fields.end(), key) != k_fields.end();
    }

    void finding_string(const std::string& key, std::string_view value) {
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
            f.title = std::string(value);
        } else if (key == "PrimaryURL") {
            f.url = std::string(value);
        } else if (f.kind == FindingKind::vulnerability) {
            vulnerability_string(key, value);
        } else if (f.kind == FindingKind::secret) {
            if (key == "RuleID") {
                f.id = std::string(value);
            } else if (key == "Category") {
                f.package = std::string(value);
            }
        } else if (key == "AVDID" || (key == "ID" && f.id.empty())) {
            f.id = std::string(value);
        } else if (key == "Status") {
            m_misconfig_status = std::string(value);
        }
    }

    void vulnerability_string(const std::string& key, std::string_view value) {
        Finding& f = m_finding;
        if (key == "VulnerabilityID") {
            f.id = std::string(value);
        } else if (key == "PkgName") {
            f.package = std::string(value);
        } else if (key == "PkgPath") {
            f.path = std::string(value);
        } else if (key == "InstalledVersion") {
            f.installed = std::string(value);
        } else if (key == "FixedVersion") {
            f.fixed = std::string(value);
        } else if (key == "Status") {
            f.status = std::string(value);
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
    const std::string error = read_json(json, reader);
    if (!error.empty()) {
        return runtime_error(fmt::format("{}: Trivy's report is not valid JSON ({})", where, error),
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
