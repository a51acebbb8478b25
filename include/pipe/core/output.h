// Where pipe's words go: results to stdout (plain lines, or exactly one JSON document with
// --json), everything meant for people to stderr, coloured only on a terminal without NO_COLOR.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/error.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string_view>

namespace pipeline {

// The user's choices that shape output.
struct OutputOptions {
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    bool color = false;
};

// True when colour should be used on stderr: a terminal, no NO_COLOR, no --no-color, TERM != dumb.
bool color_wanted(const Environment& env, bool no_color_flag, int stderr_fd);

// Writes results and messages; a closed stdout (pipe into `head`) is noted, never a crash.
class Output {
public:
    explicit Output(OutputOptions options, std::FILE* out = stdout, std::FILE* err = stderr);

    const OutputOptions& options() const { return m_options; }

    // A progress or status line for people (stderr); silenced by --quiet.
    void info(std::string_view text) const;
    // A detail shown only with --verbose (stderr).
    void detail(std::string_view text) const;
    // `pipe: warning: ...` on stderr; shown even with --quiet.
    void warn(std::string_view text) const;
    // `pipe: error: <where>: <message>` and an indented hint line, on stderr.
    void error(const Error& error) const;

    // A line of a child's own output passed through unchanged to stderr (the test runner's), shown
    // even with --quiet, since that output is what the user ran the command for.
    void relay(std::string_view text) const;

    // One result line on stdout (human mode).
    void line(std::string_view text);
    // The single JSON document of --json mode, on stdout.
    void document(const nlohmann::json& doc);

    // True once a write to stdout failed because the reader went away (EPIPE).
    bool stdout_closed() const { return m_stdout_closed; }

private:
    void write_out(std::string_view text);
    std::string paint(std::string_view text, std::string_view ansi) const;

    OutputOptions m_options;
    std::FILE* m_out;
    std::FILE* m_err;
    bool m_stdout_closed = false;
};

}  // namespace pipeline
