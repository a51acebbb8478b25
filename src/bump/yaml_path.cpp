#include <pipe/bump/yaml_path.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace pipeline::bump {
namespace {

Error path_error(std::string_view path, std::size_t pos, std::string_view what) {
    return usage_error(fmt::format("invalid path '{}' at column {}: {}", path, pos + 1, what),
                       "write keys separated by '.', e.g. image.tag, containers[name=app].image, images[0].newTag, "
                       "annotations.\"example.com/x\"");
}

bool bare_key_char(char c) {
    return c != '.' && c != '[' && c != ']' && c != '"' && c != '\'';
}

// Reads a quoted key starting at path[pos] (a quote); advances pos past the closing quote.
Result<std::string> read_quoted(std::string_view path, std::size_t& pos) {
    const char quote = path[pos];
    const std::size_t open = pos;
    std::string key;
    ++pos;
    while (pos < path.size()) {
        const char c = path[pos];
        if (c == quote) {
            ++pos;
            return key;
        }
        if (quote == '"' && c == '\\' && pos + 1 < path.size()) {
            key += path[pos + 1];
            pos += 2;
            continue;
        }
        key += c;
        ++pos;
    }
    return path_error(path, open, "unterminated quote");
}

Result<std::size_t> read_index(std::string_view path, std::size_t pos, std::string_view digits) {
    std::size_t value = 0;
    for (const char c : digits) {
        const auto digit = static_cast<std::size_t>(c - '0');
        if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) {
            return path_error(path, pos, "index too large");
        }
        value = value * 10 + digit;
    }
    return value;
}

// Reads `[...]` at path[pos] into step; advances pos past the ']'.
Result<void> read_bracket(std::string_view path, std::size_t& pos, PathStep& step) {
    const std::size_t open = pos;
    const std::size_t close = path.find(']', pos);
    if (close == std::string_view::npos) {
        return path_error(path, open, "'[' without ']'");
    }
    const std::string_view inside = path.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    if (inside.empty()) {
        return path_error(path, open + 1, "empty brackets: expected an index like [0] or a selector like [name=app]");
    }
    if (std::all_of(inside.begin(), inside.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        Result<std::size_t> index = read_index(path, open + 1, inside);
        if (!index) {
            return index.error();
        }
        step.index = *index;
        return {};
    }
    const std::size_t eq = inside.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return path_error(path, open + 1, "expected an index like [0] or a selector like [name=app]");
    }
    std::string value(inside.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
    }
    step.selector = std::make_pair(std::string(inside.substr(0, eq)), value);
    return {};
}

}  // namespace

Result<std::vector<PathStep>> parse_path(std::string_view path) {
    if (path.empty()) {
        return usage_error("empty path", "give the path of a scalar, e.g. image.tag");
    }
    std::vector<PathStep> steps;
    std::size_t pos = 0;
    while (true) {
        PathStep step;
        const std::size_t key_start = pos;
        bool quoted = false;
        if (path[pos] == '"' || path[pos] == '\'') {
            Result<std::string> key = read_quoted(path, pos);
            if (!key) {
                return key.error();
            }
            step.key = std::move(*key);
            quoted = true;
        } else {
            while (pos < path.size() && bare_key_char(path[pos])) {
                step.key += path[pos];
                ++pos;
            }
            if (pos < path.size() && path[pos] != '.' && path[pos] != '[') {
                return path_error(path, pos, fmt::format("unexpected '{}' in a key (quote the key)", path[pos]));
            }
        }
        if (step.key.empty() && !quoted && (pos >= path.size() || path[pos] != '[' || !steps.empty())) {
            return path_error(path, key_start, "empty key");
        }
        while (pos < path.size() && path[pos] == '[') {
            if (step.index || step.selector) {
                steps.push_back(std::move(step));
                step = PathStep{};
            }
            if (Result<void> read = read_bracket(path, pos, step); !read) {
                return read.error();
            }
        }
        steps.push_back(std::move(step));
        if (pos >= path.size()) {
            break;
        }
        if (path[pos] != '.') {
            return path_error(path, pos, fmt::format("expected '.' or '[' after a key, found '{}'", path[pos]));
        }
        ++pos;
        if (pos >= path.size()) {
            return path_error(path, pos - 1, "path ends with '.'");
        }
    }
    return steps;
}

std::string path_key(std::string_view key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return bare_key_char(c) && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
    });
    if (bare) {
        return std::string(key);
    }
    std::string quoted = "\"";
    for (const char c : key) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace pipeline::bump
