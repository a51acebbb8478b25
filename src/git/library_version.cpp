#include <pipe/git/library_version.h>

#include "libgit2_handles.h"

namespace pipeline::git {

tools::ToolVersion libgit2_version() {
    int major = 0;
    int minor = 0;
    int patch = 0;
    git_libgit2_version(&major, &minor, &patch);
    return tools::ToolVersion{major, minor, patch};
}

}  // namespace pipeline::git
