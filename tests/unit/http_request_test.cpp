#include <pipe/core/secret.h>
#include <pipe/http/headers.h>
#include <pipe/http/request.h>
#include <pipe/http/response.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

using pipeline::Secret;
using pipeline::http::describe;
using pipeline::http::FileBody;
using pipeline::http::Headers;
using pipeline::http::is_credential_header;
using pipeline::http::is_idempotent;
using pipeline::http::Method;
using pipeline::http::method_name;
using pipeline::http::Request;
using pipeline::http::Response;
using pipeline::http::SanitizedUrl;

TEST_CASE("Methods: names and idempotency", "[http][request]") {
    struct Case {
        Method method;
        std::string_view name;
        bool idempotent;
    };
    const std::vector<Case> cases = {
        {Method::get, "GET", true},        {Method::head, "HEAD", true},  {Method::put, "PUT", true},
        {Method::delete_, "DELETE", true}, {Method::post, "POST", false}, {Method::patch, "PATCH", false},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        CHECK(method_name(c.method) == c.name);
        CHECK(is_idempotent(c.method) == c.idempotent);
    }
}

TEST_CASE("Credential headers are Secrets and print as ***", "[http][request]") {
    Request request;
    request.method = Method::put;
    request.url = *SanitizedUrl::parse("https://robot:pw@ghcr.io/v2/acme/app/manifests/1.0?token=t0k");
    request.add_header("Accept", "application/vnd.oci.image.manifest.v1+json");
    request.add_header("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig");
    request.add_secret_header("X-Custom-Token", Secret("custom-secret"));
    request.add_header("Cookie", "session=cookie-secret");
    request.body = std::string(R"({"schemaVersion":2})");

    REQUIRE(request.headers.size() == 4);
    CHECK(std::holds_alternative<std::string>(request.headers[0].value));
    CHECK(std::holds_alternative<Secret>(request.headers[1].value));
    CHECK(std::holds_alternative<Secret>(request.headers[2].value));
    CHECK(std::holds_alternative<Secret>(request.headers[3].value));
    CHECK(request.headers[1].reveal() == "Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig");
    CHECK(request.headers[1].printable() == "***");

    const std::string text = describe(request);
    CHECK(text ==
          "PUT https://ghcr.io/v2/acme/app/manifests/1.0?token=***\n"
          "  Accept: application/vnd.oci.image.manifest.v1+json\n"
          "  authorization: ***\n"
          "  X-Custom-Token: ***\n"
          "  Cookie: ***\n"
          "  (body: 19 bytes)");
    for (const char* secret : {"eyJhbGci", "custom-secret", "cookie-secret", "pw@", "t0k"}) {
        CHECK(text.find(secret) == std::string::npos);
    }
}

TEST_CASE("A credential header set as a plain string still prints as ***", "[http][request]") {
    Request request;
    request.url = *SanitizedUrl::parse("https://api.github.com/user");
    request.headers.push_back({"Authorization", std::string("token ghp_plain")});
    CHECK(request.headers[0].printable() == "***");
    CHECK(describe(request).find("ghp_plain") == std::string::npos);
}

TEST_CASE("Request headers: find and remove ignore case", "[http][request]") {
    Request request;
    request.add_header("Content-Type", "application/json");
    request.add_header("Authorization", "Basic cm9ib3Q6cHc=");
    request.add_header("authorization", "Bearer second");
    REQUIRE(request.find_header("content-type") != nullptr);
    CHECK(request.find_header("content-type")->reveal() == "application/json");
    CHECK(request.find_header("AUTHORIZATION")->reveal() == "Basic cm9ib3Q6cHc=");
    request.remove_header("AuThOrIzAtIoN");
    CHECK(request.find_header("Authorization") == nullptr);
    CHECK(request.headers.size() == 1);
    CHECK(request.find_header("Accept") == nullptr);
}

TEST_CASE("describe() names a streamed body file and leaves out an empty body", "[http][request]") {
    Request request;
    request.method = Method::put;
    request.url = *SanitizedUrl::parse("http://localhost:5000/v2/acme/app/blobs/uploads/1?digest=sha256:ab");
    request.body = FileBody{"/tmp/layer.tar.gz"};
    CHECK(describe(request) ==
          "PUT http://localhost:5000/v2/acme/app/blobs/uploads/1?digest=sha256:ab\n"
          "  (body: file /tmp/layer.tar.gz)");
    request.body = std::string();
    CHECK(describe(request) == "PUT http://localhost:5000/v2/acme/app/blobs/uploads/1?digest=sha256:ab");
}

TEST_CASE("Credential header names", "[http][request]") {
    for (const char* name :
         {"Authorization", "authorization", "Proxy-Authorization", "Cookie", "X-Registry-Auth", "PRIVATE-TOKEN"}) {
        INFO(name);
        CHECK(is_credential_header(name));
    }
    for (const char* name : {"Accept", "Content-Type", "User-Agent", "X-GitHub-Api-Version", "Authorization2"}) {
        INFO(name);
        CHECK_FALSE(is_credential_header(name));
    }
}

TEST_CASE("Response headers: case-insensitive and multi-valued, in arrival order", "[http][response]") {
    Headers headers;
    headers.add("WWW-Authenticate", R"(Basic realm="Registry Realm")");
    headers.add("Content-Type", "application/json");
    headers.add("www-authenticate", R"(Bearer realm="https://auth.example.com/token",service="registry")");
    headers.add("Link", R"(</v2/acme/app/tags/list?n=2&last=b>; rel="next")");

    CHECK(headers.find("content-type") == std::optional<std::string_view>("application/json"));
    CHECK(headers.find("WWW-AUTHENTICATE") == std::optional<std::string_view>(R"(Basic realm="Registry Realm")"));
    CHECK_FALSE(headers.find("Retry-After").has_value());
    const std::vector<std::string_view> challenges = headers.find_all("Www-Authenticate");
    REQUIRE(challenges.size() == 2);
    CHECK(challenges[0] == R"(Basic realm="Registry Realm")");
    CHECK(challenges[1] == R"(Bearer realm="https://auth.example.com/token",service="registry")");
    CHECK(headers.find_all("Docker-Content-Digest").empty());
    CHECK(headers.fields().size() == 4);
    CHECK(headers.fields()[2].name == "www-authenticate");
}

TEST_CASE("Response::ok() is true for 2xx only", "[http][response]") {
    for (const int status : {200, 201, 202, 204, 299}) {
        Response response;
        response.status = status;
        CHECK(response.ok());
    }
    for (const int status : {0, 100, 199, 301, 304, 401, 404, 500}) {
        Response response;
        response.status = status;
        CHECK_FALSE(response.ok());
    }
}
