#include <pipe/http/retry_policy.h>
#include <pipe/http/scripted_client.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::interrupted_error;
using pipeline::Result;
using pipeline::http::AttemptOutcome;
using pipeline::http::decide_retry;
using pipeline::http::Method;
using pipeline::http::outcome_of;
using pipeline::http::parse_retry_after;
using pipeline::http::Request;
using pipeline::http::Response;
using pipeline::http::RetryDecision;
using pipeline::http::RetryHooks;
using pipeline::http::RetryPolicy;
using pipeline::http::SanitizedUrl;
using pipeline::http::scripted_failure;
using pipeline::http::scripted_response;
using pipeline::http::ScriptedClient;
using pipeline::http::send_with_retry;
using pipeline::http::TransportError;
using pipeline::http::TransportFailure;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

// 2024-03-01T12:00:00Z, a Friday.
const system_clock::time_point k_now =
    std::chrono::sys_days(std::chrono::year(2024) / std::chrono::March / 1) + std::chrono::hours(12);

const long long k_now_epoch = std::chrono::duration_cast<std::chrono::seconds>(k_now.time_since_epoch()).count();

AttemptOutcome status(int code) {
    AttemptOutcome outcome;
    outcome.status = code;
    return outcome;
}

AttemptOutcome failure(TransportFailure kind, bool reached_server) {
    AttemptOutcome outcome;
    outcome.failure = kind;
    outcome.reached_server = reached_server;
    return outcome;
}

AttemptOutcome retry_after(int code, std::string value) {
    AttemptOutcome outcome = status(code);
    outcome.retry_after = std::move(value);
    return outcome;
}

AttemptOutcome rate_limit(int code, std::string remaining, std::optional<long long> reset) {
    AttemptOutcome outcome = status(code);
    outcome.rate_limit_remaining = std::move(remaining);
    if (reset) {
        outcome.rate_limit_reset = std::to_string(*reset);
    }
    return outcome;
}

}  // namespace

