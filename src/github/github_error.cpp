#include <pipe/github/github_error.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace pipeline::github {
namespace {

using std::chrono::system_clock;

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
    const auto found = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return found != text.end();
}

// Every message of a GitHub error document: message, then errors[] entries (objects with a
// message, or with resource/field/code, or plain strings).
std::vector<std::string> messages_of(std::string_view body) {
    std::vector<std::string> messages;
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return messages;
    }
    if (const auto message = doc.find("message"); message != doc.end() && message->is_string()) {
        messages.push_back(message->get<std::string>());
    }
    const auto errors = doc.find("errors");
    if (errors == doc.end() || !errors->is_array()) {
        return messages;
    }
    for (const nlohmann::json& entry : *errors) {
        if (entry.is_string()) {
            messages.push_back(entry.get<std::string>());
        } else if (entry.is_object()) {
            if (const auto message = entry.find("message"); message != entry.end() && message->is_string()) {
                messages.push_back(message->get<std::string>());
            } else if (entry.contains("field") && entry.contains("code")) {
                messages.push_back(fmt::format("{} {}: {}", entry.value("resource", std::string("field")),
                                               entry["field"].is_string() ? entry["field"].get<std::string>() : "",
                                               entry["code"].is_string() ? entry["code"].get<std::string>() : ""));
            }
        }
    }
    return messages;
}

bool any_message(const std::vector<std::string>& messages, std::string_view needle) {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const std::string& message) { return contains_ignoring_case(message, needle); });
}

std::string status_text(const http::Response& response) {
    const std::string detail = github_messages(response.body);
    return detail.empty() ? fmt::format("HTTP {}", response.status)
                          : fmt::format("HTTP {}: {}", response.status, detail);
}

// "resets at 2027-01-15 08:00:00 UTC, in 42 min" from X-RateLimit-Reset, or "" without it.
std::string reset_text(const http::Response& response, system_clock::time_point now) {
    const std::optional<std::string_view> reset = response.headers.find("X-RateLimit-Reset");
    long long epoch = 0;
    if (!reset || std::from_chars(reset->data(), reset->data() + reset->size(), epoch).ec != std::errc()) {
        return {};
    }
    const system_clock::time_point at = system_clock::time_point(std::chrono::seconds(epoch));
    const auto minutes = std::chrono::ceil<std::chrono::minutes>(std::max(at - now, system_clock::duration(0)));
    return fmt::format("it resets at {:%Y-%m-%d %H:%M:%S} UTC, in {} min", std::chrono::floor<std::chrono::seconds>(at),
                       minutes.count());
}

GithubError make(GithubErrorKind kind, std::string message, std::string hint) {
    return GithubError{runtime_error(std::move(message), std::move(hint)), kind};
}

}  // namespace

std::string_view kind_name(GithubErrorKind kind) {
    switch (kind) {
        case GithubErrorKind::none:
            return "none";
        case GithubErrorKind::unauthorized:
            return "unauthorized";
        case GithubErrorKind::forbidden:
            return "forbidden";
        case GithubErrorKind::not_found:
            return "not_found";
        case GithubErrorKind::conflict:
            return "conflict";
        case GithubErrorKind::ref_exists:
            return "ref_exists";
        case GithubErrorKind::pr_exists:
            return "pr_exists";
        case GithubErrorKind::not_fast_forward:
            return "not_fast_forward";
        case GithubErrorKind::validation:
            return "validation";
        case GithubErrorKind::rate_limited:
            return "rate_limited";
        case GithubErrorKind::unavailable:
            return "unavailable";
        case GithubErrorKind::unexpected:
            return "unexpected";
        case GithubErrorKind::interrupted:
            return "interrupted";
    }
    return "unexpected";
}

bool is_rate_limit(const http::Response& response) {
    if (response.status != 403 && response.status != 429) {
        return false;
    }
    if (response.status == 429 || response.headers.find("Retry-After").has_value() ||
        response.headers.find("X-RateLimit-Remaining") == std::optional<std::string_view>("0")) {
        return true;
    }
    return any_message(messages_of(response.body), "rate limit");
}

std::string github_messages(std::string_view body) {
    std::string joined;
    for (const std::string& message : messages_of(body)) {
        if (!message.empty() && joined.find(message) == std::string::npos) {
            joined += joined.empty() ? message : "; " + message;
        }
    }
    return joined;
}

GithubError response_error(const Repository& repository, const GithubOperation& operation,
                           const http::Response& response, std::string_view token_source,
                           system_clock::time_point now) {
    const std::string repo = repository.full();
    const std::string what =
        fmt::format("GitHub: {} in {} failed ({})", operation.description, repo, status_text(response));
    const std::vector<std::string> messages = messages_of(response.body);
    if (is_rate_limit(response)) {
        const std::string reset = reset_text(response, now);
        const std::optional<std::string_view> retry_after = response.headers.find("Retry-After");
        std::string when = !reset.empty() ? reset
                           : retry_after  ? fmt::format("GitHub asks to wait {} s", *retry_after)
                                          : std::string("wait a few minutes");
        return make(GithubErrorKind::rate_limited, fmt::format("{}: rate limit exceeded; {}", what, when),
                    "try again after the reset; a GitHub App installation token has a higher limit than the "
                    "workflow's GITHUB_TOKEN");
    }
    switch (response.status) {
        case 401:
            return make(GithubErrorKind::unauthorized,
                        fmt::format("{}: the token from {} is bad or expired", what, token_source),
                        fmt::format("set {} to a valid token (GitHub App installation tokens expire after an hour)",
                                    token_source));
        case 403:
            return make(GithubErrorKind::forbidden,
                        fmt::format("{}: the token lacks {} on {}", what, operation.permission, repo),
                        fmt::format("grant the token from {} `{}` on {} (in a workflow: `permissions:` of the job, "
                                    "for another repository a GitHub App or fine-grained token)",
                                    token_source, operation.permission, repo));
        case 404:
            return make(GithubErrorKind::not_found,
                        fmt::format("{}: the repository or path does not exist, or the token cannot see it", what),
                        fmt::format("check the name {}; for a private repository the token from {} needs access to "
                                    "it (at least contents:read)",
                                    repo, token_source));
        case 409:
            return make(GithubErrorKind::conflict, fmt::format("{}: conflict, it changed since it was read", what),
                        "read it again and retry");
        case 422:
            if (any_message(messages, "pull request already exists")) {
                return make(GithubErrorKind::pr_exists, fmt::format("{}: a pull request already exists", what),
                            "update the open pull request instead");
            }
            if (any_message(messages, "reference already exists")) {
                return make(GithubErrorKind::ref_exists, fmt::format("{}: the branch already exists", what),
                            "update the branch instead");
            }
            if (any_message(messages, "not a fast forward")) {
                return make(GithubErrorKind::not_fast_forward,
                            fmt::format("{}: the branch moved and this is no fast-forward", what),
                            "rebuild the commit on the branch's current head, or force the update");
            }
            if (any_message(messages, "\"sha\" wasn't supplied")) {
                return make(GithubErrorKind::conflict, fmt::format("{}: the file exists but no sha was given", what),
                            "read the file again and retry with its sha");
            }
            return make(GithubErrorKind::validation, fmt::format("{}: GitHub rejected the request", what), {});
        default:
            break;
    }
    if (response.status >= 500) {
        return make(GithubErrorKind::unavailable, fmt::format("{}: GitHub is unavailable", what),
                    "try again later (for github.com see https://www.githubstatus.com)");
    }
    return make(GithubErrorKind::unexpected, what, {});
}

}  // namespace pipeline::github
