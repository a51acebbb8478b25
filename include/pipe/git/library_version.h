// The libgit2 pipe runs with, for `pipe doctor`: pipe reads and writes repositories only through
// libgit2, so its version (not the git command's) decides what pipe can do with them.
#pragma once

#include <pipe/tools/tool_version.h>

namespace pipeline::git {

// The version of the libgit2 library linked into pipe, as it reports itself at run time.
tools::ToolVersion libgit2_version();

}  // namespace pipeline::git
