// `pipe scan`: runs Trivy once per image, prints the gate's summary table on stdout (or one JSON
// document), writes the raw report, SARIF, JUnit and SBOM files asked for, and inside GitHub
// Actions the step summary, outputs and ::error:: annotations. Exit 1 when the gate fails.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/system_runner.h>
#include <pipe/scan/scan_reports.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/scan_step.h>

#include <fmt/format.h>

#include <fstream>
#include <functional>

namespace pipeline::cli {
namespace {

constexpr std::size_t k_max_table_rows = 50;
constexpr std::size_t k_max_annotations = 20;

nlohmann::json service_json(const steps::ServiceScan& scanned) {
    nlohmann::json counts;
    for (scan::Severity severity : scan::k_severities) {
        counts[std::string(scan::severity_name(severity))] = scanned.gate.count(severity);
    }
    nlohmann::json doc{{"name", scanned.name},
                       {"image", scanned.image},
                       {"digest", scanned.digest},
                       {"counts", counts},
                       {"failing", scanned.gate.failing.size()},
                       {"ignored", scanned.gate.ignored},
                       {"passed", scanned.gate.passed},
                       {"report", scanned.report_file.string()},
                       {"cached", scanned.cached}};
    if (!scanned.resolved_from.empty()) {
        doc["resolved_from"] = scanned.resolved_from;
    }
    if (!scanned.sbom_file.empty()) {
        doc["sbom"] = scanned.sbom_file.string();
    }
    if (!scanned.plan.empty()) {
        doc["plan"] = scanned.plan;
    }
    return doc;
}

scan::ScanSubject subject_of(const steps::ServiceScan& scanned) {
    return scan::ScanSubject{scanned.image, scanned.digest, scanned.trivy_version};
}

// Writes a file through write(stream); a failed open or write is a runtime error naming it.
Result<void> write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    write(out);
    out.close();
    if (!out) {
        return runtime_error(fmt::format("cannot write {}", path), "check that the directory exists and is writable");
    }
    return {};
}

// With several services, each file name gets the service name before its extension.
std::string per_service(const std::string& path, const std::string& service, bool multi) {
    if (!multi) {
        return path;
    }
    const std::filesystem::path given(path);
    return (given.parent_path() / (given.stem().string() + "-" + service + given.extension().string())).string();
}

class ScanCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("image", m_options.image, "Image to scan instead of the pushed digests (a tag is resolved)")
            ->option_text("IMAGE");
        command.add_flag("--local", m_options.local, "Scan the built image before it is pushed (an OCI layout export)");
        command
            .add_option("--from-report", m_from_report, "Judge an existing Trivy JSON report instead of running Trivy")
            ->option_text("FILE");
        command.add_option("--severity", m_severity, "Severities that fail the gate (default CRITICAL,HIGH)")
            ->option_text("LIST");
        command.add_option("--fail-on", m_fail_on, "`none` to report without failing, or severities like --severity")
            ->option_text("none|LIST");
        command.add_flag("--ignore-unfixed", m_overrides.ignore_unfixed, "Only findings with a fix fail the gate");
        command.add_option("--ignore-file", m_overrides.ignore_file, ".trivyignore or .trivyignore.yaml to apply")
            ->option_text("FILE");
        command.add_option("--output", m_output, "Write Trivy's raw JSON report here")->option_text("FILE");
        command.add_option("--sarif", m_sarif, "Write SARIF 2.1.0 for GitHub code scanning")->option_text("FILE");
        command.add_option("--junit", m_junit, "Write JUnit XML")->option_text("FILE");
        command.add_option("--sbom", m_sbom, "Write an SBOM of the same image")->option_text("FILE");
        command.add_option("--sbom-format", m_options.sbom_format, "spdx-json (default) or cyclonedx")
            ->option_text("FORMAT");
        command.add_flag("--no-cache", m_options.no_cache, "Scan even when a report for this digest and DB is cached");
        command.add_option("--scanners", m_overrides.scanners, "Trivy scanners (default vuln,secret)")
            ->option_text("LIST");
        command.add_option("--timeout", m_overrides.timeout, "Trivy's timeout, e.g. 10m")->option_text("DURATION");
        command.add_flag("--skip-db-update", m_options.skip_db_update, "Use the cached vulnerability DB as is");
        command.add_flag("--offline", m_options.offline, "No network lookups besides the registry (--offline-scan)");
        command.add_option("--cache-dir", m_cache_dir, "Trivy's cache directory")->option_text("DIR");
        command.add_option("--db-repository", m_options.db_repository, "OCI repository of the vulnerability DB")
            ->option_text("REPO");
        command.add_option("--platform", m_options.platform, "Platform to scan in a multi-arch image")
            ->option_text("OS/ARCH");
        add_registry_options(command, m_registry);
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace();
        if (!workspace) {
            return workspace.error();
        }
        if (!m_severity.empty()) {
            m_overrides.severity = m_severity;
        }
        if (!m_fail_on.empty()) {
            m_overrides.fail_on = m_fail_on;
        }
        if (auto applied = steps::apply_scan_overrides(**workspace, m_overrides); !applied) {
            return applied.error();
        }
        if (auto applied = steps::apply_registry_overrides(**workspace, m_registry); !applied) {
            return applied.error();
        }
        Output& out = invocation.out();
        m_options.dry_run = invocation.globals().dry_run;
        m_options.cache_dir = m_cache_dir;
        m_options.sbom = m_sbom;
        m_options.from_report = m_from_report;
        m_options.progress = tool_progress(out, ci::in_github_actions(invocation.env()), "trivy image", "scanning");
        m_options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<steps::ScanReport> report = steps::run_scan(**workspace, runner, m_options);
        if (!report) {
            return report.error();
        }
        for (const std::string& warning : report->warnings) {
            out.warn(warning);
        }
        if (m_options.dry_run) {
            print_plan(out, *report);
            return Verdict::pass;
        }
        if (auto written = write_files(*report); !written) {
            return written.error();
        }
        // The report files are pipe's own outputs: the state follows them into the tree.
        if (auto followed = state::follow_own_outputs((*workspace)->root, report->tree); !followed) {
            return followed.error();
        }
        print(invocation, *report);
        auto published = publish_to_actions(invocation, step_outputs(*report), step_summary(*report));
        if (!published) {
            return published.error();
        }
        return report->passed() ? Verdict::pass : Verdict::fail;
    }

