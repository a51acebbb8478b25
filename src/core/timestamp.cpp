#include <pipe/core/timestamp.h>

#include <fmt/chrono.h>

#include <ctime>
#include <string>

namespace pipeline {

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(time)));
}

namespace {

// The number written with exactly `count` digits at `at` in text; -1 when those are not all digits.
int digits_at(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) {
        return -1;
    }
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS, then optional fractional seconds, then Z or +HH:MM / -HH:MM.
    constexpr std::string_view k_shape = "YYYY-MM-DDTHH:MM:SS";
    if (text.size() < k_shape.size() || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    std::tm tm{};
    const int year = digits_at(text, 0, 4);
    tm.tm_mon = digits_at(text, 5, 2) - 1;
    tm.tm_mday = digits_at(text, 8, 2);
    tm.tm_hour = digits_at(text, 11, 2);
    tm.tm_min = digits_at(text, 14, 2);
    tm.tm_sec = digits_at(text, 17, 2);
    if (year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
        tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    std::string_view rest = text.substr(k_shape.size());
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        if (rest.empty() || rest.front() < '0' || rest.front() > '9') {
            return std::nullopt;
        }
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            rest.remove_prefix(1);
        }
    }
    long offset = 0;
    if (rest == "Z" || rest == "z") {
        offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        const int hours = digits_at(rest, 1, 2);
        const int minutes = digits_at(rest, 4, 2);
        if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
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
    // Up to a million days: large enough for any limit, small enough never to overflow.
    constexpr long long k_largest = 86'400'000'000;
    long long value = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
        if (value > k_largest) {
            return std::nullopt;
        }
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
