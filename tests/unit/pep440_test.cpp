#include <pipe/meta/pep440.h>

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using pipeline::meta::parse_pep440;

TEST_CASE("pep440 validity follows @renovate/pep440", "[tags]") {
    for (const std::string text :
         {"1.2", "1.2.3", "v1.2.3", "V1.0", "1!2.0", "1.0a1", "1.0.alpha.1", "1.0-rc-2", "1.0c1", "1.0post1", "1.0-1",
          "1.0.r2", "1.0.dev4", "1.0dev", "1.0+local.7", "1.0a1.post2.dev3+abc"}) {
        CAPTURE(text);
        CHECK(parse_pep440(text).has_value());
    }
    for (const std::string text :
         {"", "sometag", "release1", "1.0-", "1.0+", " 1.0", "1.0 ", "v", "1..0", "1.0-dev-x", "p1/v1.0.0"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_pep440(text).has_value());
    }
}

TEST_CASE("pep440 normalises as clean() does", "[tags]") {
    const std::pair<std::string, std::string> k_cases[] = {
        {"1.1beta2", "1.1b2"},
        {"1.0dev4", "1.0.dev4"},
        {"1.2post1", "1.2.post1"},
        {"v1.2.3", "1.2.3"},
        {"1.2.3rc2", "1.2.3rc2"},
        {"1.0-1", "1.0.post1"},
        {"1.0.r", "1.0.post0"},
        {"1.0c3", "1.0rc3"},
        {"1.0PREVIEW", "1.0rc0"},
        {"01.002.0003", "1.2.3"},
        {"0!1.0", "1.0"},
        {"2!1.0", "2!1.0"},
        {"1.0+ABC.01", "1.0+abc,1"},
        {"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
    };
    for (const auto& [text, expected] : k_cases) {
        CAPTURE(text);
        std::optional<pipeline::meta::Pep440Version> version = parse_pep440(text);
        REQUIRE(version);
        CHECK(version->normalized() == expected);
    }
}

TEST_CASE("pep440 release kinds and numbers", "[tags]") {
    std::optional<pipeline::meta::Pep440Version> rc = parse_pep440("1.2.3rc2");
    REQUIRE(rc);
    CHECK(rc->is_prerelease());
    CHECK_FALSE(rc->is_postrelease());
    std::optional<pipeline::meta::Pep440Version> post = parse_pep440("1.2post1");
    REQUIRE(post);
    CHECK(post->is_postrelease());
    CHECK_FALSE(post->is_prerelease());
    std::optional<pipeline::meta::Pep440Version> dev = parse_pep440("1.0dev4");
    REQUIRE(dev);
    CHECK(dev->is_devrelease());
    CHECK(dev->is_prerelease());
    std::optional<pipeline::meta::Pep440Version> two = parse_pep440("1.2");
    REQUIRE(two);
    CHECK_FALSE(two->is_prerelease());
    CHECK(two->major() == "1");
    CHECK(two->minor() == "2");
    CHECK(two->patch() == "0");
}
