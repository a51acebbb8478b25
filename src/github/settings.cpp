#include <pipe/github/settings.h>

#include <pipe/http/sanitized_url.h>

#include <fmt/format.h>

namespace pipeline::github {

Result<GithubSettings> github_settings(const Environment& env) {
    GithubSettings settings;
    auto token = first_set(env, {k_token_variable, k_actions_token_variable});
    if (!token) {
        return usage_error("no GitHub token: PIPE_GITHUB_TOKEN and GITHUB_TOKEN are unset",
                           "set PIPE_GITHUB_TOKEN to a token that may write contents and pull requests of the "
                           "deployment repository (a GitHub App token or a fine-grained PAT)");
    }
    settings.token_source = std::move(token->first);
    settings.token = Secret(std::move(token->second));
    settings.actions_token =
        settings.token_source == k_actions_token_variable && value_or(env, "GITHUB_ACTIONS", "") == "true";

    std::string api_url = value_or(env, "GITHUB_API_URL", std::string(k_default_api_url));
    while (api_url.ends_with('/')) {
        api_url.pop_back();
    }
    const Result<http::SanitizedUrl> parsed = http::SanitizedUrl::parse(api_url);
    if (!parsed) {
        return located_error("GITHUB_API_URL", parsed.error().message,
                             "set it to the API base, e.g. https://github.example.com/api/v3, or unset it for "
                             "github.com");
    }
    settings.api_url = std::move(api_url);
    return settings;
}

std::string graphql_url(std::string_view api_url) {
    while (api_url.ends_with('/')) {
        api_url.remove_suffix(1);
    }
    if (api_url.ends_with("/api/v3")) {
        api_url.remove_suffix(std::string_view("/v3").size());
    }
    return fmt::format("{}/graphql", api_url);
}

std::string_view actions_token_note() {
    return "> [!NOTE]\n"
           "> This pull request was opened with the workflow's `GITHUB_TOKEN`, so GitHub starts no workflows for "
           "it: its checks will not run. Give `pipe bump` a GitHub App installation token or a personal access "
           "token in `PIPE_GITHUB_TOKEN` to have them run.";
}

}  // namespace pipeline::github
