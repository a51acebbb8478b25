// CurlClient against a real loopback server (tests/helpers/fault_server.py on 127.0.0.1 and
// 127.0.0.2): statuses, retries, redirects across hosts, broken connections, timeouts, refusals.
#include <pipe/http/curl_client.h>
#include <pipe/http/retry_policy.h>
#include <pipe/http/www_authenticate.h>

#include "http_test_server.h"
#include "temp_dir.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using pipeline::ErrorKind;
using pipeline::Result;
using pipeline::Secret;
using pipeline::http::Challenge;
using pipeline::http::CurlClient;
using pipeline::http::CurlOptions;
using pipeline::http::FileBody;
using pipeline::http::k_user_agent;
using pipeline::http::Method;
using pipeline::http::parse_www_authenticate;
using pipeline::http::Request;
using pipeline::http::Response;
using pipeline::http::RetryHooks;
using pipeline::http::RetryPolicy;
using pipeline::http::SanitizedUrl;
using pipeline::http::send_with_retry;
using pipeline::http::SendResult;
using pipeline::http::TransportFailure;
using pipeline::testing::FaultServer;
using pipeline::testing::RefusingPort;
using pipeline::testing::shared_fault_server;
using pipeline::testing::StallingPort;
using pipeline::testing::TempDir;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

Request make_request(Method method, const std::string& url) {
    Request request;
    request.method = method;
    request.url = *SanitizedUrl::parse(url);
    request.timeout = 2500ms;
    return request;
}

// A key no other test (or earlier run of this one) has used, for the server's per-key counters.
std::string unique_key(std::string_view name) {
    static std::atomic<int> counter{0};
    return std::string(name) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// What /echo reports: the request as the server saw it.
struct Echo {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t body_length = 0;
    std::string body_sha256;

    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [key, value] : headers) {
            if (pipeline::http::header_name_equal(key, name)) {
                return value;
            }
        }
        return std::nullopt;
    }
};

Echo read_echo(const Response& response) {
    REQUIRE(response.status == 200);
    const nlohmann::json doc = nlohmann::json::parse(response.body);
    Echo echo;
    echo.method = doc.at("method").get<std::string>();
    echo.path = doc.at("path").get<std::string>();
    for (const nlohmann::json& pair : doc.at("headers")) {
        echo.headers.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    }
    echo.body_length = doc.at("body_length").get<std::size_t>();
    echo.body_sha256 = doc.at("body_sha256").get<std::string>();
    return echo;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

// Hooks that record the waits instead of sleeping.
RetryHooks recording_hooks(std::vector<milliseconds>& sleeps) {
    RetryHooks hooks;
    hooks.sleep = [&sleeps](milliseconds wait) { sleeps.push_back(wait); };
    hooks.jitter = [] { return 0.0; };
    return hooks;
}

RetryPolicy fast_policy() {
    RetryPolicy policy;
    policy.max_attempts = 3;
    policy.initial_backoff = 20ms;
    return policy;
}

}  // namespace

TEST_CASE("CurlClient: 200 with a body", "[http][curl]") {
    const FaultServer& server = shared_fault_server();
    CurlClient client;
    SendResult result = client.send(make_request(Method::get, server.url("/ok")));
    REQUIRE(result.has_value());
    CHECK(result->status == 200);
    CHECK(result->body == "hello");
    CHECK(result->headers.find("content-type") == std::optional<std::string_view>("text/plain"));
    CHECK(result->headers.find("Content-Length") == std::optional<std::string_view>("5"));
    CHECK(result->url.reveal() == server.url("/ok"));
}

TEST_CASE("CurlClient: a 404 is a response, not an error", "[http][curl]") {
    CurlClient client;
    SendResult result = client.send(make_request(Method::get, shared_fault_server().url("/status/404")));
    REQUIRE(result.has_value());
    CHECK(result->status == 404);
    CHECK(result->body == "status 404");
    CHECK_FALSE(result->ok());
}

TEST_CASE("CurlClient: method, User-Agent and headers reach the server", "[http][curl]") {
    CurlClient client;
    Request request = make_request(Method::delete_, shared_fault_server().url("/echo?x=1"));
    request.add_header("Accept", "application/vnd.oci.image.manifest.v1+json");
    request.add_header("X-Empty", "");
    SendResult result = client.send(request);
    REQUIRE(result.has_value());
    const Echo echo = read_echo(*result);
    CHECK(echo.method == "DELETE");
    CHECK(echo.path == "/echo?x=1");
    CHECK(echo.header("User-Agent") == std::string(k_user_agent));
    CHECK(echo.header("Accept") == "application/vnd.oci.image.manifest.v1+json");
    CHECK(echo.header("X-Empty") == "");
    CHECK(echo.body_length == 0);
}

