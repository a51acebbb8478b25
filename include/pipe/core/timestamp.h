// Timestamps in state files and run records: RFC 3339 in UTC with second precision, the form
// people and jq compare as strings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

// "2026-11-27T10:15:00Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point time);

// An RFC 3339 time ("2026-11-27T10:00:00Z", fractions and a numeric offset allowed); nullopt
// when text is not one.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// A duration such as "90s", "30m", "72h" or "3d"; nullopt for anything else.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace pipeline
