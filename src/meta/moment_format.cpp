#include <pipe/meta/moment_format.h>

#include <pipe/core/suggest.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

// Time zones come from the system's tz database (TZif files, RFC 8536) read and evaluated here,
// including the POSIX TZ footer that governs times after the last listed transition. Nothing touches
// the process-wide TZ variable, so formatting is thread-safe and independent of the host's zone.
// Tokens follow moment.js's English locale exactly, including its tokenizer's quirks (greedy token
// runs, [literal] brackets up to the last ']', backslash escapes, dropped line breaks).

namespace pipeline::meta {
namespace {

namespace chrono = std::chrono;

constexpr std::string_view k_zoneinfo_root = "/usr/share/zoneinfo";
constexpr std::size_t k_max_zone_file_size = 1U << 20U;
constexpr std::size_t k_max_zone_name_length = 128;
constexpr std::size_t k_tzif_header_size = 44;
constexpr std::size_t k_tzif_type_size = 6;
constexpr std::int64_t k_seconds_per_day = 86'400;
constexpr std::int64_t k_ms_per_day = k_seconds_per_day * 1000;
constexpr std::int32_t k_default_rule_time = 2 * 3600;
constexpr std::int32_t k_max_rule_hours = 167;
constexpr std::string_view k_default_format = "YYYY-MM-DDTHH:mm:ssZ";
constexpr std::string_view k_default_format_utc = "YYYY-MM-DDTHH:mm:ss[Z]";

// One local time type of a zone: its offset east of UTC, whether it is daylight time, and its abbreviation.
struct LocalTimeType {
    std::int32_t utc_offset = 0;
    bool is_dst = false;
    std::string abbreviation;
};

// When a POSIX TZ rule switches: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d, at local time `time`.
struct TransitionRule {
    enum class Kind { julian_no_leap, zero_based_day, month_week_day };
    Kind kind = Kind::month_week_day;
    int day = 0;
    int week = 0;
    int month = 0;
    std::int32_t time = k_default_rule_time;
};

// A POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0": standard time and optional daylight time rules.
struct PosixZone {
    LocalTimeType standard;
    std::optional<LocalTimeType> daylight;
    TransitionRule start;
    TransitionRule end;
};

// A parsed TZif file: transition instants (UTC seconds), the type in force after each, and the footer.
struct ZoneRules {
    std::vector<std::int64_t> transitions;
    std::vector<std::size_t> transition_types;
    std::vector<LocalTimeType> types;
    std::optional<PosixZone> footer;
};

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
    const std::int64_t quotient = value / divisor;
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

// Reads a POSIX TZ string left to right; every parse_* returns nullopt on malformed input.
class PosixCursor {
public:
    explicit PosixCursor(std::string_view text) : m_text(text) {}

    bool done() const { return m_position == m_text.size(); }
    char peek() const { return done() ? '\0' : m_text[m_position]; }

    bool consume(char c) {
        if (peek() != c) {
            return false;
        }
        ++m_position;
        return true;
    }

    // A zone abbreviation: three or more letters, or anything between '<' and '>'.
    std::optional<std::string> parse_name() {
        const std::size_t begin = m_position;
        if (consume('<')) {
            const std::size_t close = m_text.find('>', m_position);
            if (close == std::string_view::npos || close == m_position) {
                return std::nullopt;
            }
            m_position = close + 1;
            return std::string(m_text.substr(begin + 1, close - begin - 1));
        }
        while (is_alpha(peek())) {
            ++m_position;
        }
        if (m_position - begin < 3) {
            return std::nullopt;
        }
        return std::string(m_text.substr(begin, m_position - begin));
    }

    // [+-]hh[:mm[:ss]] in seconds; hours up to 167 as RFC 8536 allows for rule times.
    std::optional<std::int32_t> parse_time() {
        int sign = 1;
        if (consume('-')) {
            sign = -1;
        } else {
            consume('+');
        }
        std::optional<int> hours = parse_number(k_max_rule_hours);
        if (!hours) {
            return std::nullopt;
        }
        std::int32_t seconds = *hours * 3600;
        for (int unit : {60, 1}) {
            if (!consume(':')) {
                break;
            }
            std::optional<int> part = parse_number(59);
            if (!part) {
                return std::nullopt;
            }
            seconds += *part * unit;
        }
        return sign * seconds;
    }

