// GithubError: a failed GitHub API call as one line for the user (naming the operation and the
// repository, with a hint) plus a kind the caller switches on, e.g. to re-read a file after a
// conflict or to update the pull request that already exists instead of opening another.
#pragma once

#include <pipe/core/result.h>
#include <pipe/github/repository.h>
#include <pipe/http/response.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pipeline::github {

// What went wrong, in the terms the bump step reacts to.
enum class GithubErrorKind {
    none,              // success
    unauthorized,      // 401: the token is bad or expired
    forbidden,         // 403 that is no rate limit: the token lacks a permission
    not_found,         // 404: no such repository, path or branch, or the token cannot see it
    conflict,          // 409, or a contents PUT without the sha of an existing file: re-read and retry
    ref_exists,        // 422 "Reference already exists" when creating a branch
    pr_exists,         // 422 "A pull request already exists": find and update that one
    not_fast_forward,  // 422 "Update is not a fast forward" when moving a branch without force
    validation,        // any other 422 (or GraphQL error), with GitHub's messages
    rate_limited,      // 403/429 rate limit that outlasted the waits pipe allows
    unavailable,       // 5xx or no answer at all (network, TLS, timeout)
    unexpected,        // an answer pipe cannot read (not JSON, fields missing)
    interrupted,       // Ctrl-C or SIGTERM; Error::kind is interrupted
};

// A short name for a kind ("pr_exists"), for test output and --verbose.
std::string_view kind_name(GithubErrorKind kind);

// The user's error and the kind behind it.
struct GithubError {
    Error error;
    GithubErrorKind kind = GithubErrorKind::unexpected;
};

// A T or a GithubError: Result's interface plus kind(), and convertible to Result<T> so a caller
// that does not care about the kind can pass it on.
template <class T>
class [[nodiscard]] GithubResult {
public:
    GithubResult(T value) : m_state(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    GithubResult(GithubError error)                                               // NOLINT(google-explicit-constructor)
        : m_state(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return m_state.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // The user's error; only valid when has_value() is false.
    const Error& error() const { return std::get<1>(m_state).error; }

    // The whole failure; only valid when has_value() is false.
    const GithubError& github_error() const { return std::get<1>(m_state); }

    // GithubErrorKind::none on success.
    GithubErrorKind kind() const { return has_value() ? GithubErrorKind::none : std::get<1>(m_state).kind; }

    operator Result<T>() const& {  // NOLINT(google-explicit-constructor)
        return has_value() ? Result<T>(value()) : Result<T>(error());
    }
    operator Result<T>() && {  // NOLINT(google-explicit-constructor)
        return has_value() ? Result<T>(std::get<0>(std::move(m_state))) : Result<T>(std::get<1>(m_state).error);
    }

private:
    std::variant<T, GithubError> m_state;
};

// Success without a value, or a GithubError.
template <>
class [[nodiscard]] GithubResult<void> {
public:
    GithubResult() = default;
    GithubResult(GithubError error) : m_error(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool has_value() const { return !m_error.has_value(); }
    explicit operator bool() const { return has_value(); }
    const Error& error() const { return m_error->error; }
    const GithubError& github_error() const { return *m_error; }
    GithubErrorKind kind() const { return m_error ? m_error->kind : GithubErrorKind::none; }

    operator Result<void>() const {  // NOLINT(google-explicit-constructor)
        return m_error ? Result<void>(m_error->error) : Result<void>();
    }

private:
    std::optional<GithubError> m_error;
};

// What a failed call was, for the message and the 403 hint.
struct GithubOperation {
    std::string description;  // "create pull request acme/app-deploy:pipe/bump-app -> main"
    std::string permission;   // what a 403 says the token lacks: "pull-requests:write", "contents:read"
};

// True for a GitHub rate-limit answer: 403 or 429 with X-RateLimit-Remaining: 0, a Retry-After,
// or a message about a rate limit (primary or secondary).
bool is_rate_limit(const http::Response& response);

// The message and every errors[].message (or errors[] string) of a GitHub error document,
// joined with "; "; empty when the body is not one.
std::string github_messages(std::string_view body);

// Turns a non-2xx answer into the user's error: which status means what is described with
// GithubErrorKind. token_source names the variable for a 401; now dates a rate-limit reset.
GithubError response_error(const Repository& repository, const GithubOperation& operation,
                           const http::Response& response, std::string_view token_source,
                           std::chrono::system_clock::time_point now);

}  // namespace pipeline::github
