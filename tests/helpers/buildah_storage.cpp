#include "buildah_storage.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

namespace pipeline::testing {
namespace {

void require_buildah() {
    proc::Command command;
    command.argv = {"buildah", "--version"};
    proc::SystemRunner runner;
    auto result = runner.run(command);
    if (!result || !result->status.success()) {
        FAIL("buildah is required for the integration tests: apt-get install buildah");
    }
}

}  // namespace

BuildahStorage::BuildahStorage(const TempDir& dir)
    : m_root(dir.path() / "storage/root"), m_runroot(dir.path() / "storage/run") {
    std::filesystem::create_directories(dir.path() / "home");
    m_env = {{"PIPE_STORAGE_DRIVER", "vfs"},
             {"PIPE_ISOLATION", "chroot"},
             {"PIPE_BUILDAH_ROOT", m_root.string()},
             {"PIPE_BUILDAH_RUNROOT", m_runroot.string()},
             {"HOME", (dir.path() / "home").string()}};
    require_buildah();
}

proc::ProcessResult BuildahStorage::buildah(const std::vector<std::string>& args) const {
    proc::Command command;
    command.argv = {"buildah", "--storage-driver", "vfs", "--root", m_root.string(), "--runroot", m_runroot.string()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.timeout = std::chrono::seconds(60);
    proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO(proc::describe(command));
    REQUIRE(result.has_value());
    return *result;
}

nlohmann::json BuildahStorage::inspect(const std::string& name) const {
    auto result = buildah({"inspect", "--type", "image", name});
    INFO(name << ": " << result.err);
    REQUIRE(result.status.success());
    return nlohmann::json::parse(result.out);
}

}  // namespace pipeline::testing
