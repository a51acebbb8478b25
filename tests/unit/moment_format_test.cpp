#include <pipe/meta/moment_format.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::meta::format_moment;

namespace {

// An instant, a zone, a format and what moment-timezone prints for them.
struct MomentCase {
    std::int64_t epoch_ms;
    std::string tz;
    std::string format;
    std::string expected;
};

std::chrono::system_clock::time_point at_ms(std::int64_t epoch_ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms));
}

void check_case(const MomentCase& c) {
    CAPTURE(c.epoch_ms, c.tz, c.format);
    pipeline::Result<std::string> formatted = format_moment(c.format, at_ms(c.epoch_ms), c.tz);
    if (!formatted) {
        FAIL(formatted.error().message);
    }
    CHECK(*formatted == c.expected);
}

// Expected values were produced by moment-timezone (moment 2.31, tz data 2025b).
const std::vector<MomentCase> k_cases{
    // metadata-action's documented pattern, in UTC and Tokyo.
    {1709647629045, "UTC", "YYYYMMDD-hhmmss", "20240305-020709"},
    {1709647629045, "Asia/Tokyo", "YYYYMMDD-hhmmss", "20240305-110709"},
    {1709647629045, "", "YYYY-MM-DDTHH:mm:ss.SSSZ", "2024-03-05T14:07:09.045+00:00"},
    // Half- and three-quarter-hour offsets.
    {1709647629045, "Asia/Kolkata", "YYYY-MM-DD HH:mm Z ZZ z", "2024-03-05 19:37 +05:30 +0530 IST"},
    {1709647629045, "Asia/Kathmandu", "HH:mm Z", "19:52 +05:45"},
    {1709647629045, "America/St_Johns", "HH:mm Z z", "10:37 -03:30 NST"},
    // Every token family.
    {1709647629045, "UTC", "Y YY YYYY YYYYY YYYYYY", "2024 24 2024 02024 +002024"},
    {1709647629045, "UTC", "M Mo MM MMM MMMM Q Qo", "3 3rd 03 Mar March 1 1st"},
    {1709647629045, "UTC", "D Do DD DDD DDDo DDDD", "5 5th 05 65 65th 065"},
    {1709647629045, "UTC", "d do dd ddd dddd e E", "2 2nd Tu Tue Tuesday 2 2"},
    {1709647629045, "UTC", "H HH h hh k kk m mm s ss A a", "14 14 2 02 14 14 7 07 9 09 PM pm"},
    {1709647629045, "UTC", "S SS SSS SSSS SSSSSSSSS", "0 04 045 0450 045000000"},
    {1709647629045, "UTC", "X x", "1709647629 1709647629045"},
    {1709647629045, "UTC", "[week] w wo ww W Wo WW gggg GGGG", "week 10 10th 10 10 10th 10 2024 2024"},
    {1709647629045, "UTC", "N NNNN y yo", "AD Anno Domini 2024 2024th"},
    {1709647629045, "UTC", "L LL LLL LLLL l ll lll llll LTS",
     "03/05/2024 March 5, 2024 March 5, 2024 2:07 PM Tuesday, March 5, 2024 2:07 PM 3/5/2024 Mar 5, 2024 "
     "Mar 5, 2024 2:07 PM Tue, Mar 5, 2024 2:07 PM 2:07:09 PM"},
    // Literals: brackets, backslash escapes, letters that are not tokens.
    {1709647629045, "UTC", "[Today is] dddd [at] LT", "Today is Tuesday at 2:07 PM"},
    {1709647629045, "UTC", "\\Y\\M\\D [[x]] [a]b] T bcfijnpqrtuv", "YMD [x] a]b T bcfijnpqrtuv"},
    {1709647629045, "UTC", "[unclosed", "[unc3/5/2024o922"},
    {1709647629045, "UTC", "YYYY[", "2024["},
    {1709647629045, "UTC", "a\nb", "pmb"},
    {1709647629045, "UTC", "\\LT \\\\ x\\", "LT  1709647629045"},
    {1709647629045, "UTC", "", "2024-03-05T14:07:09Z"},
    {1709647629045, "Asia/Tokyo", "", "2024-03-05T23:07:09+09:00"},
    // The 12-hour clock around midnight and noon.
    {1704067506007, "UTC", "h:mm A hh a k kk H", "12:05 AM 12 am 24 24 0"},
    {1704110706007, "UTC", "h:mm A hh a k kk H", "12:05 PM 12 pm 12 12 12"},
    {1704153599999, "UTC", "h:mm:ss.SSS A", "11:59:59.999 PM"},
    // ISO and locale weeks across year ends.
    {1735552800000, "UTC", "GGGG-[W]WW-E gggg-ww-e YYYY", "2025-W01-1 2025-01-1 2024"},
    {1609668000000, "UTC", "GGGG-[W]WW-E gggg-ww-e YYYY DDDD", "2020-W53-7 2021-02-0 2021 003"},
    {1609408800000, "UTC", "GGGG-[W]WW-E DDD", "2020-W53-4 366"},
    // Daylight saving transitions, both hemispheres.
    {1710053999000, "America/New_York", "YYYY-MM-DD HH:mm:ss Z z", "2024-03-10 01:59:59 -05:00 EST"},
    {1710054000000, "America/New_York", "YYYY-MM-DD HH:mm:ss Z z", "2024-03-10 03:00:00 -04:00 EDT"},
    {1730613599000, "America/New_York", "YYYY-MM-DD HH:mm:ss Z z", "2024-11-03 01:59:59 -04:00 EDT"},
    {1730613600000, "America/New_York", "YYYY-MM-DD HH:mm:ss Z z", "2024-11-03 01:00:00 -05:00 EST"},
    {1729990799000, "Europe/Berlin", "YYYY-MM-DD HH:mm:ss Z z", "2024-10-27 02:59:59 +02:00 CEST"},
    {1729990800000, "Europe/Berlin", "YYYY-MM-DD HH:mm:ss Z z", "2024-10-27 02:00:00 +01:00 CET"},
    {1705320000000, "Australia/Sydney", "YYYY-MM-DD HH:mm Z z", "2024-01-15 23:00 +11:00 AEDT"},
    {1721044800000, "Australia/Sydney", "YYYY-MM-DD HH:mm Z z", "2024-07-15 22:00 +10:00 AEST"},
    // Past the zone files' listed transitions, where the POSIX TZ footer rules.
    {2382796800000, "America/New_York", "YYYY-MM-DD HH:mm Z z", "2045-07-04 12:00 -04:00 EDT"},
    {2396016000000, "America/New_York", "YYYY-MM-DD HH:mm Z z", "2045-12-04 11:00 -05:00 EST"},
    {2367158400000, "Australia/Sydney", "YYYY-MM-DD HH:mm Z z", "2045-01-05 03:00 +11:00 AEDT"},
    // Date lines, zones west of UTC, instants before the epoch, zone names in any case.
    {1735675200000, "Pacific/Kiritimati", "YYYY-MM-DD HH:mm Z", "2025-01-01 10:00 +14:00"},
    {1704078000000, "America/Los_Angeles", "YYYY-MM-DD dddd HH:mm Z", "2023-12-31 Sunday 19:00 -08:00"},
    {-500, "UTC", "YYYY-MM-DD HH:mm:ss.SSS X x", "1969-12-31 23:59:59.500 -1 -500"},
    {1709647629045, "asia/tokyo", "HH:mm z", "23:07 JST"},
    {1709647629045, "utc", "HH:mm z", "14:07 UTC"},
    {1709647629045, "Etc/GMT+5", "HH:mm Z", "09:07 -05:00"},
};