TEST_CASE("decide_retry: what is retried, after how long", "[http][retry]") {
    struct Case {
        std::string name;
        AttemptOutcome outcome;
        int attempt;
        bool idempotent;
        double jitter;
        bool retry;
        milliseconds delay;
    };
    // Default policy: 4 attempts, backoff 1 s doubling to 16 s (upper half jittered), server waits up to 60 s.
    const std::vector<Case> cases = {
        {"connect failure, GET", failure(TransportFailure::connect, false), 1, true, 0.0, true, 500ms},
        {"connect failure, POST never sent", failure(TransportFailure::connect, false), 1, false, 0.0, true, 500ms},
        {"timeout, GET, second attempt, mid jitter", failure(TransportFailure::timeout, true), 2, true, 0.5, true,
         1500ms},
        {"timeout, POST that was sent", failure(TransportFailure::timeout, true), 1, false, 0.0, false, 0ms},
        {"timeout before connecting, POST", failure(TransportFailure::timeout, false), 1, false, 0.0, true, 500ms},
        {"dropped connection, GET", failure(TransportFailure::dropped, true), 1, true, 0.0, true, 500ms},
        {"dropped connection, PUT", failure(TransportFailure::dropped, true), 3, true, 0.0, true, 2000ms},
        {"dropped connection, PATCH", failure(TransportFailure::dropped, true), 1, false, 0.0, false, 0ms},
        {"TLS failure", failure(TransportFailure::tls, false), 1, true, 0.0, false, 0ms},
        {"other failure", failure(TransportFailure::other, false), 1, true, 0.0, false, 0ms},
        {"interrupted", failure(TransportFailure::interrupted, true), 1, true, 0.0, false, 0ms},
        {"408", status(408), 1, true, 0.0, true, 500ms},
        {"429 without headers", status(429), 1, true, 0.0, true, 500ms},
        {"500", status(500), 1, true, 0.0, true, 500ms},
        {"502", status(502), 1, true, 0.0, true, 500ms},
        {"503", status(503), 2, true, 0.0, true, 1000ms},
        {"504", status(504), 1, true, 0.0, true, 500ms},
        {"599", status(599), 1, true, 0.0, true, 500ms},
        {"501 Not Implemented", status(501), 1, true, 0.0, false, 0ms},
        {"505 HTTP Version Not Supported", status(505), 1, true, 0.0, false, 0ms},
        {"200", status(200), 1, true, 0.0, false, 0ms},
        {"201", status(201), 1, false, 0.0, false, 0ms},
        {"304", status(304), 1, true, 0.0, false, 0ms},
        {"400", status(400), 1, true, 0.0, false, 0ms},
        {"401", status(401), 1, true, 0.0, false, 0ms},
        {"403 without rate-limit headers", status(403), 1, true, 0.0, false, 0ms},
        {"404", status(404), 1, true, 0.0, false, 0ms},
        {"409", status(409), 1, true, 0.0, false, 0ms},
        {"422", status(422), 1, false, 0.0, false, 0ms},
        {"503 on a POST", status(503), 1, false, 0.0, false, 0ms},
        {"429 on a POST", status(429), 1, false, 0.0, false, 0ms},
        {"503 on the last attempt: no sleep after the last try", status(503), 4, true, 0.0, false, 0ms},
        {"connect failure on the last attempt", failure(TransportFailure::connect, false), 4, true, 0.0, false, 0ms},
        {"429 Retry-After: 1", retry_after(429, "1"), 1, true, 0.7, true, 1000ms},
        {"503 Retry-After: 0", retry_after(503, "0"), 1, true, 0.7, true, 0ms},
        {"429 Retry-After at the cap", retry_after(429, "60"), 1, true, 0.0, true, 60000ms},
        {"429 Retry-After over the cap", retry_after(429, "120"), 1, true, 0.0, false, 0ms},
        {"429 Retry-After HTTP-date 30 s ahead", retry_after(429, "Fri, 01 Mar 2024 12:00:30 GMT"), 1, true, 0.0, true,
         30000ms},
        {"503 Retry-After HTTP-date in the past", retry_after(503, "Fri, 01 Mar 2024 11:00:00 GMT"), 1, true, 0.0, true,
         0ms},
        {"429 Retry-After garbage falls back to backoff", retry_after(429, "soon"), 2, true, 0.0, true, 1000ms},
        {"404 with Retry-After is still final", retry_after(404, "1"), 1, true, 0.0, false, 0ms},
        {"403 rate limit exhausted, reset in 10 s", rate_limit(403, "0", k_now_epoch + 10), 1, true, 0.0, true,
         10000ms},
        {"429 rate limit exhausted, reset passed", rate_limit(429, "0", k_now_epoch - 5), 1, true, 0.0, true, 0ms},
        {"403 rate limit exhausted, reset in an hour", rate_limit(403, "0", k_now_epoch + 3600), 1, true, 0.0, false,
         0ms},
        {"403 rate limit exhausted, no reset: backoff", rate_limit(403, "0", std::nullopt), 1, true, 0.0, true, 500ms},
        {"403 with quota left is a permission problem", rate_limit(403, "4999", k_now_epoch + 10), 1, true, 0.0, false,
         0ms},
        {"403 secondary rate limit with Retry-After", retry_after(403, "5"), 1, true, 0.0, true, 5000ms},
    };
    const RetryPolicy policy;
    for (const Case& c : cases) {
        INFO(c.name);
        const RetryDecision decision = decide_retry(policy, c.attempt, c.outcome, c.idempotent, k_now, c.jitter);
        CHECK(decision.retry == c.retry);
        CHECK(decision.delay == c.delay);
        CHECK_FALSE(decision.reason.empty());
    }
}

