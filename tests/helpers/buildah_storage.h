// A private buildah storage (vfs driver, chroot isolation) under a test's temp dir, and pipe's
// environment pointing at it, so integration tests never share or pollute the machine's images.
#pragma once

#include "temp_dir.h"

#include <pipe/core/environment.h>
#include <pipe/proc/runner.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::testing {

// The storage and the PIPE_* variables for it; fails the test when buildah is missing.
class BuildahStorage {
public:
    explicit BuildahStorage(const TempDir& dir);

    // PIPE_STORAGE_DRIVER, PIPE_ISOLATION, PIPE_BUILDAH_ROOT/RUNROOT and a private HOME.
    const Environment& env() const { return m_env; }

    // Runs real buildah on this storage; the test fails when it cannot start.
    proc::ProcessResult buildah(const std::vector<std::string>& args) const;

    // `buildah inspect --type image` of name, parsed; the test fails when it does not exist.
    nlohmann::json inspect(const std::string& name) const;

private:
    std::filesystem::path m_root;
    std::filesystem::path m_runroot;
    Environment m_env;
};

}  // namespace pipeline::testing
