#include <pipe/tools/containerfile.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace pipeline::tools {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::vector<std::string> words(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> out;
    for (std::string word; in >> word;) {
        out.push_back(word);
    }
    return out;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Logical lines (continuations joined) with the line number each starts on.
std::vector<std::pair<int, std::string>> instructions(std::string_view text) {
    std::vector<std::pair<int, std::string>> out;
    std::istringstream in{std::string(text)};
    std::string pending;
    int start = 0;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line[first] == '#') {
            continue;
        }
        if (pending.empty()) {
            start = number;
        }
        const auto last = line.find_last_not_of(" \t");
        if (last != std::string::npos && line[last] == '\\') {
            pending += line.substr(0, last) + " ";
            continue;
        }
        pending += line;
        if (pending.find_first_not_of(" \t") != std::string::npos) {
            out.emplace_back(start, pending);
        }
        pending.clear();
    }
    if (!pending.empty()) {
        out.emplace_back(start, pending);
    }
    return out;
}

}  // namespace

std::string expand_variables(std::string_view text, const std::map<std::string, std::string>& vars) {
    auto value_of = [&](const std::string& name) {
        auto found = vars.find(name);
        return found == vars.end() ? std::string() : found->second;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        if (text[i + 1] == '{') {
            const std::size_t close = text.find('}', i + 2);
            if (close == std::string_view::npos) {
                out += text.substr(i);
                break;
            }
            const std::string_view inner = text.substr(i + 2, close - i - 2);
            const std::size_t colon = inner.find(':');
            const std::string name(inner.substr(0, colon));
            std::string value = value_of(name);
            if (colon != std::string_view::npos && colon + 1 < inner.size()) {
                const char op = inner[colon + 1];
                const std::string word = expand_variables(inner.substr(colon + 2), vars);
                if (op == '-' && value.empty()) {
                    value = word;
                } else if (op == '+') {
                    value = value.empty() ? std::string() : word;
                }
            }
            out += value;
            i = close;
            continue;
        }
        std::size_t end = i + 1;
        while (end < text.size() && is_name_char(text[end])) {
            ++end;
        }
        if (end == i + 1) {
            out += '$';
            continue;
        }
        out += value_of(std::string(text.substr(i + 1, end - i - 1)));
        i = end - 1;
    }
    return out;
}

std::vector<BaseImage> base_images(std::string_view text, const std::map<std::string, std::string>& build_args) {
    std::map<std::string, std::string> vars;
    std::set<std::string> stages;
    std::vector<BaseImage> images;
    bool seen_from = false;
    for (const auto& [line, instruction] : instructions(text)) {
        std::vector<std::string> parts = words(instruction);
        if (parts.empty()) {
            continue;
        }
        const std::string keyword = lower(parts.front());
        if (keyword == "arg" && !seen_from) {
            for (std::size_t i = 1; i < parts.size(); ++i) {
                const std::size_t eq = parts[i].find('=');
                const std::string name = parts[i].substr(0, eq);
                auto given = build_args.find(name);
                if (given != build_args.end()) {
                    vars[name] = given->second;
                } else if (eq != std::string::npos) {
                    std::string value = parts[i].substr(eq + 1);
                    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
                        value.back() == value.front()) {
                        value = value.substr(1, value.size() - 2);
                    }
                    vars[name] = value;
                }
            }
            continue;
        }
        if (keyword != "from") {
            continue;
        }
        seen_from = true;
        BaseImage image;
        image.line = line;
        std::size_t i = 1;
        for (; i < parts.size() && parts[i].rfind("--", 0) == 0; ++i) {
            if (lower(parts[i]).rfind("--platform=", 0) == 0) {
                image.platform = expand_variables(parts[i].substr(11), vars);
            }
        }
        if (i >= parts.size()) {
            continue;
        }
        image.reference = expand_variables(parts[i], vars);
        if (i + 2 < parts.size() && lower(parts[i + 1]) == "as") {
            stages.insert(lower(parts[i + 2]));
        }
        if (lower(image.reference) == "scratch" || stages.count(lower(image.reference)) > 0) {
            continue;
        }
        images.push_back(std::move(image));
    }
    return images;
}

}  // namespace pipeline::tools
