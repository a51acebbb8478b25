#include "git_fixture.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

#include <fstream>

namespace pipeline::testing {

std::string git(const std::filesystem::path& dir, const std::vector<std::string>& args) {
    proc::Command command;
    command.argv = {"git", "-C", dir.string()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = {{"GIT_AUTHOR_NAME", "Pipe Test"},
                   {"GIT_AUTHOR_EMAIL", "test@example.com"},
                   {"GIT_COMMITTER_NAME", "Pipe Test"},
                   {"GIT_COMMITTER_EMAIL", "test@example.com"},
                   {"GIT_AUTHOR_DATE", "2024-01-10T00:30:00Z"},
                   {"GIT_COMMITTER_DATE", "2024-01-10T00:30:00Z"},
                   {"GIT_CONFIG_NOSYSTEM", "1"},
                   {"HOME", dir.string()}};
    proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO(proc::describe(command));
    REQUIRE(result.has_value());
    INFO(result->err);
    REQUIRE(result->status.success());
    std::string out = result->out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
        out.pop_back();
    }
    return out;
}

void init_repository(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    git(dir, {"init", "-q", "-b", "main"});
    commit_file(dir, "README.md", "hello\n", "initial commit");
}

std::string commit_file(const std::filesystem::path& dir, const std::string& file, const std::string& text,
                        const std::string& message) {
    std::filesystem::create_directories((dir / file).parent_path());
    std::ofstream(dir / file, std::ios::binary) << text;
    git(dir, {"add", "--", file});
    git(dir, {"commit", "-q", "-m", message});
    return git(dir, {"rev-parse", "HEAD"});
}

std::filesystem::path service_repository(const std::filesystem::path& dir,
                                         const std::vector<std::pair<std::string, std::string>>& files,
                                         const std::string& message) {
    init_repository(dir);
    for (const auto& [file, text] : files) {
        std::filesystem::create_directories((dir / file).parent_path());
        std::ofstream(dir / file, std::ios::binary) << text;
    }
    git(dir, {"add", "."});
    git(dir, {"commit", "-q", "-m", message});
    return dir;
}

}  // namespace pipeline::testing
