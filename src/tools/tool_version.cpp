#include <pipe/tools/tool_version.h>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <tuple>

namespace pipeline::tools {
namespace {

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Reads the digits at text[pos...], advancing pos; nullopt when there are none or too many.
std::optional<int> read_number(std::string_view text, std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) {
        ++pos;
    }
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data() + start, text.data() + pos, value);
    if (pos == start || ec != std::errc() || end != text.data() + pos) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::string ToolVersion::string() const {
    return fmt::format("{}.{}.{}", major, minor, patch);
}

bool ToolVersion::at_least(const ToolVersion& minimum) const {
    return std::tie(major, minor, patch) >= std::tie(minimum.major, minimum.minor, minimum.patch);
}

std::optional<ToolVersion> find_version(std::string_view text) {
    for (std::size_t start = 0; start < text.size(); ++start) {
        if (!is_digit(text[start]) || (start > 0 && (is_digit(text[start - 1]) || text[start - 1] == '.'))) {
            continue;
        }
        std::size_t pos = start;
        std::optional<int> major = read_number(text, pos);
        if (!major || pos + 1 >= text.size() || text[pos] != '.' || !is_digit(text[pos + 1])) {
            continue;
        }
        ++pos;
        std::optional<int> minor = read_number(text, pos);
        if (!minor) {
            continue;
        }
        ToolVersion version{*major, *minor, 0};
        if (pos + 1 < text.size() && text[pos] == '.' && is_digit(text[pos + 1])) {
            ++pos;
            if (std::optional<int> patch = read_number(text, pos)) {
                version.patch = *patch;
            }
        }
        return version;
    }
    return std::nullopt;
}

}  // namespace pipeline::tools
