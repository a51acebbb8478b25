#include <pipe/core/suggest.h>

#include <catch2/catch.hpp>

using pipeline::closest_match;
using pipeline::edit_distance;

TEST_CASE("edit distance counts inserts, deletes, substitutions and transpositions", "[suggest]") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("tags", "tags") == 0);
    CHECK(edit_distance("tags", "tag") == 1);
    CHECK(edit_distance("tags", "tgas") == 1);
    CHECK(edit_distance("build", "bulid") == 1);
    CHECK(edit_distance("push", "pull") == 2);
}

TEST_CASE("closest match suggests plausible typos only", "[suggest]") {
    const std::vector<std::string> commands{"tags", "version", "build", "push"};
    CHECK(closest_match("tgas", commands) == "tags");
    CHECK(closest_match("verison", commands) == "version");
    CHECK_FALSE(closest_match("deploy-everything", commands).has_value());
}
