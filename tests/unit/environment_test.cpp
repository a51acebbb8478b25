// Environment snapshots: lookups that treat empty values as unset where pipe reads settings.
#include <pipe/core/environment.h>

#include <catch2/catch.hpp>

TEST_CASE("first_set takes the first variable that is set and not empty, in the order given", "[environment]") {
    const pipeline::Environment env{{"EMPTY", ""}, {"B", "b-value"}, {"C", "c-value"}};
    CHECK(pipeline::first_set(env, {"A", "EMPTY", "B", "C"}) == std::pair<std::string, std::string>("B", "b-value"));
    CHECK(pipeline::first_set(env, {"C", "B"}) == std::pair<std::string, std::string>("C", "c-value"));
    CHECK_FALSE(pipeline::first_set(env, {"A", "EMPTY"}).has_value());
    CHECK_FALSE(pipeline::first_set(env, {}).has_value());
}

TEST_CASE("value_or falls back for unset and empty variables, lookup tells them apart", "[environment]") {
    const pipeline::Environment env{{"EMPTY", ""}, {"SET", "x"}};
    CHECK(pipeline::value_or(env, "SET", "d") == "x");
    CHECK(pipeline::value_or(env, "EMPTY", "d") == "d");
    CHECK(pipeline::value_or(env, "UNSET", "d") == "d");
    CHECK(pipeline::lookup(env, "EMPTY") == std::optional<std::string>(""));
    CHECK_FALSE(pipeline::lookup(env, "UNSET").has_value());
}
