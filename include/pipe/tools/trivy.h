// The one Trivy wrapper: argv for `trivy image` (always a JSON report to a file, credentials only
// through DOCKER_CONFIG, a findings exit code other than Trivy's own error code 1), `trivy
// version` for the DB metadata that keys pipe's result cache, and `trivy convert` for SBOMs from
// the same report. A Trivy that failed, crashed or was killed is an error, never a clean scan.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/runner.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::tools {

// The exit code pipe asks Trivy to use when it finds something; 1 stays Trivy's own failure.
inline constexpr int k_trivy_findings_exit_code = 5;

// Settings for every Trivy call.
struct TrivySettings {
    std::string executable = "trivy";
    std::filesystem::path cache_dir;  // --cache-dir; empty: Trivy's default
    std::string db_repository;        // --db-repository; empty: Trivy's default
    bool skip_db_update = false;      // --skip-db-update
    bool offline = false;             // --offline-scan
    std::string timeout;              // --timeout, e.g. "10m"; empty: Trivy's 5m
    std::string scanners = "vuln,secret";
    std::string platform;           // --platform os/arch
    bool insecure = false;          // --insecure (plain HTTP or unverified TLS registries)
    std::filesystem::path ca_file;  // --cacert
    Environment environment;        // DOCKER_CONFIG and friends from the private auth file
};

// What `trivy version --format json` says.
struct TrivyVersion {
    std::string version;           // "0.58.1"
    std::string db_updated_at;     // VulnerabilityDB.UpdatedAt; empty when no DB is downloaded
    std::string db_downloaded_at;  // VulnerabilityDB.DownloadedAt
    std::string db_next_update;    // VulnerabilityDB.NextUpdate: when Trivy will download a newer DB
    int db_schema = 0;             // VulnerabilityDB.Version
};

// Reads `trivy version --format json`; malformed output is a runtime error.
Result<TrivyVersion> parse_trivy_version(std::string_view json);

// True when Trivy's stderr says the vulnerability DB could not be downloaded (rate limits,
// registry errors), the case where a recent cached DB may be used instead.
bool is_db_download_failure(std::string_view stderr_text);

// Runs Trivy through a Runner.
class Trivy {
public:
    Trivy(proc::Runner& runner, TrivySettings settings);

    // `trivy image --format json --output <report> --exit-code 5 ...` of an image reference, or of
    // an OCI layout directory with `--input` when input is true.
    proc::Command scan_command(const std::string& image, bool input, const std::filesystem::path& report) const;

    // `trivy version --format json`.
    proc::Command version_command() const;

    // `trivy convert --format <format> --output <output> <report>` (cyclonedx or spdx-json).
    proc::Command convert_command(const std::filesystem::path& report, const std::string& format,
                                  const std::filesystem::path& output) const;

    // Runs scan_command; exit 0 or k_trivy_findings_exit_code is success, anything else an error
    // quoting Trivy's last error line (with a hint for DB download failures), a signal an error
    // saying the scanner crashed.
    Result<void> scan(const std::string& image, bool input, const std::filesystem::path& report,
                      const proc::OutputSink& sink);

    // Runs version_command.
    Result<TrivyVersion> version();

    // Runs convert_command.
    Result<void> convert(const std::filesystem::path& report, const std::string& format,
                         const std::filesystem::path& output);

    const TrivySettings& settings() const { return m_settings; }
    TrivySettings& settings() { return m_settings; }

private:
    proc::Command command(std::vector<std::string> args) const;
    Result<proc::ProcessResult> run_checked(const proc::Command& command, std::string_view doing, bool findings_ok);

    proc::Runner& m_runner;
    TrivySettings m_settings;
};

}  // namespace pipeline::tools
