// Fuzzes the ignore-file parser and glob matcher: the first line of the input is an ignore file's
// pattern, the rest a path. Nothing may crash or run long (the matcher memoizes, so '*'-heavy
// patterns stay polynomial), every glob matches itself when it has no special characters, and
// "**" matches every path.
#include "fuzz_check.h"

#include <pipe/tools/context_ignore.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using pipeline::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = text.find('\n');
    const std::string_view pattern_text = text.substr(0, newline);
    const std::string_view path = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    const auto patterns = pipeline::tools::parse_ignore_file(text);
    (void)pipeline::tools::is_ignored(patterns, path);
    for (const auto& pattern : pipeline::tools::parse_ignore_file(pattern_text)) {
        (void)pipeline::tools::glob_matches(pattern.glob, path);
        if (pattern.glob.find_first_of("*?[\\") == std::string_view::npos) {
            require(pipeline::tools::glob_matches(pattern.glob, pattern.glob));
        }
    }
    if (!path.empty()) {
        require(pipeline::tools::glob_matches("**", path));
    }
    return 0;
}
