#include <pipe/core/environment.h>

#include <unistd.h>

namespace pipeline {

Environment current_environment() {
    Environment env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return env;
}

std::optional<std::string> lookup(const Environment& env, std::string_view name) {
    auto found = env.find(name);
    if (found == env.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::string value_or(const Environment& env, std::string_view name, std::string fallback) {
    auto found = env.find(name);
    if (found == env.end() || found->second.empty()) {
        return fallback;
    }
    return found->second;
}

std::optional<std::pair<std::string, std::string>> first_set(const Environment& env,
                                                             std::initializer_list<std::string_view> names) {
    for (const std::string_view name : names) {
        auto found = env.find(name);
        if (found != env.end() && !found->second.empty()) {
            return std::pair<std::string, std::string>(found->first, found->second);
        }
    }
    return std::nullopt;
}

}  // namespace pipeline
