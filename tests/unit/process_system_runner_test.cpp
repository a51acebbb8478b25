#include <pipe/proc/interrupt.h>
#include <pipe/proc/system_runner.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

using pipeline::ErrorKind;
using pipeline::Secret;
using pipeline::proc::Command;
using pipeline::proc::ExitStatus;
using pipeline::proc::Stream;
using pipeline::proc::SystemRunner;
using pipeline::testing::read_file;
using pipeline::testing::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Command shell(const std::string& script) {
    Command command;
    command.argv = {"/bin/sh", "-c", script};
    return command;
}

// The pid a script wrote to a file, or 0 when it has not written a whole line yet.
pid_t read_pid(const fs::path& path) {
    const std::string text = read_file(path);
    if (text.empty() || text.back() != '\n') {
        return 0;
    }
    return static_cast<pid_t>(std::stol(text));
}

// True once pid names no running process. A zombie counts as gone: in a container without an
// init, an orphaned grandchild may never be reaped.
bool process_gone(pid_t pid) {
    if (::kill(pid, 0) != 0) {
        return errno == ESRCH;
    }
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const std::size_t name_end = stat.rfind(')');
    return name_end != std::string::npos && name_end + 2 < stat.size() && stat[name_end + 2] == 'Z';
}

bool wait_until_gone(pid_t pid, std::chrono::milliseconds limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!process_gone(pid)) {
        if (std::chrono::steady_clock::now() > give_up) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace

TEST_CASE("an exit code and a death by signal are reported apart, and neither is an error", "[process]") {
    SystemRunner runner;

    auto exited = runner.run(shell("echo partial; exit 3"));
    REQUIRE(exited.has_value());
    CHECK(exited->status == ExitStatus::exited(3));
    CHECK(exited->out == "partial\n");

    auto killed = runner.run(shell("kill -9 $$"));
    REQUIRE(killed.has_value());
    CHECK(killed->status == ExitStatus::signaled(SIGKILL));
    CHECK(describe(killed->status) == "killed by signal 9 (SIGKILL)");

    auto code_137 = runner.run(shell("exit 137"));
    REQUIRE(code_137.has_value());
    CHECK(code_137->status == ExitStatus::exited(137));
}

TEST_CASE("stdout and stderr are captured apart", "[process]") {
    SystemRunner runner;
    auto result = runner.run(shell("echo to-out; echo to-err >&2; printf no-newline"));
    REQUIRE(result.has_value());
    CHECK(result->out == "to-out\nno-newline");
    CHECK(result->err == "to-err\n");
    CHECK(result->status.success());
}

TEST_CASE("20 MB on stdout and stderr at the same time never deadlock", "[process]") {
    SystemRunner runner;
    auto result = runner.run(shell("head -c 20000000 /dev/zero & head -c 20000000 /dev/zero >&2; wait"));
    REQUIRE(result.has_value());
    CHECK(result->status.success());
    CHECK(result->out.size() == 20'000'000);
    CHECK(result->err.size() == 20'000'000);
}

TEST_CASE("stdin data round-trips through cat, even when larger than a pipe buffer", "[process]") {
    SystemRunner runner;
    Command cat;
    cat.argv = {"cat"};

    cat.stdin_data = "hello\nworld";
    auto small = runner.run(cat);
    REQUIRE(small.has_value());
    CHECK(small->out == "hello\nworld");

    std::string big(std::size_t{8} * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>('a' + i % 26);
    }
    cat.stdin_data = big;
    auto large = runner.run(cat);
    REQUIRE(large.has_value());
    CHECK(large->out == big);

    cat.stdin_data = "";
    auto empty = runner.run(cat);
    REQUIRE(empty.has_value());
    CHECK(empty->out.empty());
    CHECK(empty->status.success());
}

TEST_CASE("stdin is /dev/null unless data is given", "[process]") {
    SystemRunner runner;
    auto result = runner.run(shell("readlink /proc/self/fd/0; cat"));
    REQUIRE(result.has_value());
    CHECK(result->out == "/dev/null\n");
}

TEST_CASE("a child that exits without reading its stdin does not kill pipe with SIGPIPE", "[process]") {
    SystemRunner runner;
    Command command = shell("exit 4");
    command.stdin_data = std::string(std::size_t{4} * 1024 * 1024, 'x');
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(result->status == ExitStatus::exited(4));
}

TEST_CASE("a timeout kills the whole process group, grandchildren included", "[process]") {
    TempDir dir;
    const fs::path pid_file = dir.path() / "background.pid";
    SystemRunner runner;
    Command command = shell("sleep 100 & echo $! > \"$1\"; sleep 100");
    command.argv.insert(command.argv.end(), {"sh", pid_file.string()});
    command.timeout = 500ms;

    const auto start = std::chrono::steady_clock::now();
    auto result = runner.run(command);
    const auto took = elapsed_since(start);

    REQUIRE(result.has_value());
    CHECK(took < 5s);
    CHECK(result->status.timed_out());
    CHECK(result->status.signal() == SIGTERM);
    CHECK(describe(result->status) == "timed out after 500ms");
    const pid_t grandchild = read_pid(pid_file);
    REQUIRE(grandchild > 0);
    CHECK(wait_until_gone(grandchild, 2s));
}

TEST_CASE("a child that ignores SIGTERM gets SIGKILL after the grace period", "[process]") {
    SystemRunner runner(300ms);
    Command command = shell("trap '' TERM; sleep 100");
    command.timeout = 200ms;

    const auto start = std::chrono::steady_clock::now();
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(elapsed_since(start) < 5s);
    CHECK(result->status == ExitStatus::signaled(SIGKILL).timed_out_after(200ms));
}

TEST_CASE("a child that closes its output is still waited for, within its timeout", "[process]") {
    SystemRunner runner;
    auto waited = runner.run(shell("echo bye; exec >&- 2>&-; sleep 1; exit 5"));
    REQUIRE(waited.has_value());
    CHECK(waited->out == "bye\n");
    CHECK(waited->status == ExitStatus::exited(5));
    CHECK(waited->duration >= 900ms);

    Command stuck = shell("exec >&- 2>&-; sleep 100");
    stuck.timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    auto killed = runner.run(stuck);
    REQUIRE(killed.has_value());
    CHECK(elapsed_since(start) < 5s);
    CHECK(killed->status == ExitStatus::signaled(SIGTERM).timed_out_after(300ms));
}

TEST_CASE("the environment overlay sets and unsets variables on top of pipe's own", "[process]") {
    REQUIRE(::setenv("PIPE_PROCESS_TEST_INHERITED", "from-parent", 1) == 0);
    SystemRunner runner;
    Command command = shell(
        "printf '%s|%s|%s' \"${PIPE_PROCESS_TEST_INHERITED-unset}\" \"$PIPE_PROCESS_TEST_SET\" "
        "\"$PIPE_PROCESS_TEST_SECRET\"");
    command.env["PIPE_PROCESS_TEST_SET"] = "set";
    command.secret_env["PIPE_PROCESS_TEST_SECRET"] = Secret("s3cret");

    auto inherited = runner.run(command);
    REQUIRE(inherited.has_value());
    CHECK(inherited->out == "from-parent|set|s3cret");

    command.unset_env = {"PIPE_PROCESS_TEST_INHERITED"};
    auto unset = runner.run(command);
    REQUIRE(unset.has_value());
    CHECK(unset->out == "unset|set|s3cret");
    ::unsetenv("PIPE_PROCESS_TEST_INHERITED");
}

TEST_CASE("without inheritance the child sees only the overlay and PATH has a default", "[process]") {
    SystemRunner runner;
    Command command;
    command.argv = {"env"};
    command.inherit_environment = false;
    command.env["ONLY"] = "this";
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(result->out == "ONLY=this\n");
}

TEST_CASE("the executable is looked up on the child's PATH", "[process]") {
    TempDir dir;
    const fs::path tool = dir.write("bin/pipe-test-tool", "#!/bin/sh\necho \"tool ran with $1\"\n");
    fs::permissions(tool, fs::perms::owner_all);
    SystemRunner runner;
    Command command;
    command.argv = {"pipe-test-tool", "an argument"};
    command.env["PATH"] = (dir.path() / "bin").string() + ":/usr/bin:/bin";
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(result->out == "tool ran with an argument\n");
}

TEST_CASE("a missing executable is an error naming the program, with a hint", "[process]") {
    SystemRunner runner;
    Command command;
    command.argv = {"pipe-test-no-such-tool", "--version"};
    auto result = runner.run(command);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::runtime);
    CHECK(result.error().message == "cannot run 'pipe-test-no-such-tool': not found on PATH");
    CHECK(result.error().hint == "is it installed and on PATH?");

    TempDir dir;
    const fs::path not_executable = dir.write("plain.txt", "text\n");
    command.argv = {not_executable.string()};
    auto plain = runner.run(command);
    REQUIRE_FALSE(plain.has_value());
    CHECK(plain.error().message == "cannot run '" + not_executable.string() + "': not an executable file");

    command.argv = {};
    auto empty = runner.run(command);
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().kind == ErrorKind::runtime);
}

