// A file compiled into the binary at build time (src/embed_files.cmake), so an installed pipe
// needs no data files next to it.
#pragma once

#include <string_view>

namespace pipeline {

// One embedded file: its path under the folder it came from, and its bytes.
struct EmbeddedFile {
    std::string_view name;  // "github-actions/ci.yaml", "pipe.bash"
    std::string_view content;
};

}  // namespace pipeline