private:
    Result<void> write_files(const steps::ScanReport& report) const {
        const bool multi = report.services.size() > 1;
        for (const steps::ServiceScan& scanned : report.services) {
            const std::vector<std::pair<const std::string*, std::function<void(std::ostream&)>>> files{
                {&m_output, [&](std::ostream& out) { copy_report(out, scanned); }},
                {&m_sarif,
                 [&](std::ostream& out) { scan::write_sarif(out, scanned.report, scanned.gate, subject_of(scanned)); }},
                {&m_junit, [&](std::ostream& out) {
                     scan::write_junit(out, scanned.report, scanned.gate, subject_of(scanned));
                 }}};
            for (const auto& [path, write] : files) {
                if (path->empty()) {
                    continue;
                }
                if (auto written = write_file(per_service(*path, scanned.name, multi), write); !written) {
                    return written;
                }
            }
        }
        return {};
    }

    static void copy_report(std::ostream& out, const steps::ServiceScan& scanned) {
        std::ifstream in(scanned.report_file, std::ios::binary);
        out << in.rdbuf();
    }

    static void print_plan(Output& out, const steps::ScanReport& report) {
        if (out.options().json) {
            nlohmann::json services = nlohmann::json::array();
            for (const steps::ServiceScan& scanned : report.services) {
                services.push_back(service_json(scanned));
            }
            out.document(step_document(std::move(services), true, {}));
            return;
        }
        for (const steps::ServiceScan& scanned : report.services) {
            for (const std::string& step : scanned.plan) {
                out.line(step);
            }
        }
    }

    static void print(Invocation& invocation, const steps::ScanReport& report) {
        Output& out = invocation.out();
        const bool in_actions = ci::in_github_actions(invocation.env());
        for (const steps::ServiceScan& scanned : report.services) {
            if (!scanned.resolved_from.empty()) {
                out.info(fmt::format("pipe: scanned {} (resolved from {})", scanned.image, scanned.resolved_from));
            }
            if (scanned.cached && !scanned.digest.empty()) {
                out.info(fmt::format("pipe: reused the report of {} for the same Trivy DB ({}); --no-cache scans again",
                                     scanned.digest, scanned.report_file.string()));
            }
            if (in_actions) {
                for (const std::string& annotation :
                     scan::annotations(scanned.report, scanned.gate, k_max_annotations)) {
                    out.info(annotation);
                }
            }
        }
        if (out.options().json) {
            nlohmann::json services = nlohmann::json::array();
            for (const steps::ServiceScan& scanned : report.services) {
                services.push_back(service_json(scanned));
            }
            nlohmann::json doc = report.services.size() == 1 ? services[0] : nlohmann::json::object();
            doc["services"] = services;
            doc["state_file"] = report.state_file.string();
            out.document(doc);
            return;
        }
        for (const steps::ServiceScan& scanned : report.services) {
            if (report.services.size() > 1) {
                out.line(fmt::format("# {}: {}", scanned.name, scanned.image));
            }
            for (const std::string& line : scan::terminal_summary(scanned.report, scanned.gate, k_max_table_rows)) {
                out.line(line);
            }
            std::vector<std::string> names;
            names.reserve(scanned.fail_on.size());
            for (scan::Severity severity : scanned.fail_on) {
                names.emplace_back(scan::severity_name(severity));
            }
            if (scanned.gate.passed) {
                out.info(fmt::format("pipe: {} passed the gate ({})", scanned.image,
                                     names.empty() ? "report only" : fmt::format("{}", fmt::join(names, ","))));
            } else {
                out.info(fmt::format("pipe: {} failed the gate: {} finding(s) at {}", scanned.image,
                                     scanned.gate.failing.size(), fmt::join(names, ",")));
            }
        }
    }

    static ci::StepOutputs step_outputs(const steps::ScanReport& report) {
        ci::StepOutputs outputs;
        const bool multi = report.services.size() > 1;
        nlohmann::json all = nlohmann::json::array();
        for (const steps::ServiceScan& scanned : report.services) {
            const std::string prefix = multi ? scanned.name + "-" : "";
            outputs.emplace_back(prefix + "passed", scanned.gate.passed ? "true" : "false");
            outputs.emplace_back(prefix + "failing", std::to_string(scanned.gate.failing.size()));
            outputs.emplace_back(prefix + "report", scanned.report_file.string());
            all.push_back(service_json(scanned));
        }
        outputs.emplace_back("json", nlohmann::json{{"services", all}}.dump());
        return outputs;
    }

    static std::string step_summary(const steps::ScanReport& report) {
        std::string text;
        const std::size_t share = ci::k_step_summary_limit / std::max<std::size_t>(1, report.services.size()) - 1024;
        for (const steps::ServiceScan& scanned : report.services) {
            text += scan::to_markdown(scanned.report, scanned.gate, subject_of(scanned), scanned.fail_on, share);
        }
        return text;
    }

    steps::ScanOptions m_options;
    steps::ScanOverrides m_overrides;
    steps::RegistryOverrides m_registry;
    std::string m_severity;
    std::string m_fail_on;
    std::string m_output;
    std::string m_sarif;
    std::string m_junit;
    std::string m_sbom;
    std::string m_cache_dir;
    std::string m_from_report;
};

}  // namespace

std::unique_ptr<CommandHandler> make_scan_command() {
    return std::make_unique<ScanCommand>();
}

}  // namespace pipeline::cli
