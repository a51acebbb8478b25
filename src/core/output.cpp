#include <pipe/core/output.h>

#include <fmt/format.h>

#include <algorithm>

#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>

namespace pipeline {

bool color_wanted(const Environment& env, bool no_color_flag, int stderr_fd) {
    if (no_color_flag || lookup(env, "NO_COLOR").has_value()) {
        return false;
    }
    if (value_or(env, "TERM", "") == "dumb") {
        return false;
    }
    return isatty(stderr_fd) == 1;
}

bool live_status_wanted(const Environment& env, int stderr_fd) {
    if (lookup(env, "CI").has_value() || lookup(env, "GITHUB_ACTIONS").has_value()) {
        return false;
    }
    return value_or(env, "TERM", "") != "dumb" && isatty(stderr_fd) == 1;
}

Output::Output(OutputOptions options, std::FILE* out, std::FILE* err) : m_options(options), m_out(out), m_err(err) {}

std::string Output::paint(std::string_view text, std::string_view ansi) const {
    if (!m_options.color) {
        return std::string(text);
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", ansi, text);
}

void Output::status(std::string_view text) const {
    if (!m_options.live || m_options.quiet) {
        return;
    }
    winsize size{};
    const std::size_t width =
        ioctl(fileno(m_err), TIOCGWINSZ, &size) == 0 && size.ws_col > 1 ? size.ws_col - 1U : std::size_t{79};
    std::size_t cut = std::min(text.size(), width);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
        --cut;  // never split a UTF-8 sequence
    }
    fmt::print(m_err, "\r\x1b[K{}", text.substr(0, cut));
    std::fflush(m_err);
    m_status_shown = true;
}

void Output::clear_status() const {
    if (m_status_shown) {
        fmt::print(m_err, "\r\x1b[K");
        m_status_shown = false;
    }
}

void Output::info(std::string_view text) const {
    if (m_options.quiet) {
        return;
    }
    clear_status();
    fmt::print(m_err, "{}\n", text);
}

void Output::detail(std::string_view text) const {
    if (!m_options.verbose) {
        return;
    }
    clear_status();
    fmt::print(m_err, "{}\n", paint(text, "2"));
}

void Output::warn(std::string_view text) const {
    clear_status();
    fmt::print(m_err, "{} {}\n", paint("pipe: warning:", "33;1"), text);
}

void Output::error(const Error& error) const {
    clear_status();
    fmt::print(m_err, "{} {}\n", paint("pipe: error:", "31;1"), describe(error));
    if (!error.hint.empty()) {
        fmt::print(m_err, "  {} {}\n", paint("hint:", "36"), error.hint);
    }
}

void Output::relay(std::string_view text) const {
    clear_status();
    fmt::print(m_err, "{}\n", text);
    std::fflush(m_err);
}

void Output::write_out(std::string_view text) {
    if (m_stdout_closed) {
        return;
    }
    clear_status();
    if (std::fwrite(text.data(), 1, text.size(), m_out) != text.size() || std::fflush(m_out) != 0) {
        if (errno == EPIPE) {
            m_stdout_closed = true;
        }
    }
}

void Output::line(std::string_view text) {
    write_out(fmt::format("{}\n", text));
}

void Output::document(const nlohmann::json& doc) {
    write_out(doc.dump(2) + "\n");
}

}  // namespace pipeline
