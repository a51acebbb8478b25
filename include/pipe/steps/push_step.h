// `pipe push`: pushes each service's built image to its registries with buildah, adds the
// remaining tags of each repository by manifest PUT (no blob upload), verifies through pipe's
// own registry client that every tag resolves to the pushed digest, and records the digest in
// the state file for scan, sign and bump. `--tag` promotes an already pushed digest.
// Runs tools only through the given proc::Runner and prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/tool_progress.h>
#include <pipe/steps/workspace.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// How to run the push step.
struct PushOptions {
    bool dry_run = false;                 // return the plan; run nothing, contact no registry
    std::vector<std::string> extra_tags;  // --tag: more tags for every repository of each service
    ToolProgress progress;
    std::function<void(std::string_view)> trace;  // registry requests, for --verbose; may be empty
};

// What was (or, in a dry run, would be) pushed for one service.
struct ServicePush {
    std::string name;
    std::string image;                    // primary repository
    std::string digest;                   // manifest digest in the primary repository
    std::string pinned;                   // image@digest; empty in a dry run
    std::vector<std::string> references;  // every image:tag now resolving to its digest
    std::vector<std::string> uploaded;    // references pushed with buildah (blobs uploaded)
    std::vector<std::string> tagged;      // references added by manifest PUT only
    bool promotion = false;               // only tags were added to an earlier push
    std::chrono::milliseconds duration{0};
    std::vector<std::string> plan;  // the buildah commands and registry calls, in order
};

// The outcome of the push step.
struct PushReport {
    std::vector<ServicePush> services;
    std::vector<std::string> warnings;
    std::filesystem::path state_file;  // empty in a dry run
};

// Pushes every selected service in order. Needs the build section of each service in the
// state file of the current tree (else a usage error saying to run `pipe build`); with
// extra_tags and an earlier push of the same build, only adds those tags. Stops at the first
// failure; services pushed before it stay recorded.
Result<PushReport> run_push(const Workspace& workspace, proc::Runner& runner, const PushOptions& options);

}  // namespace pipeline::steps
