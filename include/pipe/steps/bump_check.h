// `pipe bump --check`: run in a checkout of the GitOps config repository (its own CI), it compares
// the checked-out commit with the base of the change and reports whether anything else than image
// versions changed. Prints nothing itself.
#pragma once

#include <pipe/bump/change_check.h>
#include <pipe/core/environment.h>
#include <pipe/core/result.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::steps {

// What to compare.
struct BumpCheckOptions {
    std::filesystem::path directory = ".";  // inside the config repository's checkout
    std::string against;                    // base revision; empty: see run_bump_check
    std::vector<std::string> keys;          // more YAML paths whose scalars may change (--key)
};

// The findings of a check.
struct BumpCheckReport {
    std::string base;  // commit sha
    std::string head;
    std::string base_source;  // how the base was chosen: "--against X", "merge base with origin/main", "HEAD^"
    std::size_t files = 0;    // files the change touches
    std::vector<bump::CheckFinding> findings;

    // True when every finding is an image version change (also for an empty change).
    bool only_image_versions() const;
};

// Compares HEAD with the base: --against when given; else in a pull request workflow
// (GITHUB_BASE_REF) the merge base with origin/<base ref>; else HEAD's first parent (which is the
// base for the merge commit actions/checkout makes of a pull request). A base that does not
// resolve is a usage error saying how to fetch it.
Result<BumpCheckReport> run_bump_check(const BumpCheckOptions& options, const Environment& env);

}  // namespace pipeline::steps
