// The status line of long steps: on a terminal outside CI one line rewrites itself with the
// tool's latest output and the time so far, errors stay on screen; piped or in CI every line
// prints plainly. The terminal is a real pty from util-linux `script`; buildah is a small fake
// that prints and fails.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

#include <filesystem>

using pipeline::testing::pipe_binary;
using pipeline::testing::TempDir;

namespace {

pipeline::proc::ProcessResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd) {
    pipeline::proc::Command command;
    command.argv = argv;
    command.cwd = cwd;
    command.timeout = std::chrono::seconds(60);
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO("install util-linux's script (apt-get install bsdutils) if it is missing");
    REQUIRE(result.has_value());
    return *result;
}

}  // namespace

TEST_CASE("a long step shows one live status line on a terminal and plain lines elsewhere", "[cli][progress]") {
    TempDir dir;
    const auto repo = pipeline::testing::service_repository(
        dir.path() / "repo",
        {{"pipe.yaml", "image: ghcr.io/acme/api\n"}, {"Containerfile", "FROM scratch\nCOPY README.md /README.md\n"}});
    dir.write("bin/buildah",
              "#!/bin/sh\necho 'STEP 1/2: FROM scratch'\necho 'STEP 2/2: COPY README.md /README.md'\n"
              "echo 'Error: fake-buildah: no space left on device' >&2\nexit 1\n");
    std::filesystem::permissions(dir.path() / "bin/buildah", std::filesystem::perms::owner_all);
    const std::vector<std::string> clean_env{"env",
                                             "-u",
                                             "CI",
                                             "-u",
                                             "GITHUB_ACTIONS",
                                             "-u",
                                             "NO_COLOR",
                                             "TERM=xterm",
                                             "PATH=" + (dir.path() / "bin").string() + ":/usr/bin:/bin",
                                             "PIPE_BUILDAH_ROOT=" + (dir.path() / "storage").string()};

    std::vector<std::string> on_tty = clean_env;
    on_tty.insert(on_tty.end(), {"script", "-qec", pipe_binary() + " build", "/dev/null"});
    auto tty = run(on_tty, repo);
    INFO(tty.out << tty.err);
    CHECK(tty.out.find("\r\x1b[Kpipe: building service 'api'") != std::string::npos);
    CHECK(tty.out.find("STEP 2/2: COPY README.md /README.md") != std::string::npos);
    CHECK(tty.out.find("Error: fake-buildah: no space left on device\r\n") != std::string::npos);
    CHECK(tty.out.find("pipe: building service 'api' took") != std::string::npos);

    std::vector<std::string> piped = clean_env;
    piped.push_back(pipe_binary());
    piped.push_back("build");
    auto plain = run(piped, repo);
    CHECK(plain.status.exit_code() == 3);
    CHECK(plain.err.find("\x1b[K") == std::string::npos);
    CHECK(plain.err.find("STEP 1/2: FROM scratch\nSTEP 2/2: COPY README.md /README.md\n") != std::string::npos);

    std::vector<std::string> in_ci = on_tty;
    in_ci.insert(in_ci.begin() + 7, "CI=true");  // after the -u options, before the command
    auto ci = run(in_ci, repo);
    CHECK(ci.out.find("\x1b[K") == std::string::npos);
    CHECK(ci.out.find("STEP 1/2: FROM scratch\r\n") != std::string::npos);
}
