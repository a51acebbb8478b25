// The "push" section of a service in the state file: the digest `pipe push` pushed and
// verified, and every reference now pointing at it, for later steps (scan, sign, bump) and for
// `pipe push --tag` promotions in a later process.
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pipeline::state {

// The name of the push step's section.
inline constexpr const char* k_push_section = "push";

// One service's push.
struct PushRecord {
    std::string digest;                               // sha256:<hex> of the primary image's manifest
    std::string pinned;                               // image@sha256:... to deploy
    std::vector<std::string> references;              // every image:tag verified to resolve to its digest
    std::map<std::string, std::string> repositories;  // repository -> digest pushed there
    std::map<std::string, std::string> platforms;     // os/arch[/variant] -> digest, for a multi-platform index
    std::string pushed_at;                            // RFC 3339 UTC
    std::int64_t duration_ms = 0;
};

// The section's JSON.
nlohmann::json to_json(const PushRecord& record);

// Reads a section written by to_json; a missing or mistyped field is a usage error at where.
Result<PushRecord> parse_push_record(const nlohmann::json& section, const std::string& where);

}  // namespace pipeline::state
