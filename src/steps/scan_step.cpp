#include <pipe/core/file_text.h>
#include <pipe/steps/recorded_state.h>
#include <pipe/steps/scan_step.h>

#include <pipe/core/timestamp.h>
#include <pipe/oci/digest.h>
#include <pipe/oci/reference.h>
#include <pipe/state/build_record.h>
#include <pipe/state/push_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/build_step.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/tools/trivy.h>

#include <fmt/format.h>

namespace pipeline::steps {
namespace {

constexpr const char* k_scan_section = "scan";

std::string today_utc() {
    return rfc3339_utc(std::chrono::system_clock::now()).substr(0, 10);
}

// What to scan for one service: the image and where it came from.
struct Target {
    const config::ServiceConfig* service;
    std::string reference;  // registry reference, or the local name for --local
    bool local = false;
};

Result<std::vector<Target>> targets(const Workspace& workspace, const ScanOptions& options,
                                    const std::optional<state::State>& state) {
    std::vector<Target> found;
    if (!options.image.empty() || !options.from_report.empty()) {
        found.push_back(Target{&workspace.config.services.front(), options.image});
        return found;
    }
    const std::string where = state::state_path(workspace.root).string();
    for (const config::ServiceConfig& service : workspace.config.services) {
        if (options.local) {
            const nlohmann::json* built = state ? state->section(service.name, state::k_build_section) : nullptr;
            if (built == nullptr) {
                return usage_error(fmt::format("service '{}' has no build recorded for this commit", service.name),
                                   "run `pipe build` first; --local scans the built image before it is pushed");
            }
            Result<state::BuildRecord> record = state::parse_build_record(*built, where);
            if (!record) {
                return record.error();
            }
            if (record->local_name.empty()) {
                return usage_error(fmt::format("service '{}' was not built here (--skip-unchanged reused {})",
                                               service.name, record->image),
                                   "scan the registry image instead: pipe scan without --local");
            }
            found.push_back(Target{&service, record->local_name, true});
            continue;
        }
        Result<std::string> pinned = pushed_reference(
            workspace, state, service, "run `pipe push` first, or name the image: pipe scan IMAGE[@DIGEST]");
        if (!pinned) {
            return pinned.error();
        }
        found.push_back(Target{&service, *pinned});
    }
    return found;
}

// The cache file for a digest scanned with one Trivy, DB and scanner set.
std::filesystem::path cache_file(const std::filesystem::path& root, const std::string& digest,
                                 const tools::TrivyVersion& version, const tools::TrivySettings& settings) {
    const std::string key = oci::sha256_digest(fmt::format("{}\n{}\n{}\n{}\n{}", version.version, version.db_updated_at,
                                                           settings.scanners, settings.platform, version.db_schema));
    return root / ".pipe" / "scan" /
           fmt::format("{}-{}.json", digest.substr(digest.find(':') + 1, 32), key.substr(7, 16));
}

Result<void> copy_into(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::error_code ec;
    std::filesystem::create_directories(to.parent_path(), ec);
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
        return runtime_error(fmt::format("cannot write {}: {}", to.string(), ec.message()));
    }
    return {};
}

class ServiceScanner {
public:
    ServiceScanner(const Workspace& workspace, proc::Runner& runner, const ScanOptions& options,
                   std::vector<std::string>& warnings)
        : m_workspace(workspace), m_runner(runner), m_options(options), m_warnings(warnings) {}

