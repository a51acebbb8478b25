#include <pipe/proc/recording_runner.h>

#include <catch2/catch.hpp>

using pipeline::ErrorKind;
using pipeline::proc::Command;
using pipeline::proc::ExitStatus;
using pipeline::proc::ProcessResult;
using pipeline::proc::RecordingRunner;

namespace {

Command command_for(std::vector<std::string> argv) {
    Command command;
    command.argv = std::move(argv);
    return command;
}

}  // namespace

TEST_CASE("the recording runner answers scripted commands in order and records them", "[process]") {
    RecordingRunner runner;
    runner.expect({"trivy", "--version"}, ProcessResult{ExitStatus(), "Version: 0.50.1\n", "", {}});
    runner.expect({"trivy", "image", "app"}, ProcessResult{ExitStatus::exited(1), "", "vulnerable\n", {}});
    runner.expect({"cosign", "version"}, pipeline::runtime_error("cannot run 'cosign': not found on PATH"));
    REQUIRE(runner.unanswered() == 3);

    Command scan = command_for({"trivy", "image", "app"});
    scan.env["TRIVY_NO_PROGRESS"] = "true";

    auto version = runner.run(command_for({"trivy", "--version"}));
    REQUIRE(version.has_value());
    CHECK(version->out == "Version: 0.50.1\n");
    auto scanned = runner.run(scan);
    REQUIRE(scanned.has_value());
    CHECK(scanned->status == ExitStatus::exited(1));
    auto missing = runner.run(command_for({"cosign", "version"}));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message == "cannot run 'cosign': not found on PATH");

    CHECK(runner.unanswered() == 0);
    REQUIRE(runner.commands().size() == 3);
    CHECK(runner.commands()[1].env.at("TRIVY_NO_PROGRESS") == "true");
}

TEST_CASE("the recording runner fails loudly on an unexpected command", "[process]") {
    RecordingRunner runner;
    runner.expect({"buildah", "push", "app"}, ProcessResult{});

    auto wrong = runner.run(command_for({"buildah", "push", "other"}));
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().kind == ErrorKind::runtime);
    CHECK(wrong.error().message == "fake runner: unexpected command: buildah push other");
    CHECK(wrong.error().hint == "the test expected: buildah push app");

    auto extra = runner.run(command_for({"buildah", "rm", "app"}));
    REQUIRE_FALSE(extra.has_value());
    CHECK(extra.error().message == "fake runner: unexpected command: buildah rm app");
    CHECK(runner.commands().size() == 2);
}
