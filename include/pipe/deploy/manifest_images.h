// Image references in deployment files (Kubernetes objects, kustomizations, Helm values), found with
// their file:line:column so that `pipe verify -f k8s/` can check what will actually be deployed.
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::deploy {

// Where one image reference was found.
struct FoundImage {
    std::string reference;       // as written; Helm and kustomize parts joined as name[:tag][@digest]
    std::filesystem::path file;  // the file (or origin) it was read from
    int line = 0;                // 1-based line of the scalar (the repository/name part when joined)
    int column = 0;              // 1-based column of that scalar
    std::string context;         // e.g. "Deployment/payments-api container app", "values image"
};

// Every image reference in the YAML files given (see manifest_files() for the walk), in path and
// document order, duplicates kept. Files under a chart's templates/ folder are skipped. Malformed
// YAML and unparsable references are config errors located at file:line:column.
Result<std::vector<FoundImage>> find_images(const std::vector<std::filesystem::path>& paths);

// Same for one already-read file text (all of its documents); origin names it in results and errors
// and its file name decides whether it is a kustomization. Text that contains "{{" and is not
// valid YAML is a Go template and yields nothing.
Result<std::vector<FoundImage>> find_images_in_text(std::string_view text, const std::filesystem::path& origin);

}  // namespace pipeline::deploy
