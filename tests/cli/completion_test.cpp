// Shell completions driven by real bash and fish (and a zsh syntax check), all answered by
// `pipe __complete` from the command table; plus the man page documenting every command.
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using pipeline::testing::pipe_binary;
using pipeline::testing::TempDir;

namespace {

const std::string k_source = PIPE_SOURCE_DIR;

pipeline::proc::ProcessResult run_shell(const std::vector<std::string>& argv, const std::filesystem::path& cwd) {
    pipeline::proc::Command command;
    command.argv = argv;
    command.cwd = cwd;
    std::string bin_dir = std::filesystem::path(pipe_binary()).parent_path().string();
    const char* path = std::getenv("PATH");
    command.env = {{"PATH", bin_dir + ":" + (path != nullptr ? path : "/usr/bin:/bin")}, {"HOME", cwd.string()}};
    command.timeout = std::chrono::seconds(30);
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO("install the shell (apt-get install bash zsh fish) if it is missing");
    REQUIRE(result.has_value());
    return *result;
}

std::string bash_complete(const std::string& line, const std::filesystem::path& cwd) {
    std::string script = "source '" + k_source + "/completions/pipe.bash'; COMP_LINE='" + line +
                         "'; read -ra COMP_WORDS <<<\"$COMP_LINE\"; [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('');"
                         " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pipe; printf '%s\\n' \"${COMPREPLY[@]}\"";
    auto result = run_shell({"bash", "-c", script}, cwd);
    INFO(result.err);
    CHECK(result.status.success());
    return result.out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(line);
        }
    }
    return out;
}

// The long flags a `--help` text lists in its option rows.
std::set<std::string> help_flags(const std::string& help) {
    static const std::regex k_flag(R"((?:^|[ ,])(--[a-z][a-z0-9-]+))");
    std::set<std::string> flags;
    for (const std::string& line : lines(help)) {
        if (line.rfind("  -", 0) != 0) {
            continue;
        }
        const std::string row = line.substr(0, line.find("  ", 2));
        for (auto it = std::sregex_iterator(row.begin(), row.end(), k_flag); it != std::sregex_iterator(); ++it) {
            flags.insert((*it)[1].str());
        }
    }
    return flags;
}