    // ",start[/time],end[/time]" rule as Jn, n or Mm.w.d.
    std::optional<TransitionRule> parse_rule() {
        TransitionRule rule;
        std::optional<int> first;
        if (consume('J')) {
            rule.kind = TransitionRule::Kind::julian_no_leap;
            first = parse_number(365);
            if (!first || *first < 1) {
                return std::nullopt;
            }
            rule.day = *first;
        } else if (consume('M')) {
            rule.kind = TransitionRule::Kind::month_week_day;
            const int month = parse_number(12).value_or(0);
            const int week = consume('.') ? parse_number(5).value_or(0) : 0;
            const int day = consume('.') ? parse_number(6).value_or(-1) : -1;
            if (month < 1 || week < 1 || day < 0) {
                return std::nullopt;
            }
            rule.month = month;
            rule.week = week;
            rule.day = day;
        } else {
            rule.kind = TransitionRule::Kind::zero_based_day;
            first = parse_number(365);
            if (!first) {
                return std::nullopt;
            }
            rule.day = *first;
        }
        if (consume('/')) {
            std::optional<std::int32_t> time = parse_time();
            if (!time) {
                return std::nullopt;
            }
            rule.time = *time;
        }
        return rule;
    }

private:
    std::optional<int> parse_number(int max) {
        const std::size_t begin = m_position;
        int value = 0;
        while (is_digit(peek()) && m_position - begin < 3) {
            value = value * 10 + (m_text[m_position] - '0');
            ++m_position;
        }
        if (m_position == begin || value > max) {
            return std::nullopt;
        }
        return value;
    }

    std::string_view m_text;
    std::size_t m_position = 0;
};

std::optional<PosixZone> parse_posix_zone(std::string_view text) {
    PosixCursor cursor(text);
    PosixZone zone;
    std::optional<std::string> standard_name = cursor.parse_name();
    std::optional<std::int32_t> standard_offset = cursor.parse_time();
    if (!standard_name || !standard_offset) {
        return std::nullopt;
    }
    zone.standard = LocalTimeType{-*standard_offset, false, *standard_name};
    if (cursor.done()) {
        return zone;
    }
    std::optional<std::string> daylight_name = cursor.parse_name();
    if (!daylight_name) {
        return std::nullopt;
    }
    std::int32_t daylight_offset = zone.standard.utc_offset + 3600;
    if (cursor.peek() != ',' && !cursor.done()) {
        std::optional<std::int32_t> offset = cursor.parse_time();
        if (!offset) {
            return std::nullopt;
        }
        daylight_offset = -*offset;
    }
    zone.daylight = LocalTimeType{daylight_offset, true, *daylight_name};
    if (cursor.done()) {
        // POSIX leaves the default rules to the implementation; glibc uses the US rules.
        zone.start = TransitionRule{TransitionRule::Kind::month_week_day, 0, 2, 3, k_default_rule_time};
        zone.end = TransitionRule{TransitionRule::Kind::month_week_day, 0, 1, 11, k_default_rule_time};
        return zone;
    }
    std::optional<TransitionRule> start = cursor.consume(',') ? cursor.parse_rule() : std::nullopt;
    std::optional<TransitionRule> end = cursor.consume(',') ? cursor.parse_rule() : std::nullopt;
    if (!start || !end || !cursor.done()) {
        return std::nullopt;
    }
    zone.start = *start;
    zone.end = *end;
    return zone;
}

chrono::sys_days days_since_epoch(std::int64_t days) {
    return chrono::sys_days(chrono::days(days));
}

bool is_leap_year(int year) {
    return chrono::year(year).is_leap();
}

// The day (days since the epoch) on which a rule fires in the given year.
chrono::sys_days rule_day(int year, const TransitionRule& rule) {
    const chrono::sys_days january_first{chrono::year(year) / chrono::January / 1};
    switch (rule.kind) {
        case TransitionRule::Kind::julian_no_leap:
            return january_first + chrono::days(rule.day - 1 + (is_leap_year(year) && rule.day >= 60 ? 1 : 0));
        case TransitionRule::Kind::zero_based_day:
            return january_first + chrono::days(rule.day);
        case TransitionRule::Kind::month_week_day:
            break;
    }
    const auto month = chrono::month(static_cast<unsigned>(rule.month));
    const chrono::sys_days first{chrono::year(year) / month / 1};
    const chrono::sys_days last{chrono::year(year) / month / chrono::last};
    const int first_weekday = static_cast<int>(chrono::weekday(first).c_encoding());
    chrono::sys_days day = first + chrono::days((rule.day - first_weekday + 7) % 7 + 7 * (rule.week - 1));
    while (day > last) {
        day -= chrono::days(7);
    }
    return day;
}

LocalTimeType posix_local_type(const PosixZone& zone, std::int64_t utc_seconds) {
    if (!zone.daylight) {
        return zone.standard;
    }
    const std::int64_t local_days = floor_div(utc_seconds + zone.standard.utc_offset, k_seconds_per_day);
    const int year = static_cast<int>(chrono::year_month_day(days_since_epoch(local_days)).year());
    const std::int64_t start = rule_day(year, zone.start).time_since_epoch().count() * k_seconds_per_day +
                               zone.start.time - zone.standard.utc_offset;
    const std::int64_t end = rule_day(year, zone.end).time_since_epoch().count() * k_seconds_per_day + zone.end.time -
                             zone.daylight->utc_offset;
    const bool daylight =
        start < end ? (utc_seconds >= start && utc_seconds < end) : !(utc_seconds >= end && utc_seconds < start);
    return daylight ? *zone.daylight : zone.standard;
}

std::uint64_t read_big_endian(std::string_view bytes, std::size_t offset, std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        value = (value << 8U) | static_cast<unsigned char>(bytes[offset + i]);
    }
    return value;
}

std::int64_t read_signed(std::string_view bytes, std::size_t offset, std::size_t width) {
    const std::uint64_t raw = read_big_endian(bytes, offset, width);
    if (width == 4) {
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(raw));
    }
    return static_cast<std::int64_t>(raw);
}

