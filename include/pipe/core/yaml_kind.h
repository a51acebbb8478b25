// The words pipe's messages use for the kind of a YAML node, so the config loader and the bump
// editor say "a map", "a list", "a string" or "null" alike.
#pragma once

#include <yaml-cpp/node/node.h>

#include <string_view>

namespace pipeline {

// "a map", "a list", "a string" (any scalar) or "null" (null or undefined), for messages such as
// "'build' must be a map, not a list".
std::string_view yaml_kind(const YAML::Node& node);

}  // namespace pipeline
