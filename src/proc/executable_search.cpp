#include <pipe/proc/executable_search.h>

#include <unistd.h>

#include <string>

namespace pipeline::proc {
namespace {

bool executable_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::filesystem::path> find_executable(std::string_view name, const Environment& env) {
    if (name.empty()) {
        return std::nullopt;
    }
    if (name.find('/') != std::string_view::npos) {
        return executable_file(name) ? std::optional<std::filesystem::path>(name) : std::nullopt;
    }
    const std::string path = value_or(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        const std::string directory = end == start ? std::string(".") : path.substr(start, end - start);
        std::filesystem::path candidate = std::filesystem::path(directory) / name;
        if (executable_file(candidate)) {
            return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace pipeline::proc