TEST_CASE("decide_retry: backoff doubles, jitters the upper half and stops at the cap", "[http][retry]") {
    RetryPolicy policy;
    policy.max_attempts = 20;
    const AttemptOutcome outcome = status(503);
    struct Case {
        int attempt;
        double jitter;
        milliseconds delay;
    };
    const std::vector<Case> cases = {
        {1, 0.0, 500ms},     {1, 0.5, 750ms},    {1, 0.999, 999ms},   {2, 0.0, 1000ms}, {3, 0.0, 2000ms},
        {4, 0.0, 4000ms},    {5, 0.0, 8000ms},   {5, 1.0, 16000ms},   {6, 0.0, 8000ms}, {6, 1.0, 16000ms},
        {19, 0.25, 10000ms}, {19, -3.0, 8000ms}, {19, 42.0, 16000ms},
    };
    for (const Case& c : cases) {
        INFO("attempt " << c.attempt << ", jitter " << c.jitter);
        const RetryDecision decision = decide_retry(policy, c.attempt, outcome, true, k_now, c.jitter);
        CHECK(decision.retry);
        CHECK(decision.delay == c.delay);
    }
}

TEST_CASE("decide_retry: reasons say why not", "[http][retry]") {
    const RetryPolicy policy;
    CHECK(decide_retry(policy, 1, status(404), true, k_now, 0).reason == "HTTP 404");
    CHECK_THAT(decide_retry(policy, 4, status(503), true, k_now, 0).reason, Catch::Contains("no attempts left of 4"));
    CHECK_THAT(decide_retry(policy, 1, status(503), false, k_now, 0).reason, Catch::Contains("not repeated"));
    CHECK_THAT(decide_retry(policy, 1, retry_after(429, "3600"), true, k_now, 0).reason,
               Catch::Contains("asked to wait 3600.0 s, longer than the 60.0 s"));
    CHECK(decide_retry(policy, 1, failure(TransportFailure::connect, false), true, k_now, 0).reason ==
          "could not connect");
}

TEST_CASE("parse_retry_after: delay-seconds and the three HTTP-date forms", "[http][retry]") {
    struct Case {
        std::string value;
        std::optional<milliseconds> wait;
    };
    const std::vector<Case> cases = {
        {"0", 0ms},
        {"1", 1000ms},
        {"120", 120000ms},
        {"  7 ", 7000ms},
        {"Fri, 01 Mar 2024 12:00:10 GMT", 10000ms},
        {"Fri, 01 Mar 2024 12:00:00 GMT", 0ms},
        {"Thu, 29 Feb 2024 12:00:00 GMT", 0ms},
        {"Sat, 02 Mar 2024 12:00:00 GMT", 86400000ms},
        {"Friday, 01-Mar-24 12:01:00 GMT", 60000ms},
        {"Fri Mar  1 12:00:05 2024", 5000ms},
        {"Fri Mar 01 12:00:05 2024", 5000ms},
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0ms},
        {"Fri, 01 Mar 2024 12:00:60 GMT", 59000ms},
        {"", std::nullopt},
        {"-1", std::nullopt},
        {"1.5", std::nullopt},
        {"+5", std::nullopt},
        {"soon", std::nullopt},
        {"Fri, 01 Mar 2024 12:00:10 UTC", std::nullopt},
        {"Fri, 01 Mar 2024 12:00:10", std::nullopt},
        {"Fri, 1 Mar 2024 12:00:10 GMT", std::nullopt},
        {"Fri, 01 Foo 2024 12:00:10 GMT", std::nullopt},
        {"Fri, 31 Feb 2024 12:00:10 GMT", std::nullopt},
        {"Fri, 01 Mar 2024 24:00:00 GMT", std::nullopt},
        {"Fri, 01 Mar 2024 12:60:00 GMT", std::nullopt},
        {"Fri, 01 Mar 2024 12:00:10 GMT trailing", std::nullopt},
        {"Fri Mar  1 12:00:05 2024 GMT", std::nullopt},
    };
    for (const Case& c : cases) {
        INFO('"' << c.value << '"');
        CHECK(parse_retry_after(c.value, k_now) == c.wait);
    }
    const std::optional<milliseconds> huge = parse_retry_after("99999999999999999999999", k_now);
    REQUIRE(huge.has_value());
    CHECK(*huge > std::chrono::hours(24 * 365));
}

