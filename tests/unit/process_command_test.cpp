#include <pipe/proc/command.h>
#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using pipeline::Environment;
using pipeline::Secret;
using pipeline::proc::Command;

TEST_CASE("child_environment applies unset, then env, then secrets to the inherited environment", "[process]") {
    const Environment parent{{"A", "1"}, {"B", "2"}, {"C", "3"}};
    Command command;
    command.unset_env = {"B", "C"};
    command.env = {{"C", "from-env"}, {"D", "4"}};
    command.secret_env = {{"D", Secret("from-secret")}};

    CHECK(pipeline::proc::child_environment(command, parent) ==
          Environment{{"A", "1"}, {"C", "from-env"}, {"D", "from-secret"}});

    command.inherit_environment = false;
    CHECK(pipeline::proc::child_environment(command, parent) == Environment{{"C", "from-env"}, {"D", "from-secret"}});
}

TEST_CASE("shell_quote leaves plain words alone and single-quotes everything else", "[process]") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"buildah", "buildah"},
        {"--tag=ghcr.io/acme/app:1.0", "--tag=ghcr.io/acme/app:1.0"},
        {"user@host,x%y+z", "user@host,x%y+z"},
        {"", "''"},
        {"two words", "'two words'"},
        {"it's", "'it'\\''s'"},
        {"$HOME", "'$HOME'"},
        {"*", "'*'"},
        {"~", "'~'"},
        {"a\nb", "'a\nb'"},
    };
    for (const auto& [word, quoted] : cases) {
        INFO(word);
        CHECK(pipeline::proc::shell_quote(word) == quoted);
    }
}

TEST_CASE("describe shows secrets as *** and never their value", "[process]") {
    Command command;
    command.argv = {"cosign", "sign", "--key", "env://COSIGN_KEY", "ghcr.io/acme/app@sha256:abc"};
    command.env["COSIGN_YES"] = "true";
    command.secret_env["COSIGN_PASSWORD"] = Secret("hunter2");
    command.secret_env["COSIGN_KEY"] = Secret("-----BEGIN KEY-----");
    command.stdin_data = "hunter2";

    const std::string line = pipeline::proc::describe(command);
    CHECK(line ==
          "COSIGN_KEY=*** COSIGN_PASSWORD=*** COSIGN_YES=true cosign sign --key env://COSIGN_KEY "
          "ghcr.io/acme/app@sha256:abc  # stdin: provided by pipe");
    CHECK(line.find("hunter2") == std::string::npos);
}

TEST_CASE("describe uses env for unset variables and an empty environment, and cd for cwd", "[process]") {
    Command command;
    command.argv = {"buildah", "build", "--tag", "app:1", "."};
    command.cwd = "/src/my app";
    command.unset_env = {"DOCKER_HOST"};
    command.env["BUILDAH_FORMAT"] = "docker image";
    CHECK(pipeline::proc::describe(command) ==
          "cd '/src/my app' && env -u DOCKER_HOST BUILDAH_FORMAT='docker image' buildah build --tag app:1 .");

    Command isolated;
    isolated.argv = {"trivy", "--version"};
    isolated.inherit_environment = false;
    isolated.env["PATH"] = "/usr/bin";
    CHECK(pipeline::proc::describe(isolated) == "env -i PATH=/usr/bin trivy --version");

    Command odd_name;
    odd_name.argv = {"tool"};
    odd_name.env["not-a-shell-name"] = "x";
    CHECK(pipeline::proc::describe(odd_name) == "env not-a-shell-name=x tool");
}

TEST_CASE("describe output pasted into a shell gives back the same argv and environment", "[process]") {
    const std::vector<std::string> awkward{"plain",
                                           "",
                                           "two words",
                                           "it's",
                                           "$HOME",
                                           "*",
                                           "a\"b",
                                           "back\\slash",
                                           "semi;colon",
                                           "new\nline",
                                           "--flag=value with spaces"};
    Command command;
    command.argv = {"printf", "[%s]"};
    command.argv.insert(command.argv.end(), awkward.begin(), awkward.end());
    command.env["PIPE_DESCRIBE_TEST"] = "it's $not expanded";

    Command shell;
    shell.argv = {"/bin/sh", "-c", pipeline::proc::describe(command) + " && printf '%s' \"$PIPE_DESCRIBE_TEST\""};
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(shell);
    REQUIRE(result.has_value());
    INFO(shell.argv[2]);
    INFO(result->err);

    std::string expected;
    for (const std::string& arg : awkward) {
        expected += "[" + arg + "]";
    }
    CHECK(result->out == expected);
    CHECK(result->status.success());
}