    Result<ServiceScan> scan(const Target& target) {
        const config::ServiceConfig& service = *target.service;
        ServiceScan result;
        result.name = service.name;
        Result<std::vector<scan::Severity>> fail_on =
            scan::parse_severity_list(service.scan.severity, service.origin_of("scan.severity"));
        if (!fail_on) {
            return located_error(service.origin_of("scan.severity"), fail_on.error().message, fail_on.error().hint);
        }
        result.fail_on = *fail_on;
        Result<std::vector<scan::IgnoreEntry>> ignores = load_ignores(service);
        if (!ignores) {
            return ignores.error();
        }
        if (!m_options.from_report.empty()) {
            result.report_file = m_options.from_report;
            return judge(service, *ignores, std::move(result));
        }
        if (target.local) {
            result.image = target.reference;
            if (auto ran = scan_local(service, target.reference, result); !ran) {
                return ran.error();
            }
            return judge(service, *ignores, std::move(result));
        }
        Result<oci::ImageReference> reference = oci::parse_reference(target.reference);
        if (!reference) {
            return reference.error();
        }
        Result<std::unique_ptr<RegistrySession>> session =
            RegistrySession::open(m_workspace, service, m_runner, m_options.trace);
        if (!session) {
            return session.error();
        }
        tools::TrivySettings settings = trivy_settings(service, **session);
        if (!reference->digest && !m_options.dry_run) {
            Result<std::optional<oci::ManifestHead>> head = (*session)->client().head_manifest(*reference);
            if (!head) {
                return head.error();
            }
            if (!*head) {
                return usage_error(fmt::format("{} does not exist in the registry", reference->string()),
                                   "check the name and tag; pipe scans what a registry holds");
            }
            result.resolved_from = reference->string();
            reference->digest = (*head)->digest;
        }
        if (reference->digest) {
            reference->tag.reset();
            result.digest = *reference->digest;
        }
        result.image = reference->string();
        if (m_options.dry_run) {
            tools::Trivy trivy(m_runner, settings);
            result.plan.push_back(proc::describe(trivy.version_command()));
            result.plan.push_back(proc::describe(
                trivy.scan_command(result.image, false, ScratchDirectory::placeholder("scan") / "report.json")));
            return result;
        }
        Result<const oci::PrivateAuthFile*> auth = (*session)->auth_file({*reference});
        if (!auth) {
            return auth.error();
        }
        settings.environment = (*auth)->environment();
        if (auto ran = run_trivy(service, settings, result); !ran) {
            return ran.error();
        }
        return judge(service, *ignores, std::move(result));
    }

private:
    // Parses the report file and applies the gate.
    Result<ServiceScan> judge(const config::ServiceConfig& service, const std::vector<scan::IgnoreEntry>& ignores,
                              ServiceScan result) {
        if (m_options.dry_run) {
            return result;
        }
        Result<scan::Report> report =
            scan::parse_report(read_file_text(result.report_file).value_or(""), result.report_file.string());
        if (!report) {
            return report.error();
        }
        result.report = std::move(*report);
        if (result.report.unknown_severities > 0) {
            m_warnings.push_back(fmt::format("{}: {} finding(s) have a severity pipe does not know; judged as UNKNOWN",
                                             service.name, result.report.unknown_severities));
        }
        scan::GatePolicy policy;
        policy.fail_on = result.fail_on;
        policy.ignore_unfixed = service.scan.ignore_unfixed;
        policy.today = m_options.today.empty() ? today_utc() : m_options.today;
        if (result.image.empty()) {
            result.image = result.report.artifact_name;
            const std::size_t at = result.image.find("@sha256:");
            if (at != std::string::npos) {
                result.digest = result.image.substr(at + 1);
            }
        }
        result.gate = scan::judge(result.report, policy, ignores);
        m_warnings.insert(m_warnings.end(), result.gate.warnings.begin(), result.gate.warnings.end());
        return result;
    }

    // Exports the locally built image to an OCI layout and scans that with `trivy image --input`.
    Result<void> scan_local(const config::ServiceConfig& service, const std::string& local_name, ServiceScan& result) {
        tools::Trivy trivy(m_runner, base_settings(service));
        tools::Buildah buildah(m_runner, buildah_settings_for(m_workspace.root, service.build));
        ScratchDirectory scratch;
        std::filesystem::path directory = ScratchDirectory::placeholder("scan");
        if (!m_options.dry_run) {
            Result<std::filesystem::path> created = scratch.create("scan");
            if (!created) {
                return created.error();
            }
            directory = *created;
        }
        tools::PushSpec exported;
        exported.source = local_name;
        exported.transport = "oci:";
        exported.destination = (directory / "layout").string();
        exported.digestfile = directory / "digest";
        exported.tmpdir = directory;
        const std::filesystem::path report = directory / "report.json";
        result.plan.push_back(proc::describe(buildah.push_command(exported)));
        result.plan.push_back(proc::describe(trivy.scan_command((directory / "layout").string(), true, report)));
        if (m_options.dry_run) {
            return {};
        }
        if (m_options.progress.started) {
            m_options.progress.started(service.name);
        }
        Result<std::string> pushed = buildah.push(exported, m_options.progress.output);
        Result<void> scanned =
            pushed ? trivy.scan((directory / "layout").string(), true, report, m_options.progress.output)
                   : Result<void>(pushed.error());
        if (m_options.progress.finished) {
            m_options.progress.finished(service.name);
        }
        if (!scanned) {
            return scanned.error();
        }
        Result<tools::TrivyVersion> version = trivy.version();
        if (!version) {
            return version.error();
        }
        result.trivy_version = version->version;
        result.report_file = m_workspace.root / ".pipe" / "scan" / fmt::format("local-{}.json", service.name);
        return copy_into(report, result.report_file);
    }

