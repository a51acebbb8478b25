#include <pipe/steps/git_remote_auth.h>

#include <pipe/github/remote.h>

namespace pipeline::steps {

git::RemoteAuth git_remote_auth(const std::string& url, const Environment& env) {
    git::RemoteAuth auth;
    std::vector<std::string_view> sources{"PIPE_GIT_TOKEN"};
    if (github::repository_of_remote(url, env)) {
        sources.insert(sources.end(), {"PIPE_GITHUB_TOKEN", "GITHUB_TOKEN"});
    }
    for (const std::string_view variable : sources) {
        std::string token = value_or(env, variable, "");
        if (!token.empty()) {
            auth.token = Secret(std::move(token));
            auth.token_source = std::string(variable);
            break;
        }
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
