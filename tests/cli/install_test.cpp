// `cmake --install` puts the binary, the man page and the completion scripts where man and the
// shells look for them, and the installed binary runs.
#include "run_command.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>

using pipeline::testing::TempDir;

namespace {

pipeline::proc::ProcessResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {}) {
    return pipeline::testing::run_command(argv, cwd, "install cmake (apt-get install cmake) if it is missing");
}

}  // namespace

TEST_CASE("cmake --install places the binary, man page and completions under the prefix", "[cli][install]") {
    TempDir dir;
    const std::filesystem::path prefix = dir.path() / "usr";
    auto installed = run({"cmake", "--install", PIPE_BUILD_DIR, "--prefix", prefix.string()});
    INFO(installed.out << installed.err);
    REQUIRE(installed.status.success());
    for (const char* file : {"share/man/man1/pipe.1", "share/bash-completion/completions/pipe",
                             "share/zsh/site-functions/_pipe", "share/fish/vendor_completions.d/pipe.fish"}) {
        INFO(file);
        CHECK(std::filesystem::is_regular_file(prefix / file));
    }
    auto version = run({(prefix / "bin" / "pipe").string(), "--version"});
    CHECK(version.status.success());
    CHECK(version.out.rfind("pipe ", 0) == 0);
}