    Result<std::vector<scan::IgnoreEntry>> load_ignores(const config::ServiceConfig& service) {
        if (!service.scan.ignore_file.empty()) {
            const std::filesystem::path given(service.scan.ignore_file);
            const std::filesystem::path path = given.is_absolute() ? given : m_workspace.root / given;
            return scan::load_ignore_file(path, service.origin_of("scan.ignore_file"));
        }
        const std::filesystem::path fallback = m_workspace.root / ".trivyignore";
        std::error_code ec;
        if (std::filesystem::is_regular_file(fallback, ec)) {
            return scan::load_ignore_file(fallback, fallback.string());
        }
        return std::vector<scan::IgnoreEntry>{};
    }

    // Trivy's settings from the service's `scan:` and the command line.
    tools::TrivySettings base_settings(const config::ServiceConfig& service) const {
        tools::TrivySettings settings;
        settings.scanners = service.scan.scanners;
        settings.timeout = service.scan.timeout;
        settings.cache_dir = m_options.cache_dir;
        settings.db_repository = m_options.db_repository;
        settings.skip_db_update = m_options.skip_db_update;
        settings.offline = m_options.offline;
        settings.platform = m_options.platform;
        return settings;
    }

    // base_settings plus how to reach the service's registry.
    tools::TrivySettings trivy_settings(const config::ServiceConfig& service, RegistrySession& session) const {
        tools::TrivySettings settings = base_settings(service);
        settings.insecure = session.insecure();
        if (!service.registry.ca_file.empty()) {
            const std::filesystem::path given(service.registry.ca_file);
            settings.ca_file = given.is_absolute() ? given : m_workspace.root / given;
        }
        return settings;
    }

    // Runs Trivy (or takes the cached report) and leaves the report in .pipe/scan/.
    Result<void> run_trivy(const config::ServiceConfig& service, const tools::TrivySettings& settings,
                           ServiceScan& result) {
        tools::Trivy trivy(m_runner, settings);
        Result<tools::TrivyVersion> version = trivy.version();
        if (!version) {
            return version.error();
        }
        result.trivy_version = version->version;
        if (!m_options.no_cache && !version->db_updated_at.empty() && !result.digest.empty()) {
            const std::filesystem::path cached = cache_file(m_workspace.root, result.digest, *version, settings);
            std::error_code ec;
            if (std::filesystem::is_regular_file(cached, ec)) {
                result.report_file = cached;
                result.cached = true;
                return {};
            }
        }
        ScratchDirectory scratch;
        Result<std::filesystem::path> directory = scratch.create("scan");
        if (!directory) {
            return directory.error();
        }
        const std::filesystem::path report = *directory / "report.json";
        if (m_options.progress.started) {
            m_options.progress.started(service.name);
        }
        Result<void> scanned = trivy.scan(result.image, false, report, m_options.progress.output);
        if (!scanned && scanned.error().kind != ErrorKind::interrupted && !settings.skip_db_update &&
            tools::is_db_download_failure(scanned.error().message) && db_young_enough(service, *version)) {
            m_warnings.push_back(fmt::format(
                "{}: Trivy could not download its vulnerability DB; scanning with the cached DB from {} instead",
                service.name, version->db_updated_at));
            trivy.settings().skip_db_update = true;
            scanned = trivy.scan(result.image, false, report, m_options.progress.output);
        }
        if (m_options.progress.finished) {
            m_options.progress.finished(service.name);
        }
        if (!scanned) {
            return scanned.error();
        }
        Result<tools::TrivyVersion> after = trivy.version();
        if (!after) {
            return after.error();
        }
        result.report_file = result.digest.empty() || after->db_updated_at.empty()
                                 ? m_workspace.root / ".pipe" / "scan" / "last-report.json"
                                 : cache_file(m_workspace.root, result.digest, *after, settings);
        return copy_into(report, result.report_file);
    }

    bool db_young_enough(const config::ServiceConfig& service, const tools::TrivyVersion& version) const {
        std::optional<std::chrono::seconds> limit = parse_duration(service.scan.max_db_age);
        std::optional<std::chrono::system_clock::time_point> downloaded =
            parse_rfc3339(version.db_downloaded_at.empty() ? version.db_updated_at : version.db_downloaded_at);
        return limit && downloaded && std::chrono::system_clock::now() - *downloaded <= *limit;
    }

    const Workspace& m_workspace;
    proc::Runner& m_runner;
    const ScanOptions& m_options;
    std::vector<std::string>& m_warnings;
};

nlohmann::json state_section(const ServiceScan& scanned) {
    nlohmann::json counts;
    for (scan::Severity severity : scan::k_severities) {
        counts[std::string(scan::severity_name(severity))] = scanned.gate.count(severity);
    }
    return nlohmann::json{{"image", scanned.image},
                          {"digest", scanned.digest},
                          {"report", scanned.report_file.string()},
                          {"counts", counts},
                          {"failing", scanned.gate.failing.size()},
                          {"passed", scanned.gate.passed},
                          {"trivy_version", scanned.trivy_version},
                          {"sbom", scanned.sbom_file.string()},
                          {"scanned_at", rfc3339_utc(std::chrono::system_clock::now())}};
}

}  // namespace

