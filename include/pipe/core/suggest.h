// "Did you mean" for unknown commands, flags and configuration keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

// Edit distance (insert, delete, substitute, transpose adjacent) between two words.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word, if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace pipeline