// The counts of a TZif header, in file order.
struct TzifCounts {
    std::size_t is_ut = 0;
    std::size_t is_std = 0;
    std::size_t leap = 0;
    std::size_t time = 0;
    std::size_t type = 0;
    std::size_t chars = 0;

    std::size_t block_size(std::size_t time_size) const {
        return time * time_size + time + type * k_tzif_type_size + chars + leap * (time_size + 4) + is_std + is_ut;
    }
};

std::optional<TzifCounts> read_tzif_header(std::string_view bytes, std::size_t offset) {
    if (bytes.size() < offset + k_tzif_header_size || bytes.substr(offset, 4) != "TZif") {
        return std::nullopt;
    }
    std::array<std::size_t, 6> counts{};
    for (std::size_t i = 0; i < counts.size(); ++i) {
        counts[i] = read_big_endian(bytes, offset + 20 + 4 * i, 4);
    }
    TzifCounts header{counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]};
    if (header.type == 0 || header.chars == 0) {
        return std::nullopt;
    }
    return header;
}

// Reads one data block (transitions, type indices, types, abbreviations) starting at offset.
std::optional<ZoneRules> read_tzif_block(std::string_view bytes, std::size_t offset, const TzifCounts& counts,
                                         std::size_t time_size) {
    if (bytes.size() - offset < counts.block_size(time_size)) {
        return std::nullopt;
    }
    ZoneRules rules;
    std::size_t at = offset;
    for (std::size_t i = 0; i < counts.time; ++i, at += time_size) {
        rules.transitions.push_back(read_signed(bytes, at, time_size));
        if (i > 0 && rules.transitions[i] <= rules.transitions[i - 1]) {
            return std::nullopt;
        }
    }
    for (std::size_t i = 0; i < counts.time; ++i, ++at) {
        const auto type = static_cast<std::size_t>(static_cast<unsigned char>(bytes[at]));
        if (type >= counts.type) {
            return std::nullopt;
        }
        rules.transition_types.push_back(type);
    }
    const std::string_view abbreviations = bytes.substr(at + counts.type * k_tzif_type_size, counts.chars);
    for (std::size_t i = 0; i < counts.type; ++i, at += k_tzif_type_size) {
        const auto utc_offset = static_cast<std::int32_t>(read_signed(bytes, at, 4));
        const auto index = static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + 5]));
        if (index >= abbreviations.size() || utc_offset == INT32_MIN) {
            return std::nullopt;
        }
        const std::string_view rest = abbreviations.substr(index);
        rules.types.push_back(
            LocalTimeType{utc_offset, bytes[at + 4] != 0, std::string(rest.substr(0, rest.find('\0')))});
    }
    return rules;
}

