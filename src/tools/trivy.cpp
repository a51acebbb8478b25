#include <pipe/tools/start_error.h>
#include <pipe/tools/trivy.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace pipeline::tools {
namespace {

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

// Trivy's last FATAL/ERROR log line (without the timestamp and level), else its last line.
std::string last_error_line(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string last;
    std::string last_error;
    for (std::string line; std::getline(in, line);) {
        if (line.find_first_not_of(" \t") == std::string::npos) {
            continue;
        }
        last = line;
        for (std::string_view level : {"FATAL", "ERROR"}) {
            const std::size_t at = line.find(level);
            if (at != std::string::npos) {
                last_error = line.substr(at);
                std::replace(last_error.begin(), last_error.end(), '\t', ' ');
                break;
            }
        }
    }
    return last_error.empty() ? last : last_error;
}

}  // namespace

Result<TrivyVersion> parse_trivy_version(std::string_view json) {
    const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("Version") || !doc["Version"].is_string()) {
        return runtime_error("`trivy version --format json` printed something pipe cannot read",
                             "check that `trivy` on PATH is Trivy 0.20 or later");
    }
    TrivyVersion version;
    version.version = doc["Version"].get<std::string>();
    if (doc.contains("VulnerabilityDB") && doc["VulnerabilityDB"].is_object()) {
        const nlohmann::json& db = doc["VulnerabilityDB"];
        version.db_updated_at = db.value("UpdatedAt", "");
        version.db_downloaded_at = db.value("DownloadedAt", "");
        version.db_next_update = db.value("NextUpdate", "");
        if (db.contains("Version") && db["Version"].is_number_integer()) {
            version.db_schema = db["Version"].get<int>();
        }
    }
    return version;
}

bool is_db_download_failure(std::string_view stderr_text) {
    return contains(stderr_text, "DB error") || contains(stderr_text, "failed to download vulnerability DB") ||
           contains(stderr_text, "db download error") || contains(stderr_text, "TOOMANYREQUESTS") ||
           contains(stderr_text, "OCI artifact error");
}

Trivy::Trivy(proc::Runner& runner, TrivySettings settings) : m_runner(runner), m_settings(std::move(settings)) {}

proc::Command Trivy::command(std::vector<std::string> args) const {
    proc::Command command;
    command.argv = {m_settings.executable};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    for (const auto& [name, value] : m_settings.environment) {
        command.env[name] = value;
    }
    return command;
}

proc::Command Trivy::scan_command(const std::string& image, bool input, const std::filesystem::path& report) const {
    std::vector<std::string> args{"image",
                                  "--format",
                                  "json",
                                  "--output",
                                  report.string(),
                                  "--exit-code",
                                  std::to_string(k_trivy_findings_exit_code),
                                  "--scanners",
                                  m_settings.scanners,
                                  "--no-progress"};
    if (!m_settings.cache_dir.empty()) {
        args.insert(args.end(), {"--cache-dir", m_settings.cache_dir.string()});
    }
    if (!m_settings.db_repository.empty()) {
        args.insert(args.end(), {"--db-repository", m_settings.db_repository});
    }
    if (m_settings.skip_db_update) {
        args.emplace_back("--skip-db-update");
    }
    if (m_settings.offline) {
        args.emplace_back("--offline-scan");
    }
    if (!m_settings.timeout.empty()) {
        args.insert(args.end(), {"--timeout", m_settings.timeout});
    }
    if (!m_settings.platform.empty()) {
        args.insert(args.end(), {"--platform", m_settings.platform});
    }
    if (m_settings.insecure) {
        args.emplace_back("--insecure");
    }
    if (!m_settings.ca_file.empty()) {
        args.insert(args.end(), {"--cacert", m_settings.ca_file.string()});
    }
    if (input) {
        args.insert(args.end(), {"--input", image});
    } else {
        args.push_back(image);
    }
    return command(std::move(args));
}

proc::Command Trivy::version_command() const {
    std::vector<std::string> args{"version", "--format", "json"};
    if (!m_settings.cache_dir.empty()) {
        args.insert(args.end(), {"--cache-dir", m_settings.cache_dir.string()});
    }
    return command(std::move(args));
}

proc::Command Trivy::convert_command(const std::filesystem::path& report, const std::string& format,
                                     const std::filesystem::path& output) const {
    return command({"convert", "--format", format, "--output", output.string(), report.string()});
}

Result<proc::ProcessResult> Trivy::run_checked(const proc::Command& command, std::string_view doing, bool findings_ok) {
    Result<proc::ProcessResult> result = m_runner.run(command);
    if (!result) {
        return start_error(doing, result.error(),
                           "install Trivy (https://trivy.dev/latest/getting-started/installation/, or the "
                           "aquasecurity/setup-trivy action in GitHub Actions); pipe looks for `trivy` on PATH");
    }
    if (auto signal = result->status.signal()) {
        return runtime_error(fmt::format("{}: Trivy was killed by signal {}; the image was not judged", doing, *signal),
                             "a crashed scanner never passes the gate; check memory limits and run again");
    }
    const int code = result->status.exit_code().value_or(-1);
    if (code == 0 || (findings_ok && code == k_trivy_findings_exit_code)) {
        return result;
    }
    std::string summary = last_error_line(result->err);
    if (summary.empty()) {
        summary = last_error_line(result->out);
    }
    Error error =
        runtime_error(fmt::format("{} failed (exit {}){}{}", doing, code, summary.empty() ? "" : ": ", summary),
                      "see Trivy's output above; `pipe -v scan` shows the exact command");
    if (is_db_download_failure(result->err)) {
        error.hint =
            "Trivy could not download its vulnerability DB (often a registry rate limit): retry later, set "
            "--db-repository to a mirror, or keep a DB in --cache-dir and use --skip-db-update";
    }
    return error;
}

Result<void> Trivy::scan(const std::string& image, bool input, const std::filesystem::path& report,
                         const proc::OutputSink& sink) {
    proc::Command scan = scan_command(image, input, report);
    scan.sink = sink;
    Result<proc::ProcessResult> ran = run_checked(scan, fmt::format("trivy image {}", image), true);
    if (!ran) {
        return ran.error();
    }
    return {};
}

Result<TrivyVersion> Trivy::version() {
    Result<proc::ProcessResult> ran = run_checked(version_command(), "trivy version", false);
    if (!ran) {
        return ran.error();
    }
    return parse_trivy_version(ran->out);
}

Result<void> Trivy::convert(const std::filesystem::path& report, const std::string& format,
                            const std::filesystem::path& output) {
    Result<proc::ProcessResult> ran =
        run_checked(convert_command(report, format, output), fmt::format("trivy convert --format {}", format), false);
    if (!ran) {
        return ran.error();
    }
    return {};
}

}  // namespace pipeline::tools
