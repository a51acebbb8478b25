#include <pipe/core/timestamp.h>

#include <fmt/chrono.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace pipeline {

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(time)));
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
    std::tm tm{};
    int year = 0;
    int month = 0;
    int consumed = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec, &consumed) != 6) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    std::string_view rest = text.substr(static_cast<std::size_t>(consumed));
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            rest.remove_prefix(1);
        }
    }
    long offset = 0;
    if (rest == "Z" || rest == "z") {
        offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int hours = 0;
        int minutes = 0;
        if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) != 2) {
            return std::nullopt;
        }
        offset = (rest[0] == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
    } else {
        return std::nullopt;
    }
    const std::time_t seconds = timegm(&tm);
    return std::chrono::system_clock::from_time_t(seconds - offset);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    long long value = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    switch (text.back()) {
        case 's':
            return std::chrono::seconds(value);
        case 'm':
            return std::chrono::seconds(value * 60);
        case 'h':
            return std::chrono::seconds(value * 3600);
        case 'd':
            return std::chrono::seconds(value * 86400);
        default:
            return std::nullopt;
    }
}

}  // namespace pipeline
