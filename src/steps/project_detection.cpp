#include <pipe/steps/project_detection.h>

#include <pipe/github/remote.h>

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

}  // namespace

std::optional<ProjectLanguage> detect_language(const std::filesystem::path& root) {
    // The first marker present names the project; a plain Makefile only when nothing else does.
    static const std::array<std::pair<const char*, const char*>, 11> k_rules{{{"go.mod", "go"},
                                                                              {"package.json", "node"},
                                                                              {"Cargo.toml", "rust"},
                                                                              {"pyproject.toml", "python"},
                                                                              {"setup.py", "python"},
                                                                              {"requirements.txt", "python"},
                                                                              {"pom.xml", "maven"},
                                                                              {"build.gradle", "gradle"},
                                                                              {"build.gradle.kts", "gradle"},
                                                                              {"CMakeLists.txt", "cmake"},
                                                                              {"Makefile", "make"}}};
    for (const auto& [marker, name] : k_rules) {
        if (is_file(root / marker)) {
            return ProjectLanguage{name, marker};
        }
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
    // github.com only: the remote of a new project, before any CI environment names a server.
    std::optional<github::Repository> repository = github::repository_of_remote(remote_url, Environment{});
    return repository ? std::optional<std::string>(repository->full()) : std::nullopt;
}

std::optional<std::string> github_image(std::string_view remote_url) {
    std::optional<std::string> repository = github_repository(remote_url);
    if (!repository) {
        return std::nullopt;
    }
    return "ghcr.io/" + lower(*repository);
}

}  // namespace pipeline::steps
