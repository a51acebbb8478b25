// WWW-Authenticate challenges (RFC 9110 section 11.6.1, formerly RFC 7235): how a registry tells
// pipe to authenticate. A 401 may carry several challenges, in one header separated by commas or
// in several headers; each is a scheme with either auth-params (quoted strings with escapes, or
// tokens) or one token68. The registry Bearer flow reads realm, service and scope from here.
#pragma once

#include <pipe/core/result.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::http {

// One challenge, e.g. Bearer realm="https://auth.docker.io/token",service="registry.docker.io".
struct Challenge {
    std::string scheme;                                       // lowercased: "bearer", "basic"
    std::optional<std::string> token68;                       // the lone credential-like token, if used
    std::vector<std::pair<std::string, std::string>> params;  // names lowercased, values unquoted

    // The value of the parameter with this (case-insensitive) name, or nullopt.
    std::optional<std::string_view> param(std::string_view name) const;

    friend bool operator==(const Challenge&, const Challenge&) = default;
};

// Parses one WWW-Authenticate field value into its challenges, in order. Malformed input (no
// challenge, a missing comma, an unterminated quoted string, a repeated parameter) is a runtime
// error naming the 1-based column, since the header comes from a server.
Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value);

// Parses every WWW-Authenticate field of a response and joins their challenges in order.
Result<std::vector<Challenge>> parse_www_authenticate(const std::vector<std::string_view>& values);

// The first challenge with this scheme (case-insensitive), or nullptr.
const Challenge* find_challenge(const std::vector<Challenge>& challenges, std::string_view scheme);

// The challenge written back in canonical form (scheme, then name="value" pairs with '"' and '\'
// escaped, or the token68), which parse_www_authenticate() reads back unchanged.
std::string describe(const Challenge& challenge);

}  // namespace pipeline::http
