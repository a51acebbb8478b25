#include <pipe/steps/bump_check.h>

#include <pipe/git/revision_diff.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {

bool BumpCheckReport::only_image_versions() const {
    return std::all_of(findings.begin(), findings.end(),
                       [](const bump::CheckFinding& finding) { return finding.image_version; });
}

namespace {

// The base commit and how it was chosen.
Result<std::pair<std::string, std::string>> choose_base(const git::LocalRevisions& revisions,
                                                        const BumpCheckOptions& options, const Environment& env,
                                                        const std::string& head) {
    if (!options.against.empty()) {
        std::optional<std::string> base = revisions.resolve(options.against);
        if (!base) {
            return usage_error(fmt::format("--against {} names no commit in this repository", options.against),
                               "fetch it first (git fetch origin BRANCH), or give a sha");
        }
        return std::pair{*base, "--against " + options.against};
    }
    const std::string base_ref = value_or(env, "GITHUB_BASE_REF", "");
    if (!base_ref.empty()) {
        const std::string remote = "origin/" + base_ref;
        std::optional<std::string> tip = revisions.resolve(remote);
        if (!tip) {
            return usage_error(fmt::format("{} is not in this checkout, so the pull request's base is unknown", remote),
                               "check out with `fetch-depth: 0`, or give --against REV");
        }
        std::optional<std::string> base = revisions.merge_base(*tip, head);
        if (!base) {
            return usage_error(fmt::format("HEAD shares no history with {}", remote),
                               "check out with `fetch-depth: 0`, or give --against REV");
        }
        return std::pair{*base, "merge base with " + remote};
    }
    std::optional<std::string> parent = revisions.resolve("HEAD^");
    if (!parent) {
        return usage_error("HEAD has no parent commit to compare with",
                           "give --against REV, or check out with `fetch-depth: 2` or more");
    }
    return std::pair{*parent, std::string("HEAD^")};
}

}  // namespace

Result<BumpCheckReport> run_bump_check(const BumpCheckOptions& options, const Environment& env) {
    Result<git::LocalRevisions> revisions = git::LocalRevisions::open(options.directory);
    if (!revisions) {
        return revisions.error();
    }
    BumpCheckReport report;
    std::optional<std::string> head = revisions->resolve("HEAD");
    if (!head) {
        return usage_error("this repository has no commit yet", "commit the change to check first");
    }
    report.head = *head;
    Result<std::pair<std::string, std::string>> base = choose_base(*revisions, options, env, report.head);
    if (!base) {
        return base.error();
    }
    std::tie(report.base, report.base_source) = *base;
    Result<std::vector<git::ChangedFile>> files = revisions->changed_files(report.base, report.head);
    if (!files) {
        return files.error();
    }
    report.files = files->size();
    for (const git::ChangedFile& file : *files) {
        Result<std::optional<std::string>> before = revisions->read_file(report.base, file.path);
        if (!before) {
            return before.error();
        }
        Result<std::optional<std::string>> after = revisions->read_file(report.head, file.path);
        if (!after) {
            return after.error();
        }
        if (file.status == git::FileStatus::type_changed) {
            report.findings.push_back(bump::CheckFinding{file.path, 0, 0, {}, "file type changed", false});
            continue;
        }
        std::vector<bump::CheckFinding> found = bump::check_file_change(file.path, *before, *after, options.keys);
        report.findings.insert(report.findings.end(), found.begin(), found.end());
    }
    return report;
}

}  // namespace pipeline::steps