TEST_CASE("outcome_of() reads the status, the retry headers and transport failures", "[http][retry]") {
    const AttemptOutcome response = outcome_of(scripted_response(
        403, "", {{"retry-after", "30"}, {"x-ratelimit-remaining", "0"}, {"X-RateLimit-Reset", "1709294400"}}));
    CHECK_FALSE(response.failure.has_value());
    CHECK(response.reached_server);
    CHECK(response.status == 403);
    CHECK(response.retry_after == "30");
    CHECK(response.rate_limit_remaining == "0");
    CHECK(response.rate_limit_reset == "1709294400");

    const AttemptOutcome broken = outcome_of(scripted_failure(TransportFailure::connect, false, "refused"));
    CHECK(broken.failure == TransportFailure::connect);
    CHECK_FALSE(broken.reached_server);
}

namespace {

const std::string k_url = "https://registry.example.com/v2/acme/app/manifests/1.0";

Request request_for(Method method, const std::string& url = k_url) {
    Request request;
    request.method = method;
    request.url = *SanitizedUrl::parse(url);
    return request;
}

// Hooks that record sleeps and messages instead of sleeping, with fixed jitter and time.
struct RecordedHooks {
    std::vector<milliseconds> sleeps;
    std::vector<std::string> notes;

    RetryHooks hooks() {
        RetryHooks recorded;
        recorded.sleep = [this](milliseconds wait) { sleeps.push_back(wait); };
        recorded.jitter = [] { return 0.0; };
        recorded.now = [] { return k_now; };
        recorded.notify = [this](std::string_view note) { notes.emplace_back(note); };
        return recorded;
    }
};

}  // namespace

TEST_CASE("send_with_retry: 503 twice, then the answer", "[http][retry]") {
    ScriptedClient client;
    client.expect(Method::get, k_url, scripted_response(503));
    client.expect(Method::get, k_url, scripted_response(502));
    client.expect(Method::get, k_url, scripted_response(200, "{}"));
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), RetryPolicy{}, recorded.hooks());
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == "{}");
    CHECK(recorded.sleeps == std::vector<milliseconds>{500ms, 1000ms});
    CHECK(recorded.notes == std::vector<std::string>{
                                "GET " + k_url + ": HTTP 503; retrying in 0.5 s (attempt 2 of 4)",
                                "GET " + k_url + ": HTTP 502; retrying in 1.0 s (attempt 3 of 4)",
                            });
    CHECK(client.unanswered() == 0);
}

TEST_CASE("send_with_retry: the last response is returned after the last attempt, without a final sleep",
          "[http][retry]") {
    ScriptedClient client;
    RetryPolicy policy;
    policy.max_attempts = 3;
    for (int i = 0; i < 3; ++i) {
        client.expect(Method::get, k_url, scripted_response(500, "boom " + std::to_string(i)));
    }
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), policy, recorded.hooks());
    REQUIRE(response.has_value());
    CHECK(response->status == 500);
    CHECK(response->body == "boom 2");
    CHECK(recorded.sleeps.size() == 2);
    CHECK(client.unanswered() == 0);
}

TEST_CASE("send_with_retry: the final error says how many attempts were made", "[http][retry]") {
    ScriptedClient client;
    for (int i = 0; i < 4; ++i) {
        client.expect(Method::get, k_url,
                      scripted_failure(TransportFailure::connect, false, "GET " + k_url + ": could not connect"));
    }
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), RetryPolicy{}, recorded.hooks());
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().kind == ErrorKind::runtime);
    CHECK(response.error().message == "GET " + k_url + ": could not connect (gave up after 4 attempts)");
    CHECK(recorded.sleeps == std::vector<milliseconds>{500ms, 1000ms, 2000ms});
}

