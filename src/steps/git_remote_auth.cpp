#include <pipe/steps/git_remote_auth.h>

#include <pipe/github/remote.h>
#include <pipe/github/settings.h>

namespace pipeline::steps {

git::RemoteAuth git_remote_auth(const std::string& url, const Environment& env) {
    git::RemoteAuth auth;
    // A GitHub token goes only to GitHub remotes.
    auto token = github::repository_of_remote(url, env)
                     ? first_set(env, {"PIPE_GIT_TOKEN", github::k_token_variable, github::k_actions_token_variable})
                     : first_set(env, {"PIPE_GIT_TOKEN"});
    if (token) {
        auth.token_source = std::move(token->first);
        auth.token = Secret(std::move(token->second));
    }
    if (auth.token_source == "PIPE_GIT_TOKEN") {
        auth.username = value_or(env, "PIPE_GIT_USERNAME", auth.username);
    }
    auth.ssh_key_file = value_or(env, "PIPE_GIT_SSH_KEY", "");
    const std::string home = value_or(env, "HOME", "");
    auth.known_hosts = value_or(env, "PIPE_GIT_KNOWN_HOSTS", home.empty() ? std::string() : home + "/.ssh/known_hosts");
    return auth;
}

}  // namespace pipeline::steps
