// repository_of_remote(): which git remotes are on the GitHub that the environment points at
// (github.com by default, a GitHub Enterprise Server by GITHUB_SERVER_URL or GITHUB_API_URL).
#include <pipe/github/remote.h>

#include <catch2/catch.hpp>

using pipeline::Environment;
using pipeline::github::repository_of_remote;

TEST_CASE("repository_of_remote recognises GitHub and GitHub Enterprise remotes", "[unit][github]") {
    const Environment dotcom;
    const Environment actions{{"GITHUB_SERVER_URL", "https://github.com"},
                              {"GITHUB_API_URL", "https://api.github.com"}};
    const Environment ghes{{"GITHUB_SERVER_URL", "https://ghe.example.com"},
                           {"GITHUB_API_URL", "https://ghe.example.com/api/v3"}};
    const Environment ghes_api_only{{"GITHUB_API_URL", "http://127.0.0.1:8123/api/v3"}};
    struct Case {
        const char* url;
        const Environment* env;
        const char* repository;  // "" for not a GitHub remote
    };
    const Case cases[] = {
        {"https://github.com/acme/k8s-config.git", &dotcom, "acme/k8s-config"},
        {"https://github.com/acme/k8s-config", &dotcom, "acme/k8s-config"},
        {"https://x-access-token:secret@github.com/acme/k8s-config.git", &dotcom, "acme/k8s-config"},
        {"https://GitHub.com:443/acme/k8s-config/", &dotcom, "acme/k8s-config"},
        {"git@github.com:acme/k8s-config.git", &dotcom, "acme/k8s-config"},
        {"ssh://git@github.com/acme/k8s-config.git", &dotcom, "acme/k8s-config"},
        {"ssh://git@github.com:22/acme/k8s-config.git", &actions, "acme/k8s-config"},
        {"https://github.com/acme/k8s-config.git", &actions, "acme/k8s-config"},
        {"https://gitlab.com/acme/k8s-config.git", &dotcom, ""},
        {"https://github.com.evil.example/acme/k8s-config.git", &dotcom, ""},
        {"https://github.com:8443/acme/k8s-config.git", &dotcom, ""},
        {"https://github.com/acme/k8s-config/tree/main", &dotcom, ""},
        {"file:///srv/git/acme/k8s-config.git", &dotcom, ""},
        {"git://github.com/acme/k8s-config.git", &dotcom, ""},
        {"/srv/git/config.git", &dotcom, ""},
        {"https://ghe.example.com/acme/k8s-config.git", &ghes, "acme/k8s-config"},
        {"git@ghe.example.com:acme/k8s-config.git", &ghes, "acme/k8s-config"},
        {"ssh://git@ghe.example.com:2222/acme/k8s-config.git", &ghes, "acme/k8s-config"},
        {"https://github.com/acme/k8s-config.git", &ghes, ""},
        {"http://127.0.0.1:8123/acme/k8s-config.git", &ghes_api_only, "acme/k8s-config"},
        {"http://127.0.0.1:8124/acme/k8s-config.git", &ghes_api_only, ""},
    };
    for (const Case& c : cases) {
        INFO(c.url);
        const auto found = repository_of_remote(c.url, *c.env);
        CHECK((found ? found->full() : std::string()) == c.repository);
    }
}