TEST_CASE("CurlClient: bodies from memory and from a file", "[http][curl]") {
    CurlClient client;
    SECTION("POST with a JSON body") {
        Request request = make_request(Method::post, shared_fault_server().url("/echo"));
        request.add_header("Content-Type", "application/json");
        request.body = std::string(R"({"title":"Bump app to 1.2.3"})");
        SendResult result = client.send(request);
        REQUIRE(result.has_value());
        const Echo echo = read_echo(*result);
        CHECK(echo.method == "POST");
        CHECK(echo.body_length == 29);
        CHECK(echo.header("Content-Type") == "application/json");
    }
    SECTION("POST with an empty body sends Content-Length: 0") {
        SendResult result = client.send(make_request(Method::post, shared_fault_server().url("/echo")));
        REQUIRE(result.has_value());
        const Echo echo = read_echo(*result);
        CHECK(echo.header("Content-Length") == "0");
    }
    SECTION("PUT streamed from a file") {
        const TempDir dir;
        const std::string blob(300000, 'x');
        Request request = make_request(Method::put, shared_fault_server().url("/echo"));
        request.body = FileBody{dir.write("layer.tar", blob)};
        SendResult result = client.send(request);
        REQUIRE(result.has_value());
        const Echo echo = read_echo(*result);
        CHECK(echo.method == "PUT");
        CHECK(echo.body_length == blob.size());
        CHECK(echo.body_sha256 == "29927e273accc68286005017f7fa6e4f27bddb4db3083ff8b8d4c3667905b7fa");
    }
    SECTION("a missing body file is an error that never reached the server") {
        Request request = make_request(Method::put, shared_fault_server().url("/echo"));
        request.body = FileBody{"/nonexistent/layer.tar"};
        SendResult result = client.send(request);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.transport_error().failure == TransportFailure::other);
        CHECK_FALSE(result.transport_error().reached_server);
        CHECK_THAT(result.error().message, Catch::Contains("/nonexistent/layer.tar"));
    }
}

TEST_CASE("CurlClient: HEAD returns headers without a body", "[http][curl]") {
    CurlClient client;
    SendResult result = client.send(make_request(Method::head, shared_fault_server().url("/ok")));
    REQUIRE(result.has_value());
    CHECK(result->status == 200);
    CHECK(result->body.empty());
    CHECK(result->headers.find("Content-Length") == std::optional<std::string_view>("5"));
}

TEST_CASE("CurlClient: repeated headers stay separate and in order", "[http][curl]") {
    CurlClient client;
    SendResult result = client.send(make_request(Method::get, shared_fault_server().url("/challenge")));
    REQUIRE(result.has_value());
    CHECK(result->status == 401);
    const std::vector<std::string_view> fields = result->headers.find_all("WWW-Authenticate");
    REQUIRE(fields.size() == 2);
    Result<std::vector<Challenge>> challenges = parse_www_authenticate(fields);
    REQUIRE(challenges.has_value());
    REQUIRE(challenges->size() == 2);
    CHECK(challenges->at(0).scheme == "basic");
    CHECK(challenges->at(1).param("service") == std::optional<std::string_view>("fault"));
    CHECK(result->headers.find_all("LINK").size() == 2);
}

TEST_CASE("CurlClient + send_with_retry: 500 then 200", "[http][curl]") {
    CurlClient client;
    std::vector<milliseconds> sleeps;
    const Request request =
        make_request(Method::get, shared_fault_server().url("/flaky/" + unique_key("flaky") + "/1"));
    Result<Response> response = send_with_retry(client, request, fast_policy(), recording_hooks(sleeps));
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == "recovered");
    CHECK(sleeps == std::vector<milliseconds>{10ms});
}

TEST_CASE("CurlClient + send_with_retry: 429 with Retry-After: 1 waits one second", "[http][curl]") {
    CurlClient client;
    std::vector<milliseconds> sleeps;
    const Request request = make_request(Method::get, shared_fault_server().url("/rate/" + unique_key("rate")));
    Result<Response> response = send_with_retry(client, request, fast_policy(), recording_hooks(sleeps));
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == "welcome back");
    CHECK(sleeps == std::vector<milliseconds>{1000ms});
}

