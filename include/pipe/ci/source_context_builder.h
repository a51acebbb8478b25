// Builds the tag engine's SourceContext: inside GitHub Actions from its variables and event
// payload (the CI context wins), elsewhere from the local git state, with the same rules as
// docker/metadata-action for pull_request_target and DOCKER_METADATA_PR_HEAD_SHA.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/git/repository_state.h>
#include <pipe/meta/source_context.h>

#include <chrono>
#include <optional>
#include <string>

namespace pipeline::ci {

// True when running as a GitHub Actions step (GITHUB_ACTIONS=true).
bool in_github_actions(const Environment& env);

// True when the job may request a GitHub Actions OIDC token (permissions: id-token: write sets
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN): keyless signing needs no person.
bool oidc_token_available(const Environment& env);

// "Now" for labels and date expressions: SOURCE_DATE_EPOCH when set (must be an integer of
// seconds), else the clock.
Result<std::chrono::system_clock::time_point> reference_time(const Environment& env);

// Repository facts from a remote URL (https, ssh or scp-like); name falls back to fallback_name.
meta::RepositoryInfo repository_from_remote(const std::string& remote_url, const std::string& fallback_name);

// The context for the tag engine. git may be absent in CI (no checkout); outside CI it is required.
Result<meta::SourceContext> build_source_context(const Environment& env,
                                                 const std::optional<git::RepositoryState>& git);

}  // namespace pipeline::ci
