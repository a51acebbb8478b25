// String helpers with the semantics of the JavaScript methods metadata-action calls, so that every
// parser in this folder trims and lower-cases the same way the action does.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace pipeline::meta {

// String.prototype.trim for ASCII whitespace.
inline std::string js_trim(std::string_view text) {
    constexpr std::string_view k_space = " \t\n\r\v\f";
    const std::size_t begin = text.find_first_not_of(k_space);
    if (begin == std::string_view::npos) {
        return {};
    }
    const std::size_t end = text.find_last_not_of(k_space);
    return std::string(text.substr(begin, end - begin + 1));
}

// String.prototype.toLowerCase for ASCII letters (other bytes are kept).
inline std::string js_lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return text;
}

}  // namespace pipeline::meta
