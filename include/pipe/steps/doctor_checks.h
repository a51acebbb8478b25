// The judgments of `pipe doctor`, as pure functions over what was found: a tool's version against
// pipe's minimum, buildah's storage and isolation for this user, the age of Trivy's DB, a
// registry's answer to the credentials pipe would use, and a GitHub token's reach. Running the
// tools and requests is doctor_step's job; these only decide ok, warn or fail and the fix.
#pragma once

#include <pipe/core/verdict.h>
#include <pipe/github/github_client.h>
#include <pipe/oci/registry_client.h>
#include <pipe/tools/buildah_info.h>
#include <pipe/tools/tool_version.h>
#include <pipe/tools/trivy.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// How a check ended. A check that could not run is `skipped` or `fail`, never `ok`.
enum class CheckStatus { ok, warn, fail, skipped };

// "ok", "warn", "fail" or "skipped", for output and --json.
std::string_view status_name(CheckStatus status);

// One line of the doctor's report.
struct DoctorCheck {
    std::string name;  // "buildah", "registry ghcr.io", "github acme/config", ...
    CheckStatus status = CheckStatus::skipped;
    bool required = false;  // a failure makes `pipe doctor` exit 1
    std::string detail;     // what was found
    std::string fix;        // what to do about it; empty when nothing is to do
};

// fail when any required check failed, else pass (warnings and optional failures pass).
Verdict doctor_verdict(const std::vector<DoctorCheck>& checks);

// What looking for a tool found.
struct ToolProbe {
    std::string name;        // "buildah", "trivy", "cosign"
    bool installed = false;  // found on PATH
    std::optional<tools::ToolVersion> version;
    std::string problem;  // why no version could be read (it failed, printed nonsense)
};

// A tool's check: missing, unreadable or older than minimum fails (warns when not required);
// install_fix says how to get it, note why it is optional (shown for optional tools).
DoctorCheck judge_tool(const ToolProbe& probe, tools::ToolVersion minimum, bool required, std::string_view install_fix,
                       std::string_view note);

// What pipe would build with and who runs it.
struct BuildahSetup {
    std::string driver;            // the storage driver pipe would use
    std::string driver_origin;     // "pipe.yaml:4:3", "PIPE_STORAGE_DRIVER", or "buildah's default"
    std::string isolation;         // oci, rootless or chroot
    std::string isolation_origin;  // as driver_origin, or "BUILDAH_ISOLATION"
    tools::BuildahInfo info;       // what `buildah info` said with pipe's storage flags
    bool root = false;             // running as uid 0
    std::string user;              // the user's name, for the fix
    bool subordinate_ids = false;  // the user has ranges in /etc/subuid and /etc/subgid
};

// buildah's storage and isolation: rootless without subordinate ids fails, oci isolation
// without an OCI runtime fails, everything else is ok with what would be used.
DoctorCheck judge_buildah_setup(const BuildahSetup& setup);

// True when an /etc/subuid (or /etc/subgid) text gives user (by name or uid) a range.
bool has_subordinate_ids(std::string_view file_text, std::string_view user, unsigned uid);

// The isolation buildah uses when pipe passes none: BUILDAH_ISOLATION when set, else oci for
// root and rootless for everyone else.
std::string default_isolation(std::string_view buildah_isolation_env, bool root);

// Trivy's vulnerability DB: none downloaded, or UpdatedAt older than max_age, warns (the next
// scan downloads one); an UpdatedAt pipe cannot read warns too.
DoctorCheck judge_trivy_db(const tools::TrivyVersion& trivy, std::chrono::system_clock::time_point now,
                           std::chrono::hours max_age);

// A registry's answer to the credentials pipe would use (check name "registry <host>").
DoctorCheck judge_registry(std::string_view registry, const oci::RegistryAccess& access);

// What is known about the token a GitHub check used.
struct GithubTokenFacts {
    std::string source;          // PIPE_GITHUB_TOKEN or GITHUB_TOKEN
    bool actions_token = false;  // the workflow's own GITHUB_TOKEN
    std::string own_repository;  // GITHUB_REPOSITORY, the only one an Actions token reaches
};

// Whether the token can push to repository and open pull requests there: permissions.push and,
// for classic tokens, the `repo` (or for public repositories `public_repo`) scope; the Actions
// token on another repository warns.
DoctorCheck judge_github(const std::string& repository, const github::RepositoryInfo& info,
                         const GithubTokenFacts& token);

}  // namespace pipeline::steps
