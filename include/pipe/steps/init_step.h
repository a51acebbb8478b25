// `pipe init`: writes a starter pipe.yaml from what it detects (language, Containerfile, a GitHub
// remote's ghcr.io repository), adds `.pipe/` to .gitignore once, and on request the GitHub
// Actions workflow, Makefile and Tekton files from pipe's embedded examples. It plans every file
// first and refuses, before writing anything, to replace a file with other content unless forced.
// Prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/steps/project_detection.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::steps {

// What to write.
struct InitOptions {
    std::filesystem::path directory;  // where pipe runs; files go to its repository root
    bool force = false;               // replace existing files whose content differs
    bool dry_run = false;             // plan only
    bool github_actions = false;      // .github/workflows/ci.yaml
    bool makefile = false;            // Makefile
    bool tekton = false;              // .tekton/*.yaml
};

// What was found about the project.
struct ProjectFacts {
    std::filesystem::path root;  // the repository root (or the directory outside git)
    std::optional<ProjectLanguage> language;
    std::string containerfile;       // "Containerfile", "Dockerfile" or ""
    std::string remote_url;          // origin without credentials; "" when none
    std::string image;               // the repository the pipe.yaml names
    bool image_from_remote = false;  // false: a placeholder to edit
};

// What happens to one file.
enum class FileAction {
    create,     // it does not exist
    replace,    // it exists with other content (only with force)
    append,     // .gitignore gains the `.pipe/` line
    unchanged,  // it already holds exactly this
};

// "create", "replace", "append" or "unchanged".
std::string_view action_name(FileAction action);

// One file of the plan.
struct PlannedFile {
    std::filesystem::path path;  // relative to the root
    FileAction action = FileAction::create;
    std::string content;  // the whole new content (for append: the bytes appended)
};

// The plan and the facts behind it.
struct InitResult {
    ProjectFacts facts;
    std::vector<PlannedFile> files;
};

// Looks at the project (language, Containerfile, origin through libgit2).
ProjectFacts detect_project(const std::filesystem::path& directory);

// The commented starter pipe.yaml for facts; the config loader accepts it as is.
std::string starter_config(const ProjectFacts& facts);

// The .gitignore text with `.pipe/` added, or nullopt when it already ignores .pipe/.
std::optional<std::string> gitignore_addition(const std::string& current);

// Plans every file and, unless dry_run, writes them. A file that exists with other content is a
// usage error naming it (and every other such file) unless force; nothing is written then.
Result<InitResult> run_init(const InitOptions& options);

}  // namespace pipeline::steps
