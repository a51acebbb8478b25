// The `flavor` input: whether `latest` is added and a prefix/suffix for every tag. Read the way
// metadata-action reads it, including that `onlatest` belongs to whichever of prefix/suffix came
// last on its line.
#pragma once

#include <pipe/core/result.h>
#include <pipe/meta/input_list.h>

#include <string>
#include <vector>

namespace pipeline::meta {

// latest=auto lets the first tag rule decide; true and false force it.
enum class LatestMode { automatic, always, never };

// The effective flavor after all lines (later lines override earlier ones).
struct Flavor {
    LatestMode latest = LatestMode::automatic;
    std::string prefix;
    bool prefix_on_latest = false;
    std::string suffix;
    bool suffix_on_latest = false;
};

// Parses the flavor entries. Every field must be key=value with key latest, prefix, suffix or
// onlatest; errors are config errors whose where is "flavor[<line>]".
Result<Flavor> parse_flavor(const std::vector<InputEntry>& entries);

}  // namespace pipeline::meta