TEST_CASE("CurlClient: a redirect to another host drops Authorization", "[http][curl]") {
    const FaultServer& server = shared_fault_server();
    CurlClient client;
    const std::string target = server.url("/echo", "127.0.0.2");
    Request request = make_request(Method::get, server.url("/redirect?status=307&to=" + percent_encode(target)));
    request.add_secret_header("Authorization", Secret("Bearer registry-token"));
    request.add_header("Cookie", "session=abc");
    request.add_header("Accept", "application/vnd.oci.image.index.v1+json");
    SendResult result = client.send(request);
    REQUIRE(result.has_value());
    CHECK(result->url.host() == "127.0.0.2");
    CHECK(result->url.reveal() == target);
    const Echo echo = read_echo(*result);
    CHECK_FALSE(echo.header("Authorization").has_value());
    CHECK_FALSE(echo.header("Cookie").has_value());
    CHECK(echo.header("Accept") == "application/vnd.oci.image.index.v1+json");
    CHECK(echo.header("Host") == "127.0.0.2:" + std::to_string(server.port()));
}

TEST_CASE("CurlClient: a redirect within the origin keeps Authorization", "[http][curl]") {
    CurlClient client;
    Request request = make_request(Method::get, shared_fault_server().url("/redirect?to=%2Fecho%3Fsame%3D1"));
    request.add_secret_header("Authorization", Secret("Bearer registry-token"));
    SendResult result = client.send(request);
    REQUIRE(result.has_value());
    const Echo echo = read_echo(*result);
    CHECK(echo.path == "/echo?same=1");
    CHECK(echo.header("Authorization") == "Bearer registry-token");
}

TEST_CASE("CurlClient: redirect methods: 303 turns a POST into a GET, 307 keeps PUT and body", "[http][curl]") {
    CurlClient client;
    SECTION("303") {
        Request request = make_request(Method::post, shared_fault_server().url("/redirect?status=303&to=%2Fecho"));
        request.add_header("Content-Type", "application/json");
        request.body = std::string("{}");
        SendResult result = client.send(request);
        REQUIRE(result.has_value());
        const Echo echo = read_echo(*result);
        CHECK(echo.method == "GET");
        CHECK(echo.body_length == 0);
        CHECK_FALSE(echo.header("Content-Type").has_value());
    }
    SECTION("307") {
        Request request = make_request(Method::put, shared_fault_server().url("/redirect?status=307&to=%2Fecho"));
        request.body = std::string("layer bytes");
        SendResult result = client.send(request);
        REQUIRE(result.has_value());
        const Echo echo = read_echo(*result);
        CHECK(echo.method == "PUT");
        CHECK(echo.body_length == 11);
    }
    SECTION("not followed when the request says so") {
        Request request = make_request(Method::get, shared_fault_server().url("/redirect?to=%2Fecho"));
        request.follow_redirects = false;
        SendResult result = client.send(request);
        REQUIRE(result.has_value());
        CHECK(result->status == 302);
        CHECK(result->headers.find("Location") == std::optional<std::string_view>("/echo"));
    }
}

TEST_CASE("CurlClient: a redirect loop stops after 5 redirects", "[http][curl]") {
    CurlClient client;
    SendResult result = client.send(make_request(Method::get, shared_fault_server().url("/loop")));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::other);
    CHECK_THAT(result.error().message, Catch::Contains("stopped after 5 redirects"));
}

TEST_CASE("CurlClient: a garbled answer counts as a dropped connection, which is retried", "[http][curl]") {
    CurlClient client;
    SendResult result = client.send(make_request(Method::get, shared_fault_server().url("/garbled")));
    REQUIRE_FALSE(result);
    CHECK(result.transport_error().failure == TransportFailure::dropped);
}

TEST_CASE("CurlClient: a dropped connection is a transport error naming the request", "[http][curl]") {
    CurlClient client;
    const std::string url = shared_fault_server().url("/drop");
    SendResult result = client.send(make_request(Method::get, url));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::dropped);
    CHECK(result.transport_error().reached_server);
    CHECK(result.error().kind == ErrorKind::runtime);
    CHECK_THAT(result.error().message, Catch::StartsWith("GET " + url + ": the connection broke"));
    CHECK_FALSE(result.error().hint.empty());
}

