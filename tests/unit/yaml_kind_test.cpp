#include <pipe/core/yaml_kind.h>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

using pipeline::yaml_kind;

TEST_CASE("YAML node kinds are named the same in every message", "[config][bump]") {
    const YAML::Node doc = YAML::Load("map: {a: 1}\nlist: [1]\nscalar: 3\nquoted: 'x'\nnothing:\n");
    CHECK(yaml_kind(doc["map"]) == "a map");
    CHECK(yaml_kind(doc["list"]) == "a list");
    CHECK(yaml_kind(doc["scalar"]) == "a string");
    CHECK(yaml_kind(doc["quoted"]) == "a string");
    CHECK(yaml_kind(doc["nothing"]) == "null");
    CHECK(yaml_kind(YAML::Node(YAML::NodeType::Undefined)) == "null");
}
