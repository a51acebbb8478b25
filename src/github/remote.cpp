#include <pipe/github/remote.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace pipeline::github {
namespace {

// Where a URL or scp-like address points: scheme, lower-case host, port ("" for the scheme's
// default), and the path without its leading '/'.
struct Location {
    std::string scheme;
    std::string host;
    std::string port;
    std::string path;
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::optional<Location> locate(std::string_view url) {
    Location where;
    std::string_view authority;
    const std::size_t separator = url.find("://");
    if (separator != std::string_view::npos) {
        where.scheme = lower(url.substr(0, separator));
        const std::string_view rest = url.substr(separator + 3);
        const std::size_t slash = rest.find('/');
        authority = rest.substr(0, slash);
        where.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
    } else {
        const std::size_t colon = url.find(':');
        const std::size_t slash = url.find('/');
        if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) {
            return std::nullopt;
        }
        where.scheme = "ssh";
        authority = url.substr(0, colon);
        where.path = std::string(url.substr(colon + 1));
    }
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    const std::size_t colon = authority.rfind(':');
    if (separator != std::string_view::npos && colon != std::string_view::npos &&
        authority.find(']', colon) == std::string_view::npos) {
        where.port = std::string(authority.substr(colon + 1));
        authority = authority.substr(0, colon);
    }
    where.host = lower(authority);
    if ((where.scheme == "https" && where.port == "443") || (where.scheme == "http" && where.port == "80") ||
        (where.scheme == "ssh" && where.port == "22")) {
        where.port.clear();
    }
    if (where.host.empty()) {
        return std::nullopt;
    }
    return where;
}

// The locations of GitHub's web and git host according to the environment.
std::vector<Location> github_hosts(const Environment& env) {
    std::vector<Location> hosts;
    for (const std::string_view variable : {"GITHUB_SERVER_URL", "GITHUB_API_URL"}) {
        const std::string value = value_or(env, variable, "");
        if (std::optional<Location> where = locate(value); !value.empty() && where) {
            if (where->host == "api.github.com") {
                where->host = "github.com";
            }
            hosts.push_back(*where);
        }
    }
    if (hosts.empty()) {
        hosts.push_back(Location{"https", "github.com", "", ""});
    }
    return hosts;
}

}  // namespace

std::optional<Repository> repository_of_remote(std::string_view url, const Environment& env) {
    std::optional<Location> remote = locate(url);
    if (!remote) {
        return std::nullopt;
    }
    const bool web = remote->scheme == "https" || remote->scheme == "http";
    if (!web && remote->scheme != "ssh") {
        return std::nullopt;
    }
    const std::vector<Location> hosts = github_hosts(env);
    const bool on_github = std::any_of(hosts.begin(), hosts.end(), [&](const Location& github) {
        return github.host == remote->host && (!web || github.port == remote->port);
    });
    if (!on_github) {
        return std::nullopt;
    }
    std::string_view path = remote->path;
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    Result<Repository> parsed = parse_repository(path);
    return parsed ? std::optional<Repository>(*parsed) : std::nullopt;
}

}  // namespace pipeline::github