// tests/data/moment/cases.tsv: random token mixes over stable zones, one `ms TAB tz TAB format TAB
// expected` a line, generated with moment-timezone.
std::vector<MomentCase> data_file_cases() {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/moment/cases.tsv");
    REQUIRE(in.good());
    std::vector<MomentCase> cases;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::vector<std::string> fields;
        std::size_t begin = 0;
        for (std::size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', begin)) {
            fields.push_back(line.substr(begin, tab - begin));
            begin = tab + 1;
        }
        fields.push_back(line.substr(begin));
        REQUIRE(fields.size() == 4);
        cases.push_back(MomentCase{std::stoll(fields[0]), fields[1], fields[2], fields[3]});
    }
    return cases;
}

}  // namespace

TEST_CASE("moment tokens format like moment-timezone", "[moment]") {
    for (const MomentCase& c : k_cases) {
        check_case(c);
    }
}

TEST_CASE("moment tokens match moment-timezone on generated cases", "[moment]") {
    const std::vector<MomentCase> cases = data_file_cases();
    CHECK(cases.size() >= 300);
    for (const MomentCase& c : cases) {
        check_case(c);
    }
}

TEST_CASE("sub-millisecond precision is truncated like a JavaScript Date", "[moment]") {
    const auto time = at_ms(1709647629045) + std::chrono::microseconds(999);
    pipeline::Result<std::string> formatted = format_moment("ss.SSS x", time, "UTC");
    REQUIRE(formatted.has_value());
    CHECK(*formatted == "09.045 1709647629045");

    const auto before_epoch = at_ms(-1) + std::chrono::microseconds(1);
    pipeline::Result<std::string> negative = format_moment("ss.SSS x", before_epoch, "UTC");
    REQUIRE(negative.has_value());
    CHECK(*negative == "59.999 -1");
}

TEST_CASE("unknown time zones are config errors with a suggestion", "[moment]") {
    pipeline::Result<std::string> typo = format_moment("YYYY", at_ms(0), "Asia/Tokio");
    REQUIRE_FALSE(typo.has_value());
    CHECK(typo.error().kind == ErrorKind::config);
    CHECK(typo.error().message == "unknown time zone 'Asia/Tokio'");
    CHECK_THAT(typo.error().hint, Catch::StartsWith("did you mean 'Asia/Tokyo'?"));

    for (const std::string tz : {"Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Asia", "Asia/", "zone.tab",
                                 "right/UTC", "Europe//Berlin", "Europe/Berlin\n"}) {
        CAPTURE(tz);
        pipeline::Result<std::string> formatted = format_moment("YYYY", at_ms(0), tz);
        REQUIRE_FALSE(formatted.has_value());
        CHECK(formatted.error().kind == ErrorKind::config);
        CHECK(formatted.error().message == "unknown time zone '" + tz + "'");
        CHECK_FALSE(formatted.error().hint.empty());
    }
}
