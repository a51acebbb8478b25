#include <pipe/core/output.h>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <cstdio>

using pipeline::color_wanted;
using pipeline::Output;
using pipeline::OutputOptions;

namespace {

std::string read_all(std::FILE* file) {
    std::rewind(file);
    std::string text;
    for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
        text += static_cast<char>(c);
    }
    return text;
}

}  // namespace

TEST_CASE("colour needs a terminal and yields to NO_COLOR, --no-color and TERM=dumb", "[output]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    CHECK_FALSE(color_wanted({}, false, fds[1]));  // a pipe is not a terminal
    ::close(fds[0]);
    ::close(fds[1]);
    int tty = STDERR_FILENO;
    if (isatty(tty) == 1) {
        CHECK(color_wanted({}, false, tty));
    }
    CHECK_FALSE(color_wanted({{"NO_COLOR", ""}}, false, tty));
    CHECK_FALSE(color_wanted({{"NO_COLOR", "1"}}, false, tty));
    CHECK_FALSE(color_wanted({{"TERM", "dumb"}}, false, tty));
    CHECK_FALSE(color_wanted({}, true, tty));
}

TEST_CASE("messages go to stderr, results to stdout, honouring quiet and verbose", "[output]") {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    Output quiet(OutputOptions{false, true, false, false}, out, err);
    quiet.info("progress");
    quiet.detail("detail");
    quiet.warn("careful");
    quiet.error(pipeline::config_error("pipe.yaml:2:1", "unknown key 'x'", "did you mean 'y'?"));
    quiet.line("result");
    CHECK(read_all(out) == "result\n");
    CHECK(read_all(err) ==
          "pipe: warning: careful\npipe: error: pipe.yaml:2:1: unknown key 'x'\n  hint: did you mean 'y'?\n");
    std::fclose(out);
    std::fclose(err);

    out = std::tmpfile();
    err = std::tmpfile();
    Output verbose(OutputOptions{false, false, true, true}, out, err);
    verbose.info("progress");
    verbose.detail("detail");
    CHECK(read_all(err) == "progress\n\x1b[2mdetail\x1b[0m\n");
    std::fclose(out);
    std::fclose(err);
}

TEST_CASE("a closed stdout is noted instead of crashing", "[output]") {
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::close(fds[0]);
    std::FILE* out = fdopen(fds[1], "w");
    std::FILE* err = std::tmpfile();
    Output output(OutputOptions{}, out, err);
    output.line("nobody reads this");
    CHECK(output.stdout_closed());
    output.line("nor this");
    CHECK(read_all(err).empty());
    std::fclose(out);
    std::fclose(err);
}
