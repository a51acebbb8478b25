// When to try a request again, and how long to wait first. decide_retry() is a pure function of
// the attempt number, what the attempt produced, the clock and a jitter value, so every rule is
// covered by table tests; send_with_retry() is the small loop around it, with its sleeping,
// randomness and clock injected.
#pragma once

#include <pipe/core/result.h>
#include <pipe/http/client.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::http {

// Limits of the retry loop.
struct RetryPolicy {
    int max_attempts = 4;                              // tries in total, the first included
    std::chrono::milliseconds initial_backoff{1000};   // the wait after the first failure, doubled after each
    std::chrono::milliseconds max_backoff{16000};      // the doubling stops here
    std::chrono::milliseconds max_server_wait{60000};  // the longest Retry-After or rate-limit reset pipe waits for
};

// What one attempt produced, reduced to what the policy looks at.
struct AttemptOutcome {
    std::optional<TransportFailure> failure;          // set when no response arrived
    bool reached_server = true;                       // false only when the request provably never left pipe
    int status = 0;                                   // the HTTP status when a response arrived
    std::optional<std::string> retry_after;           // the Retry-After header
    std::optional<std::string> rate_limit_remaining;  // X-RateLimit-Remaining (GitHub)
    std::optional<std::string> rate_limit_reset;      // X-RateLimit-Reset, in epoch seconds (GitHub)
};

// The outcome of a send, with the headers the policy reads.
AttemptOutcome outcome_of(const SendResult& result);

// Whether to try again, after how long, and a short reason for messages ("HTTP 503",
// "could not connect", "a POST that reached the server is not repeated").
struct RetryDecision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    std::string reason;
};

// Decides after attempt number `attempt` (1-based). Retried: connect failures, timeouts, broken
// connections, 408, 429, 5xx except 501 and 505, and a 403 that is a GitHub rate limit
// (X-RateLimit-Remaining: 0 or a Retry-After). Never after the last attempt. A non-idempotent
// request is retried only when it never reached the server. The wait is the server's (Retry-After,
// else the rate-limit reset) when given, and a retry is refused when that exceeds
// policy.max_server_wait, since retrying earlier would only be refused again; otherwise it is
// exponential backoff capped at max_backoff, of which the upper half is scaled by jitter in [0, 1).
RetryDecision decide_retry(const RetryPolicy& policy, int attempt, const AttemptOutcome& outcome, bool idempotent,
                           std::chrono::system_clock::time_point now, double jitter);

// A Retry-After value as a wait from now: delay-seconds, or an HTTP-date in any of the three forms
// of RFC 9110 section 5.6.7 (a past date is no wait); nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Waits for the given time, returning early once Ctrl-C or SIGTERM is pending.
void sleep_unless_interrupted(std::chrono::milliseconds duration);

// A uniformly distributed value in [0, 1).
double random_jitter();

// The retry loop's contact with the world, injected so tests neither sleep nor depend on chance
// or today's date.
struct RetryHooks {
    std::function<void(std::chrono::milliseconds)> sleep = sleep_unless_interrupted;
    std::function<double()> jitter = random_jitter;
    std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
    std::function<void(std::string_view)> notify;  // told about each retry, e.g. for --verbose; may be empty
};

// Sends the request until decide_retry() says stop, sleeping in between. Returns the last
// response (whatever its status), or the last transport error with "(gave up after N attempts)"
// appended when there was more than one; an interrupt stops the loop at once.
Result<Response> send_with_retry(Client& client, const Request& request, const RetryPolicy& policy,
                                 const RetryHooks& hooks = {});

}  // namespace pipeline::http
