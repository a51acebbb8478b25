// metadata-action reads each list input (`images`, `tags`, `flavor`, `labels`) as CSV before
// parsing entries: '#' lines are comments, quoted fields lose their quotes and each record's
// fields are joined back with ','. Rules copied from a workflow mean the same only after the
// same step, so pipe applies it to every input line too.
#pragma once

#include <pipe/core/result.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// One entry of an input list and the index of the input line it came from.
struct InputEntry {
    std::size_t line = 0;
    std::string text;
};

// Reads lines as the action reads its list inputs (relaxed quotes, '#' comments only at the
// start of a line, entries trimmed, empty entries dropped before trimming). An unclosed quote is
// a config error whose where is "<input>[<index>]".
Result<std::vector<InputEntry>> read_input_list(const std::vector<std::string>& lines, std::string_view input);

}  // namespace pipeline::meta
