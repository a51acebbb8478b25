#include <pipe/meta/semver.h>

#include <fmt/format.h>

namespace pipeline::meta {
namespace {

constexpr std::size_t k_max_length = 256;
constexpr std::string_view k_max_safe_integer = "9007199254740991";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_identifier_char(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Reads a numeric identifier ("0" or digits without a leading zero) at pos.
std::optional<std::string> numeric_identifier(std::string_view text, std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) {
        ++pos;
    }
    std::string_view digits = text.substr(start, pos - start);
    if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) {
        return std::nullopt;
    }
    const bool too_big = digits.size() > k_max_safe_integer.size() ||
                         (digits.size() == k_max_safe_integer.size() && digits > k_max_safe_integer);
    if (too_big) {
        return std::nullopt;
    }
    return std::string(digits);
}

// Reads dot-separated identifiers of [0-9A-Za-z-]; numeric_rules rejects leading zeros in
// all-digit identifiers (pre-release), build identifiers allow them.
std::optional<std::vector<std::string>> identifiers(std::string_view text, std::size_t& pos, bool numeric_rules) {
    std::vector<std::string> result;
    while (true) {
        const std::size_t start = pos;
        bool all_digits = true;
        while (pos < text.size() && is_identifier_char(text[pos])) {
            all_digits = all_digits && is_digit(text[pos]);
            ++pos;
        }
        const std::string_view identifier = text.substr(start, pos - start);
        if (identifier.empty()) {
            return std::nullopt;
        }
        if (numeric_rules && all_digits && identifier.size() > 1 && identifier.front() == '0') {
            return std::nullopt;
        }
        result.emplace_back(identifier);
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            continue;
        }
        return result;
    }
}

}  // namespace

std::string SemVer::version() const {
    std::string text = fmt::format("{}.{}.{}", major, minor, patch);
    if (!prerelease.empty()) {
        text += fmt::format("-{}", fmt::join(prerelease, "."));
    }
    return text;
}

std::optional<SemVer> parse_semver(std::string_view text) {
    if (text.size() > k_max_length) {
        return std::nullopt;
    }
    std::string_view body = text;
    while (!body.empty() && is_space(body.front())) {
        body.remove_prefix(1);
    }
    while (!body.empty() && is_space(body.back())) {
        body.remove_suffix(1);
    }
    std::size_t pos = 0;
    if (pos < body.size() && body[pos] == 'v') {
        ++pos;
    }
    SemVer version;
    version.raw = std::string(text);
    std::string* parts[] = {&version.major, &version.minor, &version.patch};
    for (std::size_t i = 0; i < 3; ++i) {
        std::optional<std::string> number = numeric_identifier(body, pos);
        if (!number) {
            return std::nullopt;
        }
        *parts[i] = std::move(*number);
        if (i < 2) {
            if (pos >= body.size() || body[pos] != '.') {
                return std::nullopt;
            }
            ++pos;
        }
    }
    if (pos < body.size() && body[pos] == '-') {
        ++pos;
        std::optional<std::vector<std::string>> prerelease = identifiers(body, pos, true);
        if (!prerelease) {
            return std::nullopt;
        }
        version.prerelease = std::move(*prerelease);
    }
    if (pos < body.size() && body[pos] == '+') {
        ++pos;
        std::optional<std::vector<std::string>> build = identifiers(body, pos, false);
        if (!build) {
            return std::nullopt;
        }
        version.build = std::move(*build);
    }
    if (pos != body.size()) {
        return std::nullopt;
    }
    return version;
}

}  // namespace pipeline::meta
