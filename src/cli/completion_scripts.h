// The shell completion scripts of completions/ (pipe.bash, _pipe, pipe.fish), compiled into the
// binary from that one copy so `pipe completion SHELL` prints exactly what packagers install.
#pragma once

#include <pipe/core/embedded_file.h>

#include <vector>

namespace pipeline::cli {

// The three scripts, named by their file names in completions/.
const std::vector<EmbeddedFile>& completion_scripts();

}  // namespace pipeline::cli
