// The run record `<root>/.pipe/run.json`: the whole run of one source commit in one document
// (source sha and PR head sha, the tests' outcome, tags, digests, SBOM and attestation references, scan counts and
// gate decision, signatures, bump results with PR URL and operation, each step's duration and
// exit code). Every step adds its outcome the same way whether it ran inside `pipe run` or as a
// separate process; the services part is derived from `.pipe/state.json`, so both give the same
// record apart from durations and timestamps. A new commit starts a new record.
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace pipeline::steps {

// The layout version of the record; a record of another version is replaced.
inline constexpr int k_run_record_schema = 1;

// The commit the record belongs to.
struct RunSource {
    std::string commit;                 // full sha of HEAD
    std::string pull_request_head_sha;  // the PR's head sha inside a pull_request event, else empty
};

// How one step ended.
struct StepOutcome {
    std::string step;             // "build"
    int exit_code = 0;            // pipe's exit code for the step
    double duration_seconds = 0;  // wall time of the step
    std::string finished_at;      // RFC 3339 UTC
    nlohmann::json result;        // the step's own part (bump: its services), or null
};

// <root>/.pipe/run.json.
std::filesystem::path run_record_path(const std::filesystem::path& root);

// The record to add to: existing when it has this schema and source.commit, else a fresh one.
nlohmann::json continue_record(const std::optional<nlohmann::json>& existing, const RunSource& source);

// Puts outcome into record["steps"], replacing an earlier entry of the same step, in run order.
void add_step(nlohmann::json& record, const StepOutcome& outcome);

// record["services"] and record["test"] derived from the state file's JSON (ignored when it
// belongs to another commit) and the bump entry of record["steps"]; paths under root become
// relative to it.
void derive_services(nlohmann::json& record, const nlohmann::json& state, const std::filesystem::path& root);

// Reads run.json and state.json under root, adds outcome, derives the services and writes the
// record atomically. Returns the record written.
Result<nlohmann::json> record_step_outcome(const std::filesystem::path& root, const RunSource& source,
                                           const StepOutcome& outcome);

}  // namespace pipeline::steps