// Parses TZif data of any version: version 1 uses the 32-bit block; later versions use the 64-bit
// block and its footer. nullopt when the bytes are not well-formed TZif.
std::optional<ZoneRules> parse_tzif(std::string_view bytes) {
    std::optional<TzifCounts> first = read_tzif_header(bytes, 0);
    if (!first) {
        return std::nullopt;
    }
    if (bytes[4] == '\0') {
        return read_tzif_block(bytes, k_tzif_header_size, *first, 4);
    }
    const std::size_t second_offset = k_tzif_header_size + first->block_size(4);
    std::optional<TzifCounts> second = read_tzif_header(bytes, second_offset);
    if (!second) {
        return std::nullopt;
    }
    const std::size_t block_offset = second_offset + k_tzif_header_size;
    std::optional<ZoneRules> rules = read_tzif_block(bytes, block_offset, *second, 8);
    if (!rules) {
        return std::nullopt;
    }
    const std::size_t footer_offset = block_offset + second->block_size(8);
    if (footer_offset >= bytes.size() || bytes[footer_offset] != '\n') {
        return std::nullopt;
    }
    const std::size_t footer_end = bytes.find('\n', footer_offset + 1);
    if (footer_end == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view footer = bytes.substr(footer_offset + 1, footer_end - footer_offset - 1);
    if (!footer.empty()) {
        rules->footer = parse_posix_zone(footer);
        if (!rules->footer) {
            return std::nullopt;
        }
    }
    return rules;
}

LocalTimeType local_type_at(const ZoneRules& rules, std::int64_t utc_seconds) {
    if (rules.transitions.empty()) {
        return rules.footer ? posix_local_type(*rules.footer, utc_seconds) : rules.types.front();
    }
    if (utc_seconds < rules.transitions.front()) {
        return rules.types.front();
    }
    if (utc_seconds >= rules.transitions.back() && rules.footer) {
        return posix_local_type(*rules.footer, utc_seconds);
    }
    const auto after = std::upper_bound(rules.transitions.begin(), rules.transitions.end(), utc_seconds);
    const auto index = static_cast<std::size_t>(std::distance(rules.transitions.begin(), after) - 1);
    return rules.types[rules.transition_types[index]];
}

bool is_zone_name_character(char c) {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '+';
}

// Finds the zone's file under root, matching each component exactly or else ignoring case (as
// moment-timezone does). Names are checked first so that nothing outside root can be reached.
std::optional<std::filesystem::path> find_zone_file(const std::filesystem::path& root, std::string_view name) {
    if (name.empty() || name.size() > k_max_zone_name_length) {
        return std::nullopt;
    }
    std::filesystem::path current = root;
    std::size_t begin = 0;
    while (begin <= name.size()) {
        const std::size_t end = std::min(name.find('/', begin), name.size());
        const std::string_view component = name.substr(begin, end - begin);
        if (component.empty() || !std::all_of(component.begin(), component.end(), is_zone_name_character) ||
            (begin == 0 && equals_ignoring_case(component, "right"))) {
            return std::nullopt;
        }
        std::error_code error;
        std::filesystem::path next = current / std::string(component);
        if (!std::filesystem::exists(next, error)) {
            std::optional<std::filesystem::path> match;
            for (const auto& entry : std::filesystem::directory_iterator(current, error)) {
                if (equals_ignoring_case(entry.path().filename().string(), component)) {
                    match = entry.path();
                    break;
                }
            }
            if (!match) {
                return std::nullopt;
            }
            next = *match;
        }
        current = next;
        begin = end + 1;
    }
    std::error_code error;
    if (!std::filesystem::is_regular_file(current, error)) {
        return std::nullopt;
    }
    return current;
}

// Every zone name under root, for "did you mean" on an unknown zone.
std::vector<std::string> zone_names(const std::filesystem::path& root) {
    std::vector<std::string> names;
    std::error_code error;
    for (auto entry = std::filesystem::recursive_directory_iterator(root, error);
         entry != std::filesystem::recursive_directory_iterator(); entry.increment(error)) {
        if (error) {
            break;
        }
        const std::string name = entry->path().lexically_relative(root).string();
        const std::string file = entry->path().filename().string();
        if (entry->is_directory(error) && (file == "posix" || file == "right")) {
            entry.disable_recursion_pending();
        } else if (entry->is_regular_file(error) && !file.empty() && file[0] >= 'A' && file[0] <= 'Z' &&
                   file.find('.') == std::string::npos) {
            names.push_back(name);
        }
    }
    return names;
}

Error unknown_zone(const std::filesystem::path& root, std::string_view tz) {
    std::string hint = "use an IANA time zone name such as 'Europe/Berlin', 'Asia/Tokyo' or 'UTC'";
    if (std::optional<std::string> match = closest_match(tz, zone_names(root))) {
        hint = fmt::format("did you mean '{}'? ", *match) + hint;
    }
    return config_error("", fmt::format("unknown time zone '{}'", tz), std::move(hint));
}

Result<ZoneRules> load_zone(std::string_view tz) {
    if (tz.empty() || equals_ignoring_case(tz, "UTC")) {
        ZoneRules utc;
        utc.types.push_back(LocalTimeType{0, false, "UTC"});
        return utc;
    }
    const std::filesystem::path root(k_zoneinfo_root);
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
        return runtime_error(fmt::format("the time zone database {} is missing, needed for tz='{}'", root.string(), tz),
                             "install the tzdata package (apt-get install tzdata)");
    }
    std::optional<std::filesystem::path> file = find_zone_file(root, tz);
    if (!file) {
        return unknown_zone(root, tz);
    }
    std::ifstream in(*file, std::ios::binary);
    std::string bytes;
    bytes.resize(k_max_zone_file_size + 1);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.substr(0, 4) != "TZif") {
        return unknown_zone(root, tz);
    }
    std::optional<ZoneRules> rules = bytes.size() <= k_max_zone_file_size ? parse_tzif(bytes) : std::nullopt;
    if (!rules) {
        return runtime_error(fmt::format("the time zone file {} is not valid TZif data", file->string()),
                             "reinstall the tzdata package (apt-get install --reinstall tzdata)");
    }
    return std::move(*rules);
}

