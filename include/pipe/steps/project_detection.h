// What `pipe init` finds out about a project before writing its pipe.yaml: the language (by
// the build file at the root, the rules `pipe test` uses), the Containerfile, and the image
// repository a GitHub remote implies. Kept apart so the language rules can be swapped for the
// ones of `pipe test` in one place.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::steps {

// A language and the file that revealed it.
struct ProjectLanguage {
    std::string name;    // "go", "node", "python", "rust", "maven", "gradle", "cmake", "make"
    std::string marker;  // "go.mod", "package.json", ...
};

// The first rule that matches a file at root: go.mod, package.json, Cargo.toml, pyproject.toml /
// setup.py / requirements.txt, pom.xml, build.gradle(.kts), CMakeLists.txt, Makefile; nullopt
// when none does.
std::optional<ProjectLanguage> detect_language(const std::filesystem::path& root);

// "Containerfile" or "Dockerfile" at root (Containerfile first, as buildah looks), or "".
std::string detect_containerfile(const std::filesystem::path& root);

// "owner/repo" as written in a GitHub remote (https://github.com/o/r(.git), git@github.com:o/r.git,
// ssh://git@github.com/o/r.git), nullopt for any other URL.
std::optional<std::string> github_repository(std::string_view remote_url);

// ghcr.io/<owner>/<repo> in lower case for a GitHub remote, nullopt for any other URL.
std::optional<std::string> github_image(std::string_view remote_url);

}  // namespace pipeline::steps
