#include <pipe/http/scripted_client.h>

#include <catch2/catch.hpp>

#include <string>

using pipeline::Result;
using pipeline::http::Method;
using pipeline::http::Request;
using pipeline::http::Response;
using pipeline::http::SanitizedUrl;
using pipeline::http::scripted_failure;
using pipeline::http::scripted_response;
using pipeline::http::ScriptedClient;
using pipeline::http::SendResult;
using pipeline::http::TransportFailure;

namespace {

Request get(const std::string& url) {
    Request request;
    request.url = *SanitizedUrl::parse(url);
    return request;
}

}  // namespace

TEST_CASE("ScriptedClient answers expected requests in order and records them", "[http][fake]") {
    ScriptedClient client;
    client.expect(Method::get, "https://ghcr.io/v2/", scripted_response(401, "", {{"WWW-Authenticate", "Bearer x"}}));
    client.expect(Method::get, "https://ghcr.io/token?scope=repository:acme/app:pull",
                  scripted_failure(TransportFailure::timeout, true, "timed out"));

    SendResult first = client.send(get("https://ghcr.io/v2/"));
    REQUIRE(first.has_value());
    CHECK(first->status == 401);
    CHECK(first->headers.find("www-authenticate") == std::optional<std::string_view>("Bearer x"));
    CHECK(first->url.reveal() == "https://ghcr.io/v2/");

    SendResult second = client.send(get("https://ghcr.io/token?scope=repository:acme/app:pull"));
    REQUIRE_FALSE(second.has_value());
    CHECK(second.transport_error().failure == TransportFailure::timeout);
    CHECK(second.error().message == "timed out");

    CHECK(client.requests().size() == 2);
    CHECK(client.unanswered() == 0);
}

TEST_CASE("ScriptedClient fails loudly on an unexpected request", "[http][fake]") {
    ScriptedClient client;
    SendResult nothing_scripted = client.send(get("https://ghcr.io/v2/"));
    REQUIRE_FALSE(nothing_scripted.has_value());
    CHECK_THAT(nothing_scripted.error().message,
               Catch::Contains("fake http client: unexpected request: GET https://ghcr.io/v2/"));

    client.expect(Method::head, "https://ghcr.io/v2/acme/app/manifests/1.0?token=abc", scripted_response(200));
    SendResult wrong = client.send(get("https://ghcr.io/v2/acme/app/manifests/2.0"));
    REQUIRE_FALSE(wrong.has_value());
    CHECK_THAT(wrong.error().hint, Catch::Contains("HEAD https://ghcr.io/v2/acme/app/manifests/1.0?token=***"));
    CHECK(client.unanswered() == 1);
    CHECK(client.requests().size() == 2);
}

TEST_CASE("SendResult converts to Result<Response>", "[http][fake]") {
    const SendResult ok = scripted_response(204);
    const Result<Response> as_result = ok;
    REQUIRE(as_result.has_value());
    CHECK(as_result->status == 204);

    Result<Response> failed = SendResult(scripted_failure(TransportFailure::connect, false, "refused"));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().message == "refused");
}

TEST_CASE("A scripted Response keeps its own URL, as after a redirect", "[http][fake]") {
    ScriptedClient client;
    Response redirected = scripted_response(200, "blob");
    redirected.url = *SanitizedUrl::parse("https://storage.example.com/blob");
    client.expect(Method::get, "https://registry.example.com/v2/acme/app/blobs/sha256:ab", redirected);
    SendResult result = client.send(get("https://registry.example.com/v2/acme/app/blobs/sha256:ab"));
    REQUIRE(result.has_value());
    CHECK(result->url.host() == "storage.example.com");
}
