// The pure parts of the registry token flow: token URLs and refresh forms, and the token
// answer's lifetime rules (default and minimum 60 s, issued_at, a margin before expiry).
#include <pipe/oci/registry_token.h>

#include <catch2/catch.hpp>

using pipeline::oci::parse_token_response;
using pipeline::oci::repository_scope;
using pipeline::oci::token_request_url;

namespace {

pipeline::http::Challenge challenge(const std::string& realm) {
    return pipeline::http::Challenge{"bearer", std::nullopt, {{"realm", realm}, {"service", "reg istry"}}};
}

const auto k_now = std::chrono::system_clock::from_time_t(1'800'000'000);

}  // namespace

TEST_CASE("token URLs carry service and every scope, percent-encoded", "[oci][token]") {
    auto url = token_request_url(challenge("https://auth.example.com/token?client=x"),
                                 {repository_scope("acme/app", "pull,push"), "registry:catalog:*"});
    REQUIRE(url);
    CHECK(url->reveal() ==
          "https://auth.example.com/token?client=x&service=reg%20istry&scope=repository%3Aacme%2Fapp%3Apull%2Cpush&"
          "scope=registry%3Acatalog%3A%2A");
    CHECK_FALSE(token_request_url(challenge(""), {}));
    CHECK_FALSE(token_request_url(challenge("ftp://auth"), {}));
}

TEST_CASE("token answers: token or access_token, lifetime rules", "[oci][token]") {
    auto plain = parse_token_response(R"({"token":"abc"})", k_now, "r");
    REQUIRE(plain);
    CHECK(plain->token.reveal() == "abc");
    CHECK(plain->expires_at == k_now + std::chrono::seconds(50));

    auto short_lived = parse_token_response(R"({"access_token":"x","expires_in":5})", k_now, "r");
    REQUIRE(short_lived);
    CHECK(short_lived->expires_at == k_now + std::chrono::seconds(50));

    auto issued =
        parse_token_response(R"({"token":"x","expires_in":600,"issued_at":"2027-01-15T08:00:00.123Z"})", k_now, "r");
    REQUIRE(issued);
    CHECK(issued->expires_at == k_now + std::chrono::seconds(590));  // k_now is 2027-01-15T08:00:00Z
    auto offset =
        parse_token_response(R"({"token":"x","expires_in":600,"issued_at":"2027-01-15T09:00:00+01:00"})", k_now, "r");
    REQUIRE(offset);
    CHECK(offset->expires_at == issued->expires_at);
}

TEST_CASE("token answers without a token are errors that do not echo the body", "[oci][token]") {
    auto empty = parse_token_response(R"({"token":"","details":"secret-ish"})", k_now, "registry r");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "registry r: the token server answered without a token");
    CHECK_FALSE(parse_token_response("not json", k_now, "r"));
}