TEST_CASE("the child runs in the given working directory", "[process]") {
    TempDir dir;
    SystemRunner runner;
    Command command = shell("pwd -P");
    command.cwd = dir.path();
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(result->out == fs::canonical(dir.path()).string() + "\n");

    command.cwd = dir.path() / "missing";
    auto missing = runner.run(command);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message.find("working directory") != std::string::npos);
}

TEST_CASE("the sink receives each stream's lines in order, redacted, as well as the capture", "[process]") {
    SystemRunner runner;
    Command command = shell(
        "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; echo \"token $TOKEN\"; "
        "printf tail");
    command.secret_env["TOKEN"] = Secret("hunter2");
    std::vector<std::string> out_lines;
    std::vector<std::string> err_lines;
    command.sink = [&](Stream stream, std::string_view line) {
        (stream == Stream::out ? out_lines : err_lines).emplace_back(line);
    };

    auto result = runner.run(command);
    REQUIRE(result.has_value());
    CHECK(out_lines == std::vector<std::string>{"out1", "out2", "out3", "out4", "out5", "token ***", "tail"});
    CHECK(err_lines == std::vector<std::string>{"err1", "err2", "err3", "err4", "err5"});
    CHECK(result->out == "out1\nout2\nout3\nout4\nout5\ntoken hunter2\ntail");
}