// The instant broken down in its zone: the fields moment.js tokens read.
struct Moment {
    std::int64_t epoch_ms = 0;
    chrono::sys_days date;
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millisecond = 0;
    int weekday = 0;  // 0 = Sunday
    int day_of_year = 0;
    std::int32_t utc_offset = 0;
    std::string abbreviation;
};

int day_of_year(chrono::sys_days date) {
    const chrono::year_month_day ymd(date);
    return static_cast<int>((date - chrono::sys_days(ymd.year() / chrono::January / 1)).count()) + 1;
}

Moment make_moment(std::int64_t epoch_ms, const LocalTimeType& type) {
    Moment m;
    m.epoch_ms = epoch_ms;
    m.utc_offset = type.utc_offset;
    m.abbreviation = type.abbreviation;
    const std::int64_t local_ms = epoch_ms + static_cast<std::int64_t>(type.utc_offset) * 1000;
    const std::int64_t days = floor_div(local_ms, k_ms_per_day);
    const std::int64_t ms_of_day = local_ms - days * k_ms_per_day;
    m.date = days_since_epoch(days);
    const chrono::year_month_day ymd(m.date);
    m.year = static_cast<int>(ymd.year());
    m.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    m.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    m.hour = static_cast<int>(ms_of_day / 3'600'000);
    m.minute = static_cast<int>(ms_of_day / 60'000 % 60);
    m.second = static_cast<int>(ms_of_day / 1000 % 60);
    m.millisecond = static_cast<int>(ms_of_day % 1000);
    m.weekday = static_cast<int>(chrono::weekday(m.date).c_encoding());
    m.day_of_year = day_of_year(m.date);
    return m;
}

// A week number and the year it belongs to.
struct Week {
    int week = 0;
    int year = 0;
};

// moment's week rule: weeks start on first_weekday and week 1 holds January's anchor_weekday
// (Sunday/Saturday for the English locale, Monday/Thursday for ISO 8601).
Week week_of_year(const Moment& m, int first_weekday, int anchor_weekday) {
    const int end = anchor_weekday - first_weekday;
    int shift = anchor_weekday - m.weekday;
    if (shift > end) {
        shift -= 7;
    }
    if (shift < end - 7) {
        shift += 7;
    }
    const chrono::sys_days anchor = m.date + chrono::days(shift);
    return Week{(day_of_year(anchor) + 6) / 7, static_cast<int>(chrono::year_month_day(anchor).year())};
}

Week locale_week(const Moment& m) {
    return week_of_year(m, 0, 6);
}

Week iso_week(const Moment& m) {
    return week_of_year(m, 1, 4);
}

// moment's zeroFill: at least width digits, '-' for negatives, '+' when force_sign.
std::string zero_fill(std::int64_t value, std::size_t width, bool force_sign = false) {
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out = value < 0 ? "-" : (force_sign ? "+" : "");
    if (digits.size() < width) {
        out.append(width - digits.size(), '0');
    }
    return out + digits;
}

// The English locale's ordinal: 1st 2nd 3rd 4th ... 11th 12th 13th ... 21st.
std::string ordinal(std::int64_t number) {
    const std::int64_t last = number % 10;
    const char* suffix = "th";
    if (number % 100 / 10 != 1) {
        suffix = last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
    }
    return std::to_string(number) + suffix;
}

std::string utc_offset_text(std::int32_t offset_seconds, std::string_view separator) {
    const std::int32_t magnitude = (offset_seconds < 0 ? -offset_seconds : offset_seconds) / 60;
    return fmt::format("{}{:02}{}{:02}", offset_seconds < 0 ? '-' : '+', magnitude / 60, separator, magnitude % 60);
}

constexpr std::array<std::string_view, 12> k_month_names{"January",   "February", "March",    "April",
                                                         "May",       "June",     "July",     "August",
                                                         "September", "October",  "November", "December"};
constexpr std::array<std::string_view, 7> k_weekday_names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                          "Thursday", "Friday", "Saturday"};

