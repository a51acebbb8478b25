#include <pipe/proc/exit_status.h>

#include <catch2/catch.hpp>

#include <csignal>

using pipeline::proc::ExitStatus;
using namespace std::chrono_literals;

TEST_CASE("an exit code and a terminating signal are different facts", "[process]") {
    const ExitStatus code_137 = ExitStatus::exited(137);
    const ExitStatus killed = ExitStatus::signaled(SIGKILL);

    CHECK(code_137 != killed);
    CHECK(code_137.exit_code() == 137);
    CHECK_FALSE(code_137.signal().has_value());
    CHECK(killed.signal() == SIGKILL);
    CHECK_FALSE(killed.exit_code().has_value());
    CHECK_FALSE(code_137.success());
    CHECK_FALSE(killed.success());
    CHECK(ExitStatus().success());
    CHECK(ExitStatus() == ExitStatus::exited(0));
}

TEST_CASE("a timeout is recorded next to what ended the process and is never success", "[process]") {
    const ExitStatus status = ExitStatus::exited(0).timed_out_after(5s);
    CHECK(status.timed_out());
    CHECK(status.limit() == 5s);
    CHECK(status.exit_code() == 0);
    CHECK_FALSE(status.success());
    CHECK_FALSE(ExitStatus::exited(0).timed_out());
}

TEST_CASE("describe renders how a process ended", "[process]") {
    CHECK(describe(ExitStatus::exited(0)) == "exited with code 0");
    CHECK(describe(ExitStatus::exited(2)) == "exited with code 2");
    CHECK(describe(ExitStatus::signaled(SIGKILL)) == "killed by signal 9 (SIGKILL)");
    CHECK(describe(ExitStatus::signaled(SIGTERM)) == "killed by signal 15 (SIGTERM)");
    CHECK(describe(ExitStatus::signaled(SIGRTMIN + 1)) == "killed by signal " + std::to_string(SIGRTMIN + 1));
    CHECK(describe(ExitStatus::signaled(SIGTERM).timed_out_after(5s)) == "timed out after 5s");
    CHECK(describe(ExitStatus::signaled(SIGKILL).timed_out_after(1500ms)) == "timed out after 1500ms");
}
