// The source facts tags and labels are computed from: which event, ref and commit, when, and
// which repository. Filled from GitHub Actions variables in CI and from local git otherwise,
// so the tag engine itself never looks at the environment or the repository.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pipeline::meta {

// Repository facts used by the OCI labels (title, source, url, description, licenses).
struct RepositoryInfo {
    std::string name;         // "payments-api"
    std::string html_url;     // "https://github.com/acme/payments-api" (empty when unknown)
    std::string description;  // empty when unknown
    std::string license;      // SPDX id, empty when unknown
};

// Everything docker/metadata-action reads from its GitHub context, as plain values.
struct SourceContext {
    std::string event_name = "push";                    // GITHUB_EVENT_NAME, "push" for local runs
    std::string ref;                                    // full ref: refs/heads/x, refs/tags/v1, refs/pull/N/merge
    std::string sha;                                    // full 40-hex commit (PR head sha when requested)
    nlohmann::json payload = nlohmann::json::object();  // event payload; local runs synthesise one
    std::optional<std::chrono::system_clock::time_point> commit_time;  // from git, when known
    std::chrono::system_clock::time_point now;                         // SOURCE_DATE_EPOCH or the clock
    RepositoryInfo repository;
};

}  // namespace pipeline::meta