// The English long date formats that moment expands before tokenizing.
std::optional<std::string_view> long_date_format(std::string_view token) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> k_formats{{
        {"LTS", "h:mm:ss A"},
        {"LT", "h:mm A"},
        {"L", "MM/DD/YYYY"},
        {"LL", "MMMM D, YYYY"},
        {"LLL", "MMMM D, YYYY h:mm A"},
        {"LLLL", "dddd, MMMM D, YYYY h:mm A"},
        {"l", "M/D/YYYY"},
        {"ll", "MMM D, YYYY"},
        {"lll", "MMM D, YYYY h:mm A"},
        {"llll", "ddd, MMM D, YYYY h:mm A"},
    }};
    for (const auto& [name, expansion] : k_formats) {
        if (name == token) {
            return expansion;
        }
    }
    return std::nullopt;
}

std::size_t run_length(std::string_view format, std::size_t i, char c, std::size_t max) {
    std::size_t n = 0;
    while (n < max && i + n < format.size() && format[i + n] == c) {
        ++n;
    }
    return n;
}

// Bytes of the line terminator at i (\n, \r, U+2028, U+2029), which moment's tokenizer skips.
std::size_t line_terminator_length(std::string_view format, std::size_t i) {
    if (format[i] == '\n' || format[i] == '\r') {
        return 1;
    }
    const std::string_view rest = format.substr(i, 3);
    return (rest == "\xe2\x80\xa8" || rest == "\xe2\x80\xa9") ? 3 : 0;
}

// The position of the ']' closing a '[' literal at i: the last ']' before the next '['.
std::optional<std::size_t> bracket_close(std::string_view format, std::size_t open) {
    const std::size_t next_open = std::min(format.find('[', open + 1), format.size());
    const std::size_t close = format.substr(0, next_open).rfind(']');
    if (close == std::string_view::npos || close <= open) {
        return std::nullopt;
    }
    return close;
}

// Length of the long date token (LTS LT L.. l..) at i, 0 if none.
std::size_t long_token_length(std::string_view format, std::size_t i) {
    if (i >= format.size()) {
        return 0;
    }
    if (format.substr(i, 3) == "LTS") {
        return 3;
    }
    if (format.substr(i, 2) == "LT") {
        return 2;
    }
    return format[i] == 'L' || format[i] == 'l' ? run_length(format, i, format[i], 4) : 0;
}

std::string expand_long_date_formats(std::string_view format) {
    std::string out;
    std::size_t i = 0;
    while (i < format.size()) {
        if (format[i] == '[') {
            if (std::optional<std::size_t> close = bracket_close(format, i)) {
                out += format.substr(i, *close - i + 1);
                i = *close + 1;
                continue;
            }
        }
        if (format[i] == '\\') {
            if (const std::size_t length = long_token_length(format, i + 1); length > 0) {
                out += format.substr(i, length + 1);
                i += length + 1;
                continue;
            }
        }
        if (const std::size_t length = long_token_length(format, i); length > 0) {
            out += *long_date_format(format.substr(i, length));
            i += length;
            continue;
        }
        out += format[i];
        ++i;
    }
    return out;
}

