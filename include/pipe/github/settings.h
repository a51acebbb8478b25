// GithubSettings: where the GitHub API is and which token pipe sends to it, read from the
// environment (PIPE_GITHUB_TOKEN, then GITHUB_TOKEN; GITHUB_API_URL for GitHub Enterprise Server).
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/core/secret.h>

#include <string>
#include <string_view>

namespace pipeline::github {

// The API base URL without a trailing '/', used when GITHUB_API_URL is unset or empty.
inline constexpr std::string_view k_default_api_url = "https://api.github.com";

// The variables pipe reads a GitHub token from, in this order.
inline constexpr std::string_view k_token_variable = "PIPE_GITHUB_TOKEN";
inline constexpr std::string_view k_actions_token_variable = "GITHUB_TOKEN";

// How pipe reaches GitHub and as whom.
struct GithubSettings {
    std::string api_url = std::string(k_default_api_url);  // no trailing '/'
    Secret token;
    std::string token_source;    // the variable the token came from, for error messages
    bool actions_token = false;  // the workflow's own GITHUB_TOKEN: its pull requests trigger no workflows
};

// Reads the settings: the token from PIPE_GITHUB_TOKEN, else GITHUB_TOKEN (a usage error when
// neither is set), the base URL from GITHUB_API_URL (a config error when it is not an http(s)
// URL). actions_token is set when the token came from GITHUB_TOKEN while GITHUB_ACTIONS=true.
Result<GithubSettings> github_settings(const Environment& env);

// The GraphQL endpoint for an API base URL: https://api.github.com/graphql for github.com, and
// <host>/api/graphql for GitHub Enterprise Server, whose REST base ends in /api/v3.
std::string graphql_url(std::string_view api_url);

// A Markdown note for a pull request opened with the Actions GITHUB_TOKEN, explaining why its
// checks do not start and which token to use instead.
std::string_view actions_token_note();

}  // namespace pipeline::github
