#include <pipe/tools/context_ignore.h>

#include <sstream>

namespace pipeline::tools {
namespace {

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r");
    return std::string(text.substr(first, last - first + 1));
}

// filepath.Clean for slash-separated relative patterns: no empty or "." segments, ".." resolved.
std::string clean(std::string_view pattern) {
    std::vector<std::string> parts;
    std::string segment;
    std::istringstream in{std::string(pattern)};
    while (std::getline(in, segment, '/')) {
        if (segment.empty() || segment == ".") {
            continue;
        }
        if (segment == ".." && !parts.empty() && parts.back() != "..") {
            parts.pop_back();
            continue;
        }
        parts.push_back(segment);
    }
    std::string out;
    for (const std::string& part : parts) {
        out += (out.empty() ? "" : "/") + part;
    }
    return out;
}

// Matches a bracket expression at glob[g] against c; returns the index after ']' or npos when
// the class is malformed (then '[' is taken literally).
std::size_t match_class(std::string_view glob, std::size_t g, char c, bool& matched) {
    std::size_t i = g + 1;
    bool negate = false;
    if (i < glob.size() && (glob[i] == '^' || glob[i] == '!')) {
        negate = true;
        ++i;
    }
    bool found = false;
    bool first = true;
    while (i < glob.size() && (glob[i] != ']' || first)) {
        first = false;
        char low = glob[i];
        if (low == '\\' && i + 1 < glob.size()) {
            low = glob[++i];
        }
        char high = low;
        if (i + 2 < glob.size() && glob[i + 1] == '-' && glob[i + 2] != ']') {
            high = glob[i + 2];
            if (high == '\\' && i + 3 < glob.size()) {
                high = glob[i + 3];
                ++i;
            }
            i += 2;
        }
        if (low <= c && c <= high) {
            found = true;
        }
        ++i;
    }
    if (i >= glob.size()) {
        return std::string_view::npos;
    }
    matched = found != negate;
    return i + 1;
}

// A matcher over glob and path that remembers failed (glob, path) positions, so patterns
// with many '*' stay polynomial instead of backtracking exponentially.
class GlobMatcher {
public:
    GlobMatcher(std::string_view glob, std::string_view path)
        : m_glob(glob), m_path(path), m_failed((glob.size() + 1) * (path.size() + 1), false) {}

    bool match(std::size_t g, std::size_t p) {
        const std::size_t key = g * (m_path.size() + 1) + p;
        if (m_failed[key]) {
            return false;
        }
        const bool matched = match_here(g, p);
        if (!matched) {
            m_failed[key] = true;
        }
        return matched;
    }

private:
    bool match_here(std::size_t g, std::size_t p);

    std::string_view m_glob;
    std::string_view m_path;
    std::vector<bool> m_failed;
};

bool GlobMatcher::match_here(std::size_t g, std::size_t p) {
    const std::string_view glob = m_glob;
    const std::string_view path = m_path;
    while (g < glob.size()) {
        const char c = glob[g];
        if (c == '*' && g + 1 < glob.size() && glob[g + 1] == '*') {
            std::size_t rest = g + 2;
            if (rest < glob.size() && glob[rest] == '/') {
                // "**/" matches zero or more whole directories.
                for (std::size_t q = p; q <= path.size(); ++q) {
                    if ((q == p || path[q - 1] == '/') && match(rest + 1, q)) {
                        return true;
                    }
                }
                return false;
            }
            for (std::size_t q = p; q <= path.size(); ++q) {
                if (match(rest, q)) {
                    return true;
                }
            }
            return false;
        }
        if (c == '*') {
            for (std::size_t q = p; q <= path.size(); ++q) {
                if (match(g + 1, q)) {
                    return true;
                }
                if (q < path.size() && path[q] == '/') {
                    break;
                }
            }
            return false;
        }
        if (p >= path.size()) {
            return false;
        }
        if (c == '?') {
            if (path[p] == '/') {
                return false;
            }
            ++g;
            ++p;
            continue;
        }
        if (c == '[') {
            bool matched = false;
            const std::size_t next = match_class(glob, g, path[p], matched);
            if (next != std::string_view::npos) {
                if (!matched || path[p] == '/') {
                    return false;
                }
                g = next;
                ++p;
                continue;
            }
        }
        char literal = c;
        if (c == '\\' && g + 1 < glob.size()) {
            literal = glob[++g];
        }
        if (path[p] != literal) {
            return false;
        }
        ++g;
        ++p;
    }
    return p == path.size();
}

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

std::vector<IgnorePattern> parse_ignore_file(std::string_view text) {
    std::vector<IgnorePattern> patterns;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::string pattern = trim(line);
        if (pattern.empty() || pattern.front() == '#') {
            continue;
        }
        IgnorePattern parsed;
        if (pattern.front() == '!') {
            parsed.exclusion = true;
            pattern = trim(pattern.substr(1));
        }
        parsed.glob = clean(pattern);
        if (!parsed.glob.empty()) {
            patterns.push_back(std::move(parsed));
        }
    }
    return patterns;
}

bool glob_matches(std::string_view glob, std::string_view path) {
    if (GlobMatcher(glob, path).match(0, 0)) {
        return true;
    }
    for (std::size_t slash = path.rfind('/'); slash != std::string_view::npos && slash > 0;
         slash = path.rfind('/', slash - 1)) {
        if (GlobMatcher(glob, path.substr(0, slash)).match(0, 0)) {
            return true;
        }
        if (slash == 0) {
            break;
        }
    }
    return false;
}

bool is_ignored(const std::vector<IgnorePattern>& patterns, std::string_view path) {
    bool ignored = false;
    for (const IgnorePattern& pattern : patterns) {
        if (pattern.exclusion == ignored && glob_matches(pattern.glob, path)) {
            ignored = !pattern.exclusion;
        }
    }
    return ignored;
}

std::optional<std::filesystem::path> find_ignore_file(const std::filesystem::path& context,
                                                      const std::filesystem::path& containerfile) {
    const std::vector<std::filesystem::path> candidates{containerfile.string() + ".containerignore",
                                                        containerfile.string() + ".dockerignore",
                                                        context / ".containerignore", context / ".dockerignore"};
    for (const std::filesystem::path& candidate : candidates) {
        if (is_file(candidate)) {
            return candidate;
        }
    }
    return std::nullopt;
}

}  // namespace pipeline::tools