// Length of the format token at i, following the alternation order of moment's tokenizer.
std::size_t token_length(std::string_view format, std::size_t i) {
    auto at = [&](std::size_t offset) { return i + offset < format.size() ? format[i + offset] : '\0'; };
    const char c = format[i];
    if ((c == 'H' || c == 'h') && at(1) == 'm' && at(2) == 'm') {
        return at(3) == 's' && at(4) == 's' ? 5 : 3;
    }
    switch (c) {
        case 'M':
            return at(1) == 'o' ? 2 : run_length(format, i, 'M', 4);
        case 'D':
            if (at(1) == 'o') {
                return 2;
            }
            return at(1) == 'D' && at(2) == 'D' && at(3) == 'o' ? 4 : run_length(format, i, 'D', 4);
        case 'd':
        case 'y': {
            const std::size_t run = run_length(format, i, c, 4);
            if (run >= 2) {
                return run;
            }
            return at(1) == 'o' ? 2 : 1;
        }
        case 'w':
        case 'W':
            return at(1) == 'o' || at(1) == '|' || at(1) == c ? 2 : 1;
        case 'Q':
            return at(1) == 'o' ? 2 : 1;
        case 'N':
            return run_length(format, i, 'N', 5);
        case 'Y': {
            const std::size_t run = run_length(format, i, 'Y', 6);
            return run >= 4 ? run : std::min<std::size_t>(run, 2);
        }
        case 'g':
        case 'G': {
            const std::size_t run = run_length(format, i, c, 5);
            return run >= 4 ? run : std::min<std::size_t>(run, 2);
        }
        case 'h':
        case 'H':
        case 'k':
        case 'm':
        case 's':
        case 'z':
        case 'Z':
            return run_length(format, i, c, 2);
        case 'S':
            return run_length(format, i, 'S', 9);
        default:
            return 1;
    }
}

// The 12-hour clock hour: 12 for midnight and noon.
int twelve_hour(int hour) {
    return hour % 12 == 0 ? 12 : hour % 12;
}

std::int64_t fraction_digits(int millisecond, std::size_t digits) {
    std::int64_t value = millisecond;
    for (std::size_t i = 3; i < digits; ++i) {
        value *= 10;
    }
    for (std::size_t i = digits; i < 3; ++i) {
        value /= 10;
    }
    return value;
}

std::optional<std::string> week_token(std::string_view token, const Moment& m) {
    if (token == "w" || token == "ww" || token == "wo") {
        const int week = locale_week(m).week;
        return token == "wo" ? ordinal(week) : zero_fill(week, token.size() == 2 ? 2 : 1);
    }
    if (token == "W" || token == "WW" || token == "Wo") {
        const int week = iso_week(m).week;
        return token == "Wo" ? ordinal(week) : zero_fill(week, token.size() == 2 ? 2 : 1);
    }
    if ((token[0] == 'g' || token[0] == 'G') && token.size() >= 2) {
        const int year = token[0] == 'g' ? locale_week(m).year : iso_week(m).year;
        return token.size() == 2 ? zero_fill(year % 100, 2) : zero_fill(year, token.size());
    }
    return std::nullopt;
}

std::optional<std::string> date_token(std::string_view token, const Moment& m) {
    if (token == "M" || token == "MM") {
        return zero_fill(m.month, token.size());
    }
    if (token == "Mo") {
        return ordinal(m.month);
    }
    if (token == "MMM" || token == "MMMM") {
        const std::string_view name = k_month_names[static_cast<std::size_t>(m.month - 1)];
        return std::string(token == "MMM" ? name.substr(0, 3) : name);
    }
    if (token == "Q" || token == "Qo") {
        const int quarter = (m.month + 2) / 3;
        return token == "Qo" ? ordinal(quarter) : std::to_string(quarter);
    }
    if (token == "D" || token == "DD") {
        return zero_fill(m.day, token.size());
    }
    if (token == "Do") {
        return ordinal(m.day);
    }
    if (token == "DDD" || token == "DDDD") {
        return zero_fill(m.day_of_year, token == "DDDD" ? 3 : 1);
    }
    if (token == "DDDo") {
        return ordinal(m.day_of_year);
    }
    if (token == "d" || token == "e") {
        return std::to_string(m.weekday);
    }
    if (token == "do") {
        return ordinal(m.weekday);
    }
    if (token == "E") {
        return std::to_string(m.weekday == 0 ? 7 : m.weekday);
    }
    if (token == "dd" || token == "ddd" || token == "dddd") {
        const std::string_view name = k_weekday_names[static_cast<std::size_t>(m.weekday)];
        return std::string(token == "dddd" ? name : name.substr(0, token.size()));
    }
    return week_token(token, m);
}