TEST_CASE("CurlClient: a slow answer hits the timeout", "[http][curl]") {
    CurlClient client;
    Request request = make_request(Method::get, shared_fault_server().url("/slow/2000"));
    request.timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    SendResult result = client.send(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::timeout);
    CHECK(result.transport_error().reached_server);
    CHECK_THAT(result.error().message, Catch::Contains("no complete answer within 300 ms"));
    CHECK(elapsed < 1500ms);
}

TEST_CASE("CurlClient: connection refused never reached the server, so even a POST is retried", "[http][curl]") {
    const RefusingPort closed;
    CurlClient client;
    const std::string url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/repos/acme/deploy/pulls";
    SendResult once = client.send(make_request(Method::post, url));
    REQUIRE_FALSE(once.has_value());
    CHECK(once.transport_error().failure == TransportFailure::connect);
    CHECK_FALSE(once.transport_error().reached_server);
    CHECK_THAT(once.error().message, Catch::StartsWith("POST " + url + ": could not connect"));

    std::vector<milliseconds> sleeps;
    Result<Response> retried =
        send_with_retry(client, make_request(Method::post, url), fast_policy(), recording_hooks(sleeps));
    REQUIRE_FALSE(retried.has_value());
    CHECK_THAT(retried.error().message, Catch::EndsWith("(gave up after 3 attempts)"));
    CHECK(sleeps.size() == 2);
}

TEST_CASE("CurlClient: a connect that times out never reached the server", "[http][curl]") {
    const StallingPort stalled;
    CurlOptions options;
    options.connect_timeout = 200ms;
    CurlClient client(options);
    const std::string url = "http://127.0.0.1:" + std::to_string(stalled.port()) + "/repos/acme/deploy/pulls";
    const auto start = std::chrono::steady_clock::now();
    SendResult result = client.send(make_request(Method::post, url));
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::timeout);
    CHECK_FALSE(result.transport_error().reached_server);
}

TEST_CASE("CurlClient: TLS to a plain-HTTP server is a TLS failure", "[http][curl]") {
    CurlClient client;
    const std::string url = "https://127.0.0.1:" + std::to_string(shared_fault_server().port()) + "/ok";
    SendResult result = client.send(make_request(Method::get, url));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::tls);
    CHECK_FALSE(result.transport_error().reached_server);
    CHECK_THAT(result.error().message, Catch::StartsWith("GET " + url + ": TLS failed"));
    CHECK_THAT(result.error().hint, Catch::Contains("CA file"));
}

TEST_CASE("CurlClient: credentials in the URL never appear in errors", "[http][curl]") {
    const FaultServer& server = shared_fault_server();
    CurlClient client;
    const std::string url =
        "http://robot:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/drop?X-Amz-Signature=s3cr3t";
    SendResult result = client.send(make_request(Method::get, url));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message.find("hunter2") == std::string::npos);
    CHECK(result.error().message.find("s3cr3t") == std::string::npos);
    CHECK_THAT(result.error().message, Catch::Contains("X-Amz-Signature=***"));
}

TEST_CASE("CurlClient: header values with CR or LF are refused before sending", "[http][curl]") {
    CurlClient client;
    Request request = make_request(Method::get, shared_fault_server().url("/echo"));
    request.add_header("Authorization", "Bearer x\r\nX-Injected: 1");
    SendResult result = client.send(request);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.transport_error().failure == TransportFailure::other);
    CHECK_FALSE(result.transport_error().reached_server);
    CHECK_THAT(result.error().message, Catch::Contains("header Authorization contains CR, LF or NUL"));
    CHECK(result.error().message.find("Bearer x") == std::string::npos);

    Request bad_name = make_request(Method::get, shared_fault_server().url("/echo"));
    bad_name.add_header("Bad Name", "v");
    CHECK_FALSE(client.send(bad_name).has_value());
}

TEST_CASE("CurlClient: the connection is reused across requests and answers stay separate", "[http][curl]") {
    CurlClient client;
    for (int i = 0; i < 5; ++i) {
        SendResult ok = client.send(make_request(Method::get, shared_fault_server().url("/ok")));
        REQUIRE(ok.has_value());
        CHECK(ok->body == "hello");
        SendResult missing = client.send(make_request(Method::get, shared_fault_server().url("/status/404")));
        REQUIRE(missing.has_value());
        CHECK(missing->status == 404);
        CHECK(missing->headers.find_all("Content-Length").size() == 1);
    }
}
