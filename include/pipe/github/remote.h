// Which GitHub repository a git remote names, so that git mode opens its pull request through the
// API only when the remote is on the GitHub pipe's API settings point at (github.com, or a GitHub
// Enterprise Server named by GITHUB_SERVER_URL or GITHUB_API_URL), and sends a GitHub token to no
// other host.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/github/repository.h>

#include <optional>
#include <string_view>

namespace pipeline::github {

// owner/name of url (https://host/o/r(.git), http://, ssh://[user@]host[:port]/o/r.git or scp-like
// git@host:o/r.git; credentials ignored) when its host is GitHub's: the host of GITHUB_SERVER_URL
// and the host of GITHUB_API_URL (api.github.com counts as github.com; an Enterprise Server serves
// git and its /api/v3 on one host), github.com when neither is set. http(s) remotes must match the
// port as well; ssh remotes only the host, since ssh listens on its own port. nullopt otherwise.
std::optional<Repository> repository_of_remote(std::string_view url, const Environment& env);

}  // namespace pipeline::github
