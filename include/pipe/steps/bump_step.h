// `pipe bump`: writes the pushed image of each selected service into its GitOps config
// repositories (the `bump:` entries) with byte-exact YAML edits, as a commit on pipe's bump
// branch with a pull request (or straight onto the base branch with --direct). Git mode works
// with any remote through libgit2; API mode talks to GitHub only. A push that lost a race with
// another pipeline is retried on the new base, so no bump is lost. Prints nothing itself.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/result.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/workspace.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// How to run the bump step.
struct BumpOptions {
    std::optional<std::string> value;  // --value: write this instead of the pushed reference
    bool pin_digest = false;           // --pin digest: repo:tag@sha256:... (or the digest key)
    bool direct = false;               // --direct: commit to the base branch, no pull request
    bool no_pr = false;                // --no-pr: push the bump branch only
    std::string mode;                  // --mode git|api; empty: api for repo:, git for url:
    bool no_verify = false;            // --no-verify: skip the signature gate
    bool supersede = false;            // --supersede: as `supersede: true` on every entry
    int max_attempts = 12;             // pushes that lost a race before giving up
    bool dry_run = false;
    std::function<void(std::string_view)> trace;  // requests, for --verbose; may be empty
};

// What happened to one pull request.
struct PullRequestResult {
    int number = 0;
    std::string url;
    std::string operation;  // created, updated, unchanged
};

// The bump of one `bump:` entry of one service.
struct BumpResult {
    std::string service;
    std::string target;  // owner/name or the git URL without credentials
    std::string mode;    // git or api
    std::vector<std::string> files;
    std::string old_value;
    std::string new_value;
    bool changed = false;
    std::string commit;
    std::string branch;
    std::optional<PullRequestResult> pull_request;
    std::vector<int> superseded;  // older bump pull requests of this service closed for this one
    int attempts = 0;
    std::chrono::milliseconds duration{0};
    std::vector<std::string> plan;  // dry run
};

// Why pipe refused to bump: the image did not pass a gate (its tag moved since the push, or its
// signature does not verify). A negative verdict (exit 1), not a failure to run.
struct BumpRefusal {
    std::string reason;
    std::string hint;
};

// The outcome of the bump step.
struct BumpReport {
    std::vector<BumpResult> results;
    std::vector<std::string> warnings;
    std::optional<BumpRefusal> refusal;  // set: nothing was written for this and later services
};

// Bumps every `bump:` entry of every selected service, in order; stops at the first failure.
Result<BumpReport> run_bump(const Workspace& workspace, proc::Runner& runner, const BumpOptions& options);

// Fills {service}, {image}, {tag}, {digest}, {value}, {commit}, {short_commit}, {author},
// {run_url} in text; unknown names stay as written.
std::string expand_bump_template(std::string_view text, const std::map<std::string, std::string>& fields);

// Whether branch is one the branch template could have produced for the same service and image:
// {service} and {image} must match, every other field (commit, tag, digest...) matches any text.
// `supersede` closes the open pull requests of such branches.
bool bump_branch_matches(std::string_view branch_template, const std::map<std::string, std::string>& fields,
                         std::string_view branch);

}  // namespace pipeline::steps
