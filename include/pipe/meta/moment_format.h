// Date formatting for the `{{date 'FMT' tz='Zone'}}` and `{{commit_date ...}}` tag expressions,
// following moment.js format tokens so that users' metadata-action patterns keep their meaning.
#pragma once

#include <pipe/core/result.h>

#include <chrono>
#include <string>
#include <string_view>

namespace pipeline::meta {

// Formats time in the IANA zone tz ("UTC" when empty) using moment.js tokens (YYYY, MM, DD,
// HH, mm, ss, SSS, Z, ZZ, [literal] ...). An unknown zone is a config error naming it.
Result<std::string> format_moment(std::string_view format, std::chrono::system_clock::time_point time,
                                  std::string_view tz);

}  // namespace pipeline::meta
