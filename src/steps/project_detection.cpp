#include <pipe/steps/project_detection.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace pipeline::steps {
namespace {

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The "owner/repo" part after a GitHub host prefix, or "" when url has no such prefix.
std::string_view after_github_host(std::string_view url) {
    constexpr std::array<std::string_view, 5> k_prefixes{
        "https://github.com/", "http://github.com/", "git@github.com:", "ssh://git@github.com/", "git://github.com/"};
    for (std::string_view prefix : k_prefixes) {
        if (url.substr(0, prefix.size()) == prefix) {
            return url.substr(prefix.size());
        }
    }
    return {};
}

bool valid_part(std::string_view part) {
    return !part.empty() && part != "." && part != ".." && std::all_of(part.begin(), part.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
}

}  // namespace

std::optional<ProjectLanguage> detect_language(const std::filesystem::path& root) {
    static const std::array<std::pair<const char*, const char*>, 10> k_rules{{{"go.mod", "go"},
                                                                              {"package.json", "node"},
                                                                              {"Cargo.toml", "rust"},
                                                                              {"pyproject.toml", "python"},
                                                                              {"setup.py", "python"},
                                                                              {"requirements.txt", "python"},
                                                                              {"pom.xml", "maven"},
                                                                              {"build.gradle", "gradle"},
                                                                              {"build.gradle.kts", "gradle"},
                                                                              {"CMakeLists.txt", "cmake"}}};
    for (const auto& [marker, name] : k_rules) {
        if (is_file(root / marker)) {
            return ProjectLanguage{name, marker};
        }
    }
    if (is_file(root / "Makefile")) {
        return ProjectLanguage{"make", "Makefile"};
    }
    return std::nullopt;
}

std::string detect_containerfile(const std::filesystem::path& root) {
    for (const char* name : {"Containerfile", "Dockerfile"}) {
        if (is_file(root / name)) {
            return name;
        }
    }
    return {};
}

std::optional<std::string> github_repository(std::string_view remote_url) {
    std::string_view path = after_github_host(remote_url);
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    if (path.size() > 4 && path.substr(path.size() - 4) == ".git") {
        path.remove_suffix(4);
    }
    const std::size_t slash = path.find('/');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view owner = path.substr(0, slash);
    const std::string_view repo = path.substr(slash + 1);
    if (!valid_part(owner) || !valid_part(repo)) {
        return std::nullopt;
    }
    return std::string(path);
}

std::optional<std::string> github_image(std::string_view remote_url) {
    std::optional<std::string> repository = github_repository(remote_url);
    if (!repository) {
        return std::nullopt;
    }
    return "ghcr.io/" + lower(*repository);
}

}  // namespace pipeline::steps
