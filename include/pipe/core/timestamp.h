// Timestamps in state files and run records: RFC 3339 in UTC with second precision, the form
// people and jq compare as strings.
#pragma once

#include <chrono>
#include <string>

namespace pipeline {

// "2026-11-27T10:15:00Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point time);

}  // namespace pipeline
