// The `--skip-unchanged` check of one service: compute its inputs digest (base images pinned
// through the registry), then look for an image already in each of its repositories, under one
// of this build's tags, labelled with that digest. Anything that cannot be checked means
// "build": a check that could not run never skips a build.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/result.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/workspace.h>
#include <pipe/tools/buildah.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// What the check found.
struct UnchangedCheck {
    std::string inputs_digest;                  // empty when it could not be computed (then: build)
    std::map<std::string, std::string> reused;  // repository -> manifest digest; empty: build
    std::string image_id;                       // the reused image's config digest (or index digest)
    std::string found_at;                       // the reference the match was found under
    std::size_t files = 0;                      // context files hashed
    std::vector<std::string> warnings;          // why nothing could be checked, if so
};

// Runs the check for spec (context and Containerfile relative to the workspace root).
// Errors are only interrupts and unreadable context files; registry trouble is a warning.
Result<UnchangedCheck> check_unchanged(const Workspace& workspace, const config::ServiceConfig& service,
                                       const tools::BuildSpec& spec, proc::Runner& runner,
                                       const std::function<void(std::string_view)>& trace);

}  // namespace pipeline::steps