std::string read_source(const std::string& path) {
    std::ifstream in(k_source + "/" + path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("bash completes commands, options and option values", "[cli][completion]") {
    TempDir dir;
    CHECK(bash_complete("pipe ta", dir.path()) == "tags\n");
    CHECK(bash_complete("pipe ", dir.path()) ==
          "test\ntags\nbuild\nscan\npush\nsign\nverify\nbump\nrun\ncompletion\ninit\ndoctor\nversion\n");
    CHECK(bash_complete("pipe bu", dir.path()) == "build\nbump\n");
    CHECK(bash_complete("pipe te", dir.path()) == "test\n");
    CHECK(bash_complete("pipe test --cov", dir.path()) == "--coverage\n");
    std::string options = bash_complete("pipe tags --re", dir.path());
    CHECK(options == "--refs\n");
    CHECK(bash_complete("pipe push --ins", dir.path()) == "--insecure-registry\n");
    CHECK(bash_complete("pipe build --skip", dir.path()) == "--skip-unchanged\n");
    CHECK_THAT(bash_complete("pipe tags --", dir.path()), Catch::Contains("--image") && Catch::Contains("--json"));
    std::filesystem::create_directories(dir.path() / "subdir");
    dir.write("file.txt", "");
    CHECK(bash_complete("pipe -C su", dir.path()) == "subdir\n");
    CHECK(bash_complete("pipe --config fi", dir.path()) == "file.txt\n");
}

TEST_CASE("completion of --service offers the service names of pipe.yaml", "[cli][completion]") {
    TempDir dir;
    pipeline::proc::Command init;
    init.argv = {"git", "init", "-q", dir.path().string()};
    pipeline::proc::SystemRunner runner;
    REQUIRE(runner.run(init)->status.success());
    dir.write("pipe.yaml", "services:\n  api: {}\n  web: {}\n  worker: {}\n");
    CHECK(bash_complete("pipe --service w", dir.path()) == "web\nworker\n");
}

TEST_CASE("fish completes from the same table - zsh's script parses", "[cli][completion]") {
    TempDir dir;
    std::string fish =
        "source '" + k_source + "/completions/pipe.fish'; complete -C 'pipe ta'; complete -C 'pipe tags --re'";
    auto result = run_shell({"fish", "-c", fish}, dir.path());
    INFO(result.err);
    CHECK(result.status.success());
    CHECK(lines(result.out) == std::vector<std::string>{"tags", "--refs"});
    auto zsh = run_shell({"zsh", "-n", k_source + "/completions/_pipe"}, dir.path());
    CHECK(zsh.status.success());
}

TEST_CASE("the man page documents every command and the exit codes", "[cli][man]") {
    TempDir dir;
    auto commands = run_shell({pipe_binary(), "__complete", ""}, dir.path());
    REQUIRE(commands.status.success());
    const std::string man = read_source("man/pipe.1");
    for (const std::string& name : lines(commands.out)) {
        INFO(name);
        CHECK_THAT(man, Catch::Contains(".SS \"pipe " + name));
        auto help = run_shell({pipe_binary(), name, "--help"}, dir.path());
        for (const std::string& flag : help_flags(help.out)) {
            INFO(flag);
            // roff writes a hyphen as \-.
            CHECK_THAT(man, Catch::Contains(std::regex_replace(flag, std::regex("-"), "\\-")));
        }
    }
    CHECK_THAT(man, Catch::Contains(".SH EXIT STATUS"));
    auto groff = run_shell({"groff", "-man", "-Tutf8", "-ww", "-z", k_source + "/man/pipe.1"}, dir.path());
    CHECK(groff.err.empty());
    CHECK(groff.status.success());
}

TEST_CASE("completion offers every command and every flag its --help lists", "[cli][completion]") {
    TempDir dir;
    auto commands = run_shell({pipe_binary(), "__complete", ""}, dir.path());
    REQUIRE(commands.status.success());
    auto top_help = run_shell({pipe_binary(), "--help"}, dir.path());
    for (const std::string& name : lines(commands.out)) {
        INFO(name);
        CHECK_THAT(top_help.out, Catch::Contains("  " + name));
        auto help = run_shell({pipe_binary(), name, "--help"}, dir.path());
        REQUIRE(help.status.success());
        const std::set<std::string> flags = help_flags(help.out);
        CHECK_FALSE(flags.empty());
        auto offered = run_shell({pipe_binary(), "__complete", name, "--"}, dir.path());
        const std::vector<std::string> candidates = lines(offered.out);
        for (const std::string& flag : flags) {
            INFO(flag);
            CHECK(std::find(candidates.begin(), candidates.end(), flag) != candidates.end());
        }
    }
}

TEST_CASE("pipe completion prints the scripts in completions/, byte for byte", "[cli][completion]") {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> shells{
        {"bash", "completions/pipe.bash"}, {"zsh", "completions/_pipe"}, {"fish", "completions/pipe.fish"}};
    for (const auto& [shell, file] : shells) {
        INFO(shell);
        auto printed = run_shell({pipe_binary(), "completion", shell}, dir.path());
        CHECK(printed.status.success());
        CHECK(printed.out == read_source(file));
    }
    auto unknown = run_shell({pipe_binary(), "completion", "tcsh"}, dir.path());
    CHECK(unknown.status.exit_code() == 2);
    // The printed script works when sourced, as the examples say.
    auto sourced = run_shell({"bash", "-c",
                              "source <(pipe completion bash); COMP_WORDS=(pipe ver); COMP_CWORD=1; _pipe; "
                              "printf '%s\\n' \"${COMPREPLY[@]}\""},
                             dir.path());
    CHECK(sourced.out == "verify\nversion\n");
}
