// The registry token flow (distribution's token authentication spec, docker's OAuth2 variant):
// a 401 names a realm and service, pipe asks the realm for a bearer token for the scopes it
// needs, and reuses the token until it expires. Pure functions here; the exchange itself is
// in RegistryClient.
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>
#include <pipe/http/sanitized_url.h>
#include <pipe/http/www_authenticate.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::oci {

// Tokens without expires_in live this long, and shorter lifetimes are raised to it (the spec's rule).
inline constexpr std::chrono::seconds k_min_token_lifetime{60};

// A bearer token and when pipe stops using it (a little before the server's expiry).
struct BearerToken {
    Secret token;
    std::chrono::system_clock::time_point expires_at;
};

// "repository:<name>:<actions>", e.g. "repository:acme/app:pull,push".
std::string repository_scope(std::string_view repository, std::string_view actions);

// The GET token URL for a Bearer challenge: realm?service=...&scope=... (one scope parameter each).
// A challenge without a realm, or a realm that is not an http(s) URL, is a runtime error.
Result<http::SanitizedUrl> token_request_url(const http::Challenge& challenge, const std::vector<std::string>& scopes);

// The form body of an OAuth2 refresh-token request (POST to the realm), for identity tokens.
std::string refresh_token_form(const http::Challenge& challenge, const std::vector<std::string>& scopes,
                               const Secret& refresh_token);

// Reads a token endpoint's JSON: "token" or "access_token", "expires_in" (seconds) and
// "issued_at" (RFC 3339; when absent, now). The token is dropped 10 seconds before its expiry.
// A body without a token is a runtime error naming where; the error never includes the body.
Result<BearerToken> parse_token_response(std::string_view body, std::chrono::system_clock::time_point now,
                                         std::string_view where);

}  // namespace pipeline::oci
