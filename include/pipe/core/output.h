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
    bool live = false;  // stderr is a terminal outside CI: status() rewrites one line in place
};

// True when colour should be used on stderr: a terminal, no NO_COLOR, no --no-color, TERM != dumb.
bool color_wanted(const Environment& env, bool no_color_flag, int stderr_fd);

// True when a status line may rewrite itself on stderr: a terminal, TERM != dumb, and not in CI
// (CI or GITHUB_ACTIONS set), where logs keep every line instead.
bool live_status_wanted(const Environment& env, int stderr_fd);

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
    // With options().live, replaces the one status line at the bottom of stderr with text (cut to
    // the terminal's width); any other message clears it first. Without live, does nothing.
    void status(std::string_view text) const;
    // Removes the status line, if one is shown.
    void clear_status() const;

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
    mutable bool m_status_shown = false;
};

}  // namespace pipeline