bool ScanReport::passed() const {
    return std::all_of(services.begin(), services.end(), [](const ServiceScan& s) { return s.gate.passed; });
}

Result<void> apply_scan_overrides(Workspace& workspace, const ScanOverrides& overrides) {
    std::optional<std::string> severity = overrides.fail_on ? overrides.fail_on : overrides.severity;
    const std::string flag = overrides.fail_on ? "--fail-on" : "--severity";
    if (severity) {
        if (auto valid = scan::parse_severity_list(*severity, flag); !valid) {
            return valid.error();
        }
    }
    std::string ignore_file;
    if (!overrides.ignore_file.empty()) {
        std::error_code ec;
        ignore_file = std::filesystem::absolute(overrides.ignore_file, ec).string();
    }
    for (config::ServiceConfig& service : workspace.config.services) {
        if (severity) {
            service.scan.severity = *severity;
            service.set_origin("scan.severity", flag);
        }
        if (overrides.ignore_unfixed) {
            service.scan.ignore_unfixed = true;
            service.set_origin("scan.ignore_unfixed", "--ignore-unfixed");
        }
        if (!ignore_file.empty()) {
            service.scan.ignore_file = ignore_file;
            service.set_origin("scan.ignore_file", "--ignore-file");
        }
        if (!overrides.scanners.empty()) {
            service.scan.scanners = overrides.scanners;
            service.set_origin("scan.scanners", "--scanners");
        }
        if (!overrides.timeout.empty()) {
            service.scan.timeout = overrides.timeout;
            service.set_origin("scan.timeout", "--timeout");
        }
    }
    return {};
}

Result<ScanReport> run_scan(const Workspace& workspace, proc::Runner& runner, const ScanOptions& options) {
    if (options.sbom_format != "spdx-json" && options.sbom_format != "cyclonedx") {
        return usage_error(fmt::format("--sbom-format '{}' is not supported", options.sbom_format),
                           "use spdx-json or cyclonedx");
    }
    if (!options.from_report.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(options.from_report, ec)) {
            return usage_error(fmt::format("--from-report '{}' is not a readable file", options.from_report.string()),
                               "pass a report written by trivy image --format json");
        }
    }
    if (static_cast<int>(!options.image.empty()) + static_cast<int>(options.local) +
            static_cast<int>(!options.from_report.empty()) >
        1) {
        return usage_error("IMAGE, --local and --from-report choose what to scan; give one of them");
    }
    Result<RecordedState> recorded =
        recorded_state(workspace, "pipe scan", options.image.empty() && options.from_report.empty());
    if (!recorded) {
        return recorded.error();
    }
    const std::optional<state::TreeIdentity> tree = recorded->tree;
    const std::optional<state::State>& state = recorded->state;
    Result<std::vector<Target>> found = targets(workspace, options, state);
    if (!found) {
        return found.error();
    }
    ScanReport report;
    ServiceScanner scanner(workspace, runner, options, report.warnings);
    for (const Target& target : *found) {
        Result<ServiceScan> scanned = scanner.scan(target);
        if (!scanned) {
            return scanned.error();
        }
        if (!options.dry_run && !options.sbom.empty()) {
            tools::Trivy trivy(runner, tools::TrivySettings{});
            if (auto converted = trivy.convert(scanned->report_file, options.sbom_format, options.sbom); !converted) {
                return converted.error();
            }
            scanned->sbom_file = options.sbom;
        }
        report.services.push_back(std::move(*scanned));
    }
    if (options.dry_run) {
        return report;
    }
    Result<state::State> updated = state::state_for_update(workspace.root, *tree);
    if (!updated) {
        return updated.error();
    }
    for (const ServiceScan& scanned : report.services) {
        nlohmann::json section = state_section(scanned);
        if (!scanned.sbom_file.empty()) {
            section["sbom_format"] = options.sbom_format;
        }
        updated->set_section(scanned.name, k_scan_section, std::move(section));
    }
    if (auto written = state::write_state(workspace.root, *updated); !written) {
        return written.error();
    }
    Result<state::TreeIdentity> followed = state::follow_own_outputs(workspace.root, *tree);
    if (!followed) {
        return followed.error();
    }
    report.tree = *followed;
    report.state_file = state::state_path(workspace.root);
    return report;
}

}  // namespace pipeline::steps
