// RFC 3339 times (registry token expiry, Trivy's DB metadata, run records) and durations.
#include <pipe/core/timestamp.h>

#include <catch2/catch.hpp>

using std::chrono::system_clock;

namespace {

long long epoch_seconds(const std::optional<system_clock::time_point>& time) {
    REQUIRE(time.has_value());
    return std::chrono::duration_cast<std::chrono::seconds>(time->time_since_epoch()).count();
}

}  // namespace

TEST_CASE("parse_rfc3339 reads UTC, fractions and numeric offsets", "[timestamp]") {
    CHECK(epoch_seconds(pipeline::parse_rfc3339("1970-01-01T00:00:00Z")) == 0);
    CHECK(epoch_seconds(pipeline::parse_rfc3339("2026-11-27T10:15:00Z")) == 1795774500);
    CHECK(epoch_seconds(pipeline::parse_rfc3339("2026-11-27T10:15:00.123456789Z")) == 1795774500);
    CHECK(epoch_seconds(pipeline::parse_rfc3339("2026-11-27t10:15:00z")) == 1795774500);
    CHECK(epoch_seconds(pipeline::parse_rfc3339("2026-11-27T12:15:00+02:00")) == 1795774500);
    CHECK(epoch_seconds(pipeline::parse_rfc3339("2026-11-27T05:45:00-04:30")) == 1795774500);
    CHECK(pipeline::rfc3339_utc(*pipeline::parse_rfc3339("2026-11-27T12:15:00+02:00")) == "2026-11-27T10:15:00Z");
}

TEST_CASE("parse_rfc3339 refuses what is not an RFC 3339 time", "[timestamp]") {
    for (const char* text :
         {"", "2026-11-27", "2026-11-27T10:15:00", "2026-11-27T10:15Z", "2026-1-27T10:15:00Z",
          "2026-11-27T10:15:00+2:00", "2026-11-27T10:15:00+02", "2026-13-01T00:00:00Z", "2026-11-00T00:00:00Z",
          "2026-11-27T24:00:00Z", "2026-11-27T10:60:00Z", "2026-11-27T10:15:00.Z", "2026-11-27T10:15:00+02:60",
          "+026-11-27T10:15:00Z", " 2026-11-27T10:15:00Z", "2026-11-27T10:15:00Zjunk", "2026/11/27T10:15:00Z"}) {
        INFO(text);
        CHECK_FALSE(pipeline::parse_rfc3339(text).has_value());
    }
}

TEST_CASE("parse_duration reads seconds, minutes, hours and days, and nothing else", "[timestamp]") {
    CHECK(pipeline::parse_duration("90s") == std::chrono::seconds(90));
    CHECK(pipeline::parse_duration("30m") == std::chrono::seconds(1800));
    CHECK(pipeline::parse_duration("72h") == std::chrono::seconds(259200));
    CHECK(pipeline::parse_duration("3d") == std::chrono::seconds(259200));
    CHECK(pipeline::parse_duration("0s") == std::chrono::seconds(0));
    for (const char* text : {"", "s", "5", "5w", "-5s", "1.5h", "5 s", "99999999999999999999999s", "1e3s"}) {
        INFO(text);
        CHECK_FALSE(pipeline::parse_duration(text).has_value());
    }
}