std::optional<std::string> year_token(std::string_view token, const Moment& m) {
    if (token == "Y") {
        return m.year > 9999 ? "+" + std::to_string(m.year) : std::to_string(m.year);
    }
    if (token == "YY") {
        return zero_fill(m.year % 100, 2);
    }
    if (token == "YYYY" || token == "YYYYY") {
        return zero_fill(m.year, token.size());
    }
    if (token == "YYYYYY") {
        return zero_fill(m.year, 6, true);
    }
    if (token[0] == 'y') {
        return token == "yo" ? ordinal(m.year) : zero_fill(m.year, token.size());
    }
    if (token[0] == 'N') {
        return std::string(token.size() == 4 ? "Anno Domini" : "AD");
    }
    return std::nullopt;
}

std::optional<std::string> time_token(std::string_view token, const Moment& m) {
    if (token == "H" || token == "HH") {
        return zero_fill(m.hour, token.size());
    }
    if (token == "h" || token == "hh") {
        return zero_fill(twelve_hour(m.hour), token.size());
    }
    if (token == "k" || token == "kk") {
        return zero_fill(m.hour == 0 ? 24 : m.hour, token.size());
    }
    if (token == "hmm" || token == "hmmss" || token == "Hmm" || token == "Hmmss") {
        std::string out = std::to_string(token[0] == 'h' ? twelve_hour(m.hour) : m.hour) + zero_fill(m.minute, 2);
        return token.size() == 5 ? out + zero_fill(m.second, 2) : out;
    }
    if (token == "m" || token == "mm") {
        return zero_fill(m.minute, token.size());
    }
    if (token == "s" || token == "ss") {
        return zero_fill(m.second, token.size());
    }
    if (token[0] == 'S') {
        return zero_fill(fraction_digits(m.millisecond, token.size()), token.size() == 1 ? 0 : token.size());
    }
    if (token == "a" || token == "A") {
        const bool pm = m.hour > 11;
        return std::string(token == "a" ? (pm ? "pm" : "am") : (pm ? "PM" : "AM"));
    }
    if (token == "x") {
        return std::to_string(m.epoch_ms);
    }
    if (token == "X") {
        return std::to_string(floor_div(m.epoch_ms, 1000));
    }
    if (token == "z" || token == "zz") {
        return m.abbreviation;
    }
    if (token == "Z" || token == "ZZ") {
        return utc_offset_text(m.utc_offset, token == "Z" ? ":" : "");
    }
    return std::nullopt;
}

// The text of a token, or nullopt when moment has no formatter for it (it is then literal).
std::optional<std::string> format_token(std::string_view token, const Moment& m) {
    if (std::optional<std::string> text = date_token(token, m)) {
        return text;
    }
    if (std::optional<std::string> text = year_token(token, m)) {
        return text;
    }
    return time_token(token, m);
}

std::string without_backslashes(std::string_view text) {
    std::string out;
    std::copy_if(text.begin(), text.end(), std::back_inserter(out), [](char c) { return c != '\\'; });
    return out;
}

std::string render(std::string_view format, const Moment& m) {
    std::string out;
    std::size_t i = 0;
    while (i < format.size()) {
        if (format[i] == '[') {
            if (std::optional<std::size_t> close = bracket_close(format, i)) {
                out += format.substr(i + 1, *close - i - 1);
                i = *close + 1;
                continue;
            }
        }
        if (format[i] == '\\' && i + 1 < format.size() && line_terminator_length(format, i + 1) == 0) {
            const std::size_t length = token_length(format, i + 1);
            out += without_backslashes(format.substr(i + 1, length));
            i += length + 1;
            continue;
        }
        if (const std::size_t skip = line_terminator_length(format, i); skip > 0) {
            i += skip;
            continue;
        }
        const std::size_t length = token_length(format, i);
        const std::string_view token = format.substr(i, length);
        std::optional<std::string> text = format_token(token, m);
        out += text ? *text : without_backslashes(token);
        i += length;
    }
    return out;
}

}  // namespace

Result<std::string> format_moment(std::string_view format, std::chrono::system_clock::time_point time,
                                  std::string_view tz) {
    Result<ZoneRules> zone = load_zone(tz);
    if (!zone) {
        return zone.error();
    }
    const std::int64_t epoch_ms = chrono::floor<chrono::milliseconds>(time).time_since_epoch().count();
    const LocalTimeType type = local_type_at(*zone, floor_div(epoch_ms, 1000));
    if (format.empty()) {
        // moment prints ISO 8601 for an empty format, with "Z" when the offset is zero.
        format = type.utc_offset == 0 ? k_default_format_utc : k_default_format;
    }
    return render(expand_long_date_formats(format), make_moment(epoch_ms, type));
}

}  // namespace pipeline::meta
