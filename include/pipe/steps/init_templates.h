// The example CI files `pipe init` copies into a project (examples/github-actions/ci.yaml,
// examples/Makefile, examples/tekton/*.yaml), embedded into the binary at build time by
// src/embed_files.cmake, so an installed pipe needs no data files.
#pragma once

#include <pipe/core/embedded_file.h>

#include <vector>

namespace pipeline::steps {

// Every embedded example file, in the order CMake listed them (sorted by name).
const std::vector<EmbeddedFile>& embedded_templates();

}  // namespace pipeline::steps
