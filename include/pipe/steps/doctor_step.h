// `pipe doctor`: checks the machine a pipeline runs on, each check ok, warn, fail or skipped with
// what was found and how to fix it: the libgit2 pipe links, buildah (version, storage driver and
// isolation for this user), Trivy (version, DB age), cosign (optional), and with a pipe.yaml the
// registries of its images (a /v2/ round trip with the credentials pipe would use) and the GitHub
// token of its `bump:` targets. Runs tools only through the given proc::Runner, changes nothing
// and prints nothing itself.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/error.h>
#include <pipe/core/result.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/doctor_checks.h>
#include <pipe/steps/workspace.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// How to run the checks.
struct DoctorOptions {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for the DB age
    std::chrono::hours max_db_age{48};                                             // an older Trivy DB warns
    std::function<void(std::string_view)> trace;  // commands and requests, for --verbose; may be empty
};

// Where the checks run: the workspace when it opened, else why not (outside a repository is
// fine: the machine checks still run; a broken pipe.yaml is a failed check).
struct DoctorContext {
    const Environment* env = nullptr;  // the process environment; never null
    const Workspace* workspace = nullptr;
    std::optional<Error> workspace_error;
};

// Every check, in a fixed order: pipe.yaml, git, buildah, buildah storage, trivy, trivy db,
// cosign, registries, GitHub. Errors are only interrupts; everything else is a check's outcome.
Result<std::vector<DoctorCheck>> run_doctor(const DoctorContext& context, proc::Runner& runner,
                                            const DoctorOptions& options);

}  // namespace pipeline::steps