TEST_CASE("send_with_retry: a single failed attempt is reported as it is", "[http][retry]") {
    ScriptedClient client;
    client.expect(Method::get, k_url, scripted_failure(TransportFailure::tls, false, "TLS failed"));
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), RetryPolicy{}, recorded.hooks());
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().message == "TLS failed");
    CHECK(recorded.sleeps.empty());
}

TEST_CASE("send_with_retry: a POST is repeated only when it never reached the server", "[http][retry]") {
    const std::string pulls = "https://api.github.com/repos/acme/deploy/pulls";
    SECTION("refused, then created") {
        ScriptedClient client;
        client.expect(Method::post, pulls, scripted_failure(TransportFailure::connect, false, "refused"));
        client.expect(Method::post, pulls, scripted_response(201, R"({"number":7})"));
        RecordedHooks recorded;
        Result<Response> response =
            send_with_retry(client, request_for(Method::post, pulls), RetryPolicy{}, recorded.hooks());
        REQUIRE(response.has_value());
        CHECK(response->status == 201);
        CHECK(client.requests().size() == 2);
    }
    SECTION("timed out after sending: not repeated, it may have created the pull request") {
        ScriptedClient client;
        client.expect(Method::post, pulls, scripted_failure(TransportFailure::timeout, true, "timed out"));
        RecordedHooks recorded;
        Result<Response> response =
            send_with_retry(client, request_for(Method::post, pulls), RetryPolicy{}, recorded.hooks());
        REQUIRE_FALSE(response.has_value());
        CHECK(response.error().message == "timed out");
        CHECK(client.requests().size() == 1);
        CHECK(recorded.sleeps.empty());
    }
    SECTION("502 answered: not repeated") {
        ScriptedClient client;
        client.expect(Method::post, pulls, scripted_response(502));
        RecordedHooks recorded;
        Result<Response> response =
            send_with_retry(client, request_for(Method::post, pulls), RetryPolicy{}, recorded.hooks());
        REQUIRE(response.has_value());
        CHECK(response->status == 502);
        CHECK(client.requests().size() == 1);
    }
}

TEST_CASE("send_with_retry: Retry-After is honoured", "[http][retry]") {
    ScriptedClient client;
    client.expect(Method::get, k_url, scripted_response(429, "", {{"Retry-After", "3"}}));
    client.expect(Method::get, k_url, scripted_response(200));
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), RetryPolicy{}, recorded.hooks());
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(recorded.sleeps == std::vector<milliseconds>{3000ms});
}

TEST_CASE("send_with_retry: an interrupt stops at once", "[http][retry]") {
    ScriptedClient client;
    client.expect(Method::get, k_url, TransportError{TransportFailure::interrupted, true, interrupted_error(2)});
    RecordedHooks recorded;
    Result<Response> response = send_with_retry(client, request_for(Method::get), RetryPolicy{}, recorded.hooks());
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().kind == ErrorKind::interrupted);
    CHECK(response.error().signal == 2);
    CHECK(recorded.sleeps.empty());
}

TEST_CASE("send_with_retry: retry notes never show credentials in the URL", "[http][retry]") {
    const std::string signed_url = "https://storage.example.com/blob?X-Amz-Signature=s3cr3t&X-Amz-Expires=60";
    ScriptedClient client;
    client.expect(Method::get, signed_url, scripted_response(503));
    client.expect(Method::get, signed_url, scripted_response(200));
    RecordedHooks recorded;
    REQUIRE(send_with_retry(client, request_for(Method::get, signed_url), RetryPolicy{}, recorded.hooks()).has_value());
    REQUIRE(recorded.notes.size() == 1);
    CHECK(recorded.notes[0].find("s3cr3t") == std::string::npos);
    CHECK_THAT(recorded.notes[0], Catch::Contains("X-Amz-Signature=***"));
}
