#include <pipe/meta/pep440.h>

#include <pipe/meta/js_number.h>

#include "js_string.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::meta {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_separator(char c) {
    return c == '-' || c == '_' || c == '.';
}

bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::size_t digits_end(std::string_view text, std::size_t pos) {
    while (pos < text.size() && is_digit(text[pos])) {
        ++pos;
    }
    return pos;
}

// Where an optional [-_.] may leave the cursor, the consuming choice first (as a greedy `?`).
std::vector<std::size_t> separator_options(std::string_view text, std::size_t pos) {
    if (pos < text.size() && is_separator(text[pos])) {
        return {pos + 1, pos};
    }
    return {pos};
}

// One way an optional segment such as `rc2` or `.post1` can match.
struct Segment {
    std::size_t end = 0;
    std::optional<std::string> letter;  // nullopt: the segment is absent (or an implicit post-release)
    std::optional<std::string> number;
};

// The ways `[-_.]?(label)[-_.]?([0-9]+)?` can match at pos, in the order a backtracking
// matcher tries them (labels in the grammar's order, case-insensitive).
std::vector<Segment> lettered(std::string_view text, std::size_t pos, const std::vector<std::string_view>& labels) {
    std::vector<Segment> options;
    for (std::size_t start : separator_options(text, pos)) {
        for (std::string_view label : labels) {
            if (js_lower(std::string(text.substr(start, label.size()))) != label) {
                continue;
            }
            const std::size_t after = start + label.size();
            for (std::size_t number : separator_options(text, after)) {
                const std::size_t end = digits_end(text, number);
                if (end > number) {
                    options.push_back(Segment{end, std::string(text.substr(start, label.size())),
                                              std::string(text.substr(number, end - number))});
                }
                options.push_back(Segment{number, std::string(text.substr(start, label.size())), std::nullopt});
            }
        }
    }
    return options;
}

std::vector<Segment> pre_options(std::string_view text, std::size_t pos) {
    std::vector<Segment> options = lettered(text, pos, {"a", "b", "c", "rc", "alpha", "beta", "pre", "preview"});
    options.push_back(Segment{pos, std::nullopt, std::nullopt});
    return options;
}

std::vector<Segment> post_options(std::string_view text, std::size_t pos) {
    std::vector<Segment> options;
    if (pos < text.size() && text[pos] == '-' && digits_end(text, pos + 1) > pos + 1) {
        const std::size_t end = digits_end(text, pos + 1);
        options.push_back(Segment{end, std::nullopt, std::string(text.substr(pos + 1, end - pos - 1))});
    }
    for (Segment& segment : lettered(text, pos, {"post", "rev", "r"})) {
        options.push_back(std::move(segment));
    }
    options.push_back(Segment{pos, std::nullopt, std::nullopt});
    return options;
}

std::vector<Segment> dev_options(std::string_view text, std::size_t pos) {
    std::vector<Segment> options = lettered(text, pos, {"dev"});
    options.push_back(Segment{pos, std::nullopt, std::nullopt});
    return options;
}

// Whether text from pos is empty or `+` and a local label ([a-z0-9]+ joined by single [-_.]).
bool local_fits(std::string_view text, std::size_t pos) {
    if (pos == text.size()) {
        return true;
    }
    if (text[pos] != '+' || pos + 1 == text.size()) {
        return false;
    }
    bool after_separator = true;
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
        if (is_alnum(text[i])) {
            after_separator = false;
        } else if (is_separator(text[i]) && !after_separator) {
            after_separator = true;
        } else {
            return false;
        }
    }
    return !after_separator;
}

std::vector<std::string> split_local(std::string_view local) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= local.size(); ++i) {
        if (i == local.size() || is_separator(local[i])) {
            parts.emplace_back(local.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

std::string normalized_letter(std::string letter) {
    letter = js_lower(std::move(letter));
    if (letter == "alpha") {
        return "a";
    }
    if (letter == "beta") {
        return "b";
    }
    if (letter == "c" || letter == "pre" || letter == "preview") {
        return "rc";
    }
    if (letter == "rev" || letter == "r") {
        return "post";
    }
    return letter;
}

// A local part prints as Number(part) when JavaScript reads it as a number, else lower-cased.
std::string local_part_text(const std::string& part) {
    if (std::optional<double> number = js_to_number(part)) {
        return js_number_text(*number);
    }
    return js_lower(part);
}

std::string release_number(const std::vector<std::string>& release, std::size_t index) {
    return index < release.size() ? js_digits_text(release[index]) : "0";
}

}  // namespace

std::string Pep440Version::normalized() const {
    std::string text;
    if (!epoch.empty() && js_digits_text(epoch) != "0") {
        text += js_digits_text(epoch) + "!";
    }
    std::vector<std::string> numbers;
    numbers.reserve(release.size());
    for (const std::string& part : release) {
        numbers.push_back(js_digits_text(part));
    }
    text += fmt::format("{}", fmt::join(numbers, "."));
    if (pre) {
        text += pre->first + js_digits_text(pre->second);
    }
    if (post) {
        text += ".post" + js_digits_text(*post);
    }
    if (dev) {
        text += ".dev" + js_digits_text(*dev);
    }
    if (!local.empty()) {
        std::vector<std::string> parts;
        parts.reserve(local.size());
        for (const std::string& part : local) {
            parts.push_back(local_part_text(part));
        }
        text += fmt::format("+{}", fmt::join(parts, ","));
    }
    return text;
}

std::string Pep440Version::major() const {
    return release_number(release, 0);
}

std::string Pep440Version::minor() const {
    return release_number(release, 1);
}

std::string Pep440Version::patch() const {
    return release_number(release, 2);
}

std::optional<Pep440Version> parse_pep440(std::string_view text) {
    std::vector<std::size_t> starts{0};
    if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) {
        starts = {1, 0};
    }
    for (std::size_t start : starts) {
        std::string epoch;
        std::size_t release_start = start;
        const std::size_t epoch_end = digits_end(text, start);
        if (epoch_end > start && epoch_end < text.size() && text[epoch_end] == '!') {
            epoch = std::string(text.substr(start, epoch_end - start));
            release_start = epoch_end + 1;
        }
        std::vector<std::string> release;
        std::size_t pos = release_start;
        while (true) {
            const std::size_t end = digits_end(text, pos);
            if (end == pos) {
                break;
            }
            release.emplace_back(text.substr(pos, end - pos));
            pos = end;
            if (pos + 1 < text.size() && text[pos] == '.' && is_digit(text[pos + 1])) {
                ++pos;
            } else {
                break;
            }
        }
        if (release.empty()) {
            continue;
        }
        for (const Segment& pre : pre_options(text, pos)) {
            for (const Segment& post : post_options(text, pre.end)) {
                for (const Segment& dev : dev_options(text, post.end)) {
                    if (!local_fits(text, dev.end)) {
                        continue;
                    }
                    Pep440Version version;
                    version.epoch = epoch;
                    version.release = release;
                    if (pre.letter) {
                        version.pre = std::make_pair(normalized_letter(*pre.letter), pre.number.value_or("0"));
                    }
                    if (post.letter || post.number) {
                        version.post = post.number.value_or("0");
                    }
                    if (dev.letter) {
                        version.dev = dev.number.value_or("0");
                    }
                    if (dev.end < text.size()) {
                        version.local = split_local(text.substr(dev.end + 1));
                    }
                    return version;
                }
            }
        }
    }
    return std::nullopt;
}

}  // namespace pipeline::meta
