// The `images` input: the repositories every tag is emitted for. A single line of bare names may
// list several images separated by commas (the action's older format); otherwise each line is
// one image, optionally `name=<repo>,enable=<true|false>`.
#pragma once

#include <pipe/core/result.h>
#include <pipe/meta/input_list.h>

#include <string>
#include <vector>

namespace pipeline::meta {

// One image entry as written (name not yet lower-cased).
struct ImageEntry {
    std::string name;
    bool enable = true;
};

// Parses the image entries; errors (unknown attribute, bad enable value, empty name) are config
// errors whose where is "image[<line>]" (the configuration key).
Result<std::vector<ImageEntry>> parse_image_list(const std::vector<InputEntry>& entries);

// The names tags are emitted for: enabled entries, lower-cased, in input order.
std::vector<std::string> enabled_image_names(const std::vector<ImageEntry>& images);

}  // namespace pipeline::meta
