// What `buildah info` says about the host and the container storage, the facts `pipe doctor`
// needs to tell whether builds can work as this user with the storage pipe would use.
#pragma once

#include <pipe/core/result.h>

#include <string>
#include <string_view>

namespace pipeline::tools {

// The parts of `buildah info` pipe reads.
struct BuildahInfo {
    bool rootless = false;    // host.rootless: buildah runs in a user namespace
    std::string oci_runtime;  // host.OCIRuntime, e.g. "crun"; RUN with oci isolation needs it
    std::string driver;       // store.GraphDriverName, e.g. "overlay" or "vfs"
    std::string graph_root;   // store.GraphRoot: where images are stored
};

// Reads the JSON `buildah info` prints; malformed output is a runtime error.
Result<BuildahInfo> parse_buildah_info(std::string_view json);

}  // namespace pipeline::tools
