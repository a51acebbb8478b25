// The "test" section of the state file's repository-wide part: what `pipe test` ran, how it
// ended, how long it took and which coverage file it produced, so a later step or a person can
// tell whether this tree's tests passed without running them again.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::state {

// The name of the test step's section.
inline constexpr const char* k_test_section = "test";

// A coverage file the tests wrote, identified by content.
struct CoverageRecord {
    std::string path;    // relative to the repository root
    std::string sha256;  // sha256:<hex> of its bytes
};

// One run of the repository's tests.
struct TestRecord {
    std::string runner;                 // "configured", "--command", or what was detected: go, cmake, ...
    std::vector<std::string> commands;  // what ran, as shell lines, in order
    bool passed = false;                // every command exited 0 within the time limit
    std::optional<int> exit_code;       // of the last command that ran; nullopt when a signal ended it
    std::string status;                 // "exited with code 1", "killed by signal 11 (SIGSEGV)", ...
    std::string finished_at;            // RFC 3339 UTC
    std::int64_t duration_ms = 0;       // wall time of all commands
    std::optional<CoverageRecord> coverage;
};

// The section's JSON: {"runner", "commands", "passed", "exit_code", "status", "finished_at",
// "duration_ms", "coverage": {"path", "sha256"} or null}.
nlohmann::json to_json(const TestRecord& record);

}  // namespace pipeline::state
