#include <pipe/meta/tag_rule.h>

#include <catch2/catch.hpp>

#include <map>
#include <string>

using pipeline::meta::parse_tag_rule;
using pipeline::meta::TagType;

namespace {

using Attributes = std::map<std::string, std::string, std::less<>>;

}  // namespace

TEST_CASE("tag rules get the action's defaults", "[tags]") {
    pipeline::Result<pipeline::meta::TagRule> sha = parse_tag_rule("type=sha");
    REQUIRE(sha);
    CHECK(sha->type == TagType::sha);
    CHECK(sha->attributes ==
          Attributes{{"enable", "true"}, {"format", "short"}, {"prefix", "sha-"}, {"priority", "100"}});
    CHECK(sha->priority == 100);

    pipeline::Result<pipeline::meta::TagRule> pr = parse_tag_rule("type=ref,event=pr");
    REQUIRE(pr);
    CHECK(pr->attribute("prefix") == "pr-");
    CHECK(pr->priority == 600);

    pipeline::Result<pipeline::meta::TagRule> schedule = parse_tag_rule("type=schedule");
    REQUIRE(schedule);
    CHECK(schedule->attribute("pattern") == "nightly");

    pipeline::Result<pipeline::meta::TagRule> semver =
        parse_tag_rule("type=semver,priority=1,pattern={{version}},value=p1/v1.0.0");
    REQUIRE(semver);
    CHECK(
        semver->attributes ==
        Attributes{
            {"enable", "true"}, {"match", ""}, {"pattern", "{{version}}"}, {"priority", "1"}, {"value", "p1/v1.0.0"}});
}

TEST_CASE("tag rule fields split at the first '=' only", "[tags]") {
    pipeline::Result<pipeline::meta::TagRule> rule = parse_tag_rule("type=raw,value=a=b, Prefix = x== ,=lone");
    REQUIRE(rule);
    CHECK(rule->attribute("value") == "=lone");
    CHECK(rule->attribute("prefix") == "x==");
    pipeline::Result<pipeline::meta::TagRule> bare = parse_tag_rule("acustomtag");
    REQUIRE(bare);
    CHECK(bare->type == TagType::raw);
    CHECK(bare->attribute("value") == "acustomtag");
}

TEST_CASE("tag rules reject what the action rejects", "[tags]") {
    for (const std::string line :
         {"type=foo", "type=Raw,value=x", "type=raw", "type=semver", "type=match", "type=match,pattern=x,group=foo",
          "type=ref", "type=ref,event=foo", "type=sha,format=foo", "", "type=raw,value=a\"b"}) {
        CAPTURE(line);
        pipeline::Result<pipeline::meta::TagRule> rule = parse_tag_rule(line);
        REQUIRE_FALSE(rule);
        CHECK(rule.error().kind == pipeline::ErrorKind::config);
    }
    pipeline::Result<pipeline::meta::TagRule> unknown = parse_tag_rule("type=semvar,pattern={{version}}");
    REQUIRE_FALSE(unknown);
    CHECK_THAT(unknown.error().hint, Catch::Contains("semver"));
}

TEST_CASE("tag rules note attributes their type ignores", "[tags]") {
    pipeline::Result<pipeline::meta::TagRule> rule = parse_tag_rule("type=sha,value=x,patern=y");
    REQUIRE(rule);
    CHECK(rule->ignored_attributes == std::vector<std::string>{"patern", "value"});
}
