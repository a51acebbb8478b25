#include <pipe/ci/source_context_builder.h>

#include <fmt/format.h>

#include <charconv>
#include <fstream>

namespace pipeline::ci {
namespace {

Result<nlohmann::json> read_event_payload(const Environment& env) {
    std::optional<std::string> path = lookup(env, "GITHUB_EVENT_PATH");
    if (!path || path->empty()) {
        return nlohmann::json::object();
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
        return config_error("GITHUB_EVENT_PATH", fmt::format("cannot read the event payload {}", *path),
                            "unset GITHUB_EVENT_PATH outside GitHub Actions");
    }
    nlohmann::json payload = nlohmann::json::parse(in, nullptr, false);
    if (payload.is_discarded() || !payload.is_object()) {
        return config_error(*path, "the event payload is not a JSON object");
    }
    return payload;
}

std::string string_at(const nlohmann::json& doc, const nlohmann::json::json_pointer& pointer) {
    if (!doc.contains(pointer)) {
        return {};
    }
    const nlohmann::json& value = doc.at(pointer);
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<long long>());
    }
    return {};
}

bool is_pull_request_event(const std::string& event) {
    return event.rfind("pull_request", 0) == 0;
}

Result<meta::SourceContext> github_context(const Environment& env, const std::optional<git::RepositoryState>& git) {
    meta::SourceContext context;
    Result<nlohmann::json> payload = read_event_payload(env);
    if (!payload) {
        return payload.error();
    }
    context.payload = std::move(*payload);
    context.event_name = value_or(env, "GITHUB_EVENT_NAME", "push");
    context.ref = value_or(env, "GITHUB_REF", "");
    context.sha = value_or(env, "GITHUB_SHA", git ? git->sha : "");
    if (context.event_name == "pull_request_target") {
        std::string number = string_at(context.payload, "/number"_json_pointer);
        if (!number.empty()) {
            context.ref = fmt::format("refs/pull/{}/merge", number);
        }
    }
    if (is_pull_request_event(context.event_name) && value_or(env, "DOCKER_METADATA_PR_HEAD_SHA", "") == "true") {
        std::string head = string_at(context.payload, "/pull_request/head/sha"_json_pointer);
        if (!head.empty()) {
            context.sha = head;
        }
    }
    if (git && git->sha == context.sha) {
        context.commit_time = git->commit_time;
    }
    std::string repository = value_or(env, "GITHUB_REPOSITORY", "");
    std::string server = value_or(env, "GITHUB_SERVER_URL", "https://github.com");
    context.repository.name = repository.substr(repository.find('/') + 1);
    context.repository.html_url = repository.empty() ? std::string() : server + "/" + repository;
    context.repository.description = string_at(context.payload, "/repository/description"_json_pointer);
    context.repository.license = string_at(context.payload, "/repository/license/spdx_id"_json_pointer);
    std::string payload_url = string_at(context.payload, "/repository/html_url"_json_pointer);
    if (!payload_url.empty()) {
        context.repository.html_url = payload_url;
    }
    if (context.sha.empty()) {
        return config_error("GITHUB_SHA", "GitHub Actions context has no commit sha",
                            "GITHUB_SHA is set by the runner; check the step's environment");
    }
    return context;
}

meta::SourceContext local_context(const git::RepositoryState& git) {
    meta::SourceContext context;
    context.event_name = "push";
    context.ref = git.ref;
    context.sha = git.sha;
    context.commit_time = git.commit_time;
    meta::RepositoryInfo repository = repository_from_remote(git.remote_url, git.root.filename().string());
    context.repository = repository;
    context.payload = nlohmann::json{{"repository", {{"default_branch", git.default_branch}}}};
    if (!repository.html_url.empty()) {
        context.payload["repository"]["html_url"] = repository.html_url;
    }
    return context;
}

}  // namespace

bool in_github_actions(const Environment& env) {
    return value_or(env, "GITHUB_ACTIONS", "") == "true";
}

bool oidc_token_available(const Environment& env) {
    return !value_or(env, "ACTIONS_ID_TOKEN_REQUEST_URL", "").empty() &&
           !value_or(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "").empty();
}

Result<std::chrono::system_clock::time_point> reference_time(const Environment& env) {
    std::optional<std::string> epoch = lookup(env, "SOURCE_DATE_EPOCH");
    if (!epoch || epoch->empty()) {
        return std::chrono::system_clock::now();
    }
    long long seconds = 0;
    auto [end, ec] = std::from_chars(epoch->data(), epoch->data() + epoch->size(), seconds);
    if (ec != std::errc() || end != epoch->data() + epoch->size() || seconds < 0) {
        return config_error("SOURCE_DATE_EPOCH", fmt::format("'{}' is not a number of seconds since 1970", *epoch),
                            "set it to e.g. $(git log -1 --format=%ct) or unset it");
    }
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

meta::RepositoryInfo repository_from_remote(const std::string& remote_url, const std::string& fallback_name) {
    meta::RepositoryInfo info;
    info.name = fallback_name;
    const std::string& url = remote_url;
    if (url.empty()) {
        return info;
    }
    std::string host;
    std::string path;
    if (std::size_t scheme = url.find("://"); scheme != std::string::npos) {
        std::string rest = url.substr(scheme + 3);
        std::size_t slash = rest.find('/');
        if (slash == std::string::npos) {
            return info;
        }
        host = rest.substr(0, slash);
        path = rest.substr(slash + 1);
        if (std::size_t at = host.rfind('@'); at != std::string::npos) {
            host = host.substr(at + 1);
        }
        if (url.rfind("ssh://", 0) == 0 || url.rfind("git://", 0) == 0) {
            host = host.substr(0, host.find(':'));
        }
        if (url.rfind("file://", 0) == 0) {
            host.clear();
        }
    } else if (std::size_t colon = url.find(':'); colon != std::string::npos && url.find('/') > colon) {
        host = url.substr(0, colon);
        if (std::size_t at = host.rfind('@'); at != std::string::npos) {
            host = host.substr(at + 1);
        }
        path = url.substr(colon + 1);
    } else {
        return info;
    }
    while (!path.empty() && path.back() == '/') {
        path.pop_back();
    }
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0) {
        path.resize(path.size() - 4);
    }
    if (std::size_t last = path.rfind('/'); last != std::string::npos || !path.empty()) {
        info.name = last == std::string::npos ? path : path.substr(last + 1);
    }
    if (!host.empty() && !path.empty()) {
        info.html_url = fmt::format("https://{}/{}", host, path);
    }
    return info;
}

Result<meta::SourceContext> build_source_context(const Environment& env,
                                                 const std::optional<git::RepositoryState>& git) {
    Result<std::chrono::system_clock::time_point> now = reference_time(env);
    if (!now) {
        return now.error();
    }
    Result<meta::SourceContext> context =
        in_github_actions(env) ? github_context(env, git)
        : git                  ? Result<meta::SourceContext>(local_context(*git))
              : usage_error("no git repository and not in GitHub Actions", "run pipe inside a git checkout");
    if (context) {
        context->now = *now;
    }
    return context;
}

}  // namespace pipeline::ci
