// The example CI files `pipe init` copies into a project (examples/github-actions/ci.yaml,
// examples/Makefile, examples/tekton/*.yaml), embedded into the binary at build time by
// cmake/embed_files.cmake, so an installed pipe needs no data files.
#pragma once

#include <string_view>
#include <vector>

namespace pipeline::steps {

// One embedded file: its path under examples/ and its bytes.
struct EmbeddedFile {
    std::string_view name;  // "github-actions/ci.yaml", "Makefile", "tekton/pipeline.yaml"
    std::string_view content;
};

// Every embedded example file, in the order CMake listed them (sorted by name).
const std::vector<EmbeddedFile>& embedded_templates();

}  // namespace pipeline::steps
