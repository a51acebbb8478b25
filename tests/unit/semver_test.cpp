#include <pipe/meta/semver.h>

#include <catch2/catch.hpp>

#include <string>

using pipeline::meta::parse_semver;

TEST_CASE("semver accepts what node-semver's strict check accepts", "[tags]") {
    for (const std::string text : {"1.2.3", "v1.2.3", "0.0.0", "v2.0.8-beta.67", "1.2.3-0-1", "1.2.3-alpha-1.x",
                                   "1.0.0+build.01", " v1.2.3 ", "1.2.3-rc.1+sha.5114f85", "9007199254740991.0.0"}) {
        CAPTURE(text);
        CHECK(parse_semver(text).has_value());
    }
}

TEST_CASE("semver rejects what node-semver's strict check rejects", "[tags]") {
    for (const std::string text :
         {"1.2", "release1", "1.2.3rc2", "V1.2.3", "=1.2.3", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b",
          "vv1.2.3", "1.2.3.4", "9007199254740992.0.0", "", "sometag"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_semver(text).has_value());
    }
    CHECK_FALSE(parse_semver("1.2.3-" + std::string(260, 'a')).has_value());
}

TEST_CASE("semver fields match the SemVer object a pattern reads", "[tags]") {
    std::optional<pipeline::meta::SemVer> version = parse_semver("v2.0.8-beta.67+fork.3");
    REQUIRE(version);
    CHECK(version->raw == "v2.0.8-beta.67+fork.3");
    CHECK(version->major == "2");
    CHECK(version->minor == "0");
    CHECK(version->patch == "8");
    CHECK(version->prerelease == std::vector<std::string>{"beta", "67"});
    CHECK(version->build == std::vector<std::string>{"fork", "3"});
    CHECK(version->version() == "2.0.8-beta.67");
    std::optional<pipeline::meta::SemVer> plain = parse_semver("v1.2.3+build.5");
    REQUIRE(plain);
    CHECK(plain->version() == "1.2.3");
    CHECK(plain->prerelease.empty());
}
