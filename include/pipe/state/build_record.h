// The "build" section of a service in the state file: what `pipe build` produced, read back by
// `pipe push` to know which local image to push under which names.
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pipeline::state {

// The name of the build step's section.
inline constexpr const char* k_build_section = "build";

// One service's build.
struct BuildRecord {
    std::string image;                    // the primary repository, e.g. ghcr.io/acme/api
    std::string local_name;               // the name in buildah's storage a push starts from
    std::string image_id;                 // sha256:<hex> of the image config (or manifest list)
    bool manifest_list = false;           // several platforms: push with `buildah manifest push --all`
    std::vector<std::string> tags;        // tag names
    std::vector<std::string> references;  // image:tag for every configured image
    std::vector<std::string> platforms;   // as requested; empty: the build host's platform
    std::string started_at;               // RFC 3339 UTC
    std::string finished_at;              // RFC 3339 UTC
    std::int64_t duration_ms = 0;
    std::string inputs_digest;                  // --skip-unchanged: the digest of the build's inputs
    std::map<std::string, std::string> reused;  // --skip-unchanged hit: repository -> manifest digest
                                                // already there; push then only adds tags
};

// The section's JSON.
nlohmann::json to_json(const BuildRecord& record);

// Reads a section written by to_json; a missing or mistyped field is a usage error at where.
Result<BuildRecord> parse_build_record(const nlohmann::json& section, const std::string& where);

}  // namespace pipeline::state
