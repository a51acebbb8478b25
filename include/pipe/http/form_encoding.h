// Percent-encoding for query strings and application/x-www-form-urlencoded bodies (token
// requests carry scopes such as "repository:acme/app:pull,push", and refresh tokens).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::http {

// Every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX.
std::string percent_encode(std::string_view text);

// name=value pairs, each side percent-encoded, joined by '&', in the given order.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace pipeline::http
