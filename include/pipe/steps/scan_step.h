// `pipe scan`: runs Trivy once per image (the digest `pipe push` recorded, or a reference the
// user names, resolved to a digest first), judges the report with pipe's own gate, and writes
// every report people and GitHub need from that one run; caches the report per image digest and
// Trivy DB. Runs tools only through the given proc::Runner and prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/proc/runner.h>
#include <pipe/scan/gate.h>
#include <pipe/scan/report.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/tool_progress.h>
#include <pipe/steps/workspace.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// Command-line values; each replaces the configured one.
struct ScanOverrides {
    std::optional<std::string> severity;  // --severity
    std::optional<std::string> fail_on;   // --fail-on none|SEVERITIES
    bool ignore_unfixed = false;          // --ignore-unfixed (only turns it on)
    std::string ignore_file;              // --ignore-file, relative to the current directory
    std::string scanners;                 // --scanners
    std::string timeout;                  // --timeout
};

// How to run the scan.
struct ScanOptions {
    std::string image;                      // a reference to scan instead of the pushed digests
    bool local = false;                     // scan the built image before push (exported to an OCI layout)
    std::filesystem::path from_report;      // judge this Trivy JSON report instead of running Trivy
    bool dry_run = false;                   // return the plan; run nothing
    bool no_cache = false;                  // scan even when a cached report for the digest and DB exists
    bool skip_db_update = false;            // Trivy --skip-db-update
    bool offline = false;                   // Trivy --offline-scan
    std::filesystem::path cache_dir;        // Trivy --cache-dir
    std::string db_repository;              // Trivy --db-repository
    std::string platform;                   // Trivy --platform
    std::filesystem::path sbom;             // write an SBOM of the image here too
    std::string sbom_format = "spdx-json";  // or cyclonedx
    std::string today;                      // YYYY-MM-DD for ignore expiry; empty: today (UTC)
    ToolProgress progress;
    std::function<void(std::string_view)> trace;
};

// One scanned image.
struct ServiceScan {
    std::string name;
    std::string image;          // the reference scanned (by digest)
    std::string digest;         // sha256:...
    std::string resolved_from;  // the tag the user named, when pipe resolved it to the digest
    scan::Report report;
    scan::GateResult gate;
    std::vector<scan::Severity> fail_on;
    std::filesystem::path report_file;  // the raw Trivy JSON (in .pipe/scan/)
    std::filesystem::path sbom_file;
    bool cached = false;  // the report came from the cache
    std::string trivy_version;
    std::vector<std::string> plan;  // commands, for --dry-run
};

// The outcome of the scan step.
struct ScanReport {
    std::vector<ServiceScan> services;
    std::vector<std::string> warnings;
    std::filesystem::path state_file;
    state::TreeIdentity tree;  // the tree the state belongs to, including the SBOM written

    // True when every scanned image passed its gate.
    bool passed() const;
};

// Applies command-line overrides; malformed values are usage errors naming the flag.
Result<void> apply_scan_overrides(Workspace& workspace, const ScanOverrides& overrides);

// Scans each selected service's pushed image (or options.image once). A missing push record
// without an image argument is a usage error saying to run `pipe push` or name an image.
Result<ScanReport> run_scan(const Workspace& workspace, proc::Runner& runner, const ScanOptions& options);

}  // namespace pipeline::steps
