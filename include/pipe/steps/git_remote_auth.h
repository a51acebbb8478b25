// The credentials git mode presents to a config repository's remote, chosen from the environment
// so that a token only reaches the host it is meant for.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/git/config_checkout.h>

#include <string>

namespace pipeline::steps {

// For http(s): PIPE_GIT_TOKEN for any host (as the password of PIPE_GIT_USERNAME, default
// x-access-token, which GitHub, GitHub Enterprise and Gitea accept); without it PIPE_GITHUB_TOKEN,
// then GITHUB_TOKEN, but only when the remote is on GitHub (github::repository_of_remote), so a
// GitHub token is never sent to another server. For ssh: the private key file PIPE_GIT_SSH_KEY,
// else the agent at SSH_AUTH_SOCK, with the host key checked against PIPE_GIT_KNOWN_HOSTS (default
// ~/.ssh/known_hosts).
git::RemoteAuth git_remote_auth(const std::string& url, const Environment& env);

}  // namespace pipeline::steps