TEST_CASE("the sink sees a line while the child is still running", "[process]") {
    SystemRunner runner;
    Command command = shell("echo first; sleep 2; echo second");
    std::vector<std::chrono::milliseconds> arrivals;
    const auto start = std::chrono::steady_clock::now();
    command.sink = [&](Stream, std::string_view) { arrivals.push_back(elapsed_since(start)); };

    auto result = runner.run(command);
    REQUIRE(result.has_value());
    REQUIRE(arrivals.size() == 2);
    CHECK(arrivals[1] - arrivals[0] >= 1500ms);
}

// Runs in a separate unit_tests process started by the next test, because installing the
// handlers and receiving SIGINT changes process-wide state for good.
TEST_CASE("interrupt child process", "[.][process-interrupt-child]") {
    const char* dir = std::getenv("PIPE_INTERRUPT_TEST_DIR");
    REQUIRE(dir != nullptr);
    const fs::path pid_file = fs::path(dir) / "sleep.pid";
    REQUIRE(pipeline::proc::install_interrupt_handlers().has_value());

    std::thread interrupter([&] {
        for (int tries = 0; tries < 1000 && read_pid(pid_file) == 0; ++tries) {
            std::this_thread::sleep_for(10ms);
        }
        ::kill(::getpid(), SIGINT);
    });
    SystemRunner runner(10s);  // longer than the parent's limit: only forwarding stops sleep in time
    Command command = shell("echo $$ > \"$1\" && exec sleep 30");
    command.argv.insert(command.argv.end(), {"sh", pid_file.string()});
    const auto start = std::chrono::steady_clock::now();
    auto result = runner.run(command);
    const auto took = elapsed_since(start);
    interrupter.join();

    const bool interrupted = !result.has_value() && result.error().kind == ErrorKind::interrupted;
    std::ofstream(fs::path(dir) / "report") << (interrupted ? "interrupted" : "not-interrupted") << ' '
                                            << (interrupted ? result.error().signal : 0) << ' ' << took.count() << '\n';
    REQUIRE(interrupted);
    pipeline::proc::reraise_interrupt(result.error().signal);
}

TEST_CASE("an interrupt stops the child's process group, returns interrupted, then re-raises", "[process]") {
    TempDir dir;
    SystemRunner runner;
    Command command;
    command.argv = {fs::read_symlink("/proc/self/exe").string(), "[process-interrupt-child]"};
    command.env["PIPE_INTERRUPT_TEST_DIR"] = dir.path().string();
    command.timeout = 60s;

    auto result = runner.run(command);
    REQUIRE(result.has_value());
    INFO(result->out);
    INFO(result->err);
    CHECK(result->status == ExitStatus::signaled(SIGINT));

    std::istringstream report(read_file(dir.path() / "report"));
    std::string outcome;
    int signal = 0;
    long took_ms = 0;
    report >> outcome >> signal >> took_ms;
    CHECK(outcome == "interrupted");
    CHECK(signal == SIGINT);
    CHECK(took_ms < 5000);
    const pid_t sleeper = read_pid(dir.path() / "sleep.pid");
    REQUIRE(sleeper > 0);
    CHECK(wait_until_gone(sleeper, 2s));
}
