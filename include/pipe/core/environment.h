// A snapshot of environment variables, passed explicitly so that CI detection, PIPE_* overrides
// and tag rules are pure functions of their inputs and testable without touching the process.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pipeline {

// Variable name -> value.
using Environment = std::map<std::string, std::string, std::less<>>;

// The current process environment.
Environment current_environment();

// The value of name, or nullopt when unset.
std::optional<std::string> lookup(const Environment& env, std::string_view name);

// The value of name, or fallback when unset or empty.
std::string value_or(const Environment& env, std::string_view name, std::string fallback);

// The first of names that is set and not empty, with its value; nullopt when none is.
std::optional<std::pair<std::string, std::string>> first_set(const Environment& env,
                                                             std::initializer_list<std::string_view> names);

}  // namespace pipeline
