#include <pipe/proc/exit_status.h>

#include <fmt/format.h>

#include <csignal>
#include <string_view>
#include <utility>

namespace pipeline::proc {
namespace {

// Names of the signals a tool is realistically killed by; others are shown by number only.
constexpr std::pair<int, std::string_view> k_signal_names[] = {
    {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
};

std::string format_duration(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return fmt::format("{}s", duration.count() / 1000);
    }
    return fmt::format("{}ms", duration.count());
}

}  // namespace

ExitStatus ExitStatus::exited(int code) {
    ExitStatus status;
    status.m_code = code;
    return status;
}

ExitStatus ExitStatus::signaled(int signal) {
    ExitStatus status;
    status.m_signal = signal;
    return status;
}

ExitStatus ExitStatus::timed_out_after(std::chrono::milliseconds limit) const {
    ExitStatus status = *this;
    status.m_timed_out = true;
    status.m_limit = limit;
    return status;
}

bool ExitStatus::success() const {
    return !m_timed_out && m_signal == 0 && m_code == 0;
}

std::optional<int> ExitStatus::exit_code() const {
    if (m_signal != 0) {
        return std::nullopt;
    }
    return m_code;
}

std::optional<int> ExitStatus::signal() const {
    if (m_signal == 0) {
        return std::nullopt;
    }
    return m_signal;
}

std::string describe(const ExitStatus& status) {
    if (status.timed_out()) {
        return "timed out after " + format_duration(status.limit());
    }
    if (std::optional<int> code = status.exit_code()) {
        return fmt::format("exited with code {}", *code);
    }
    const int signal = *status.signal();
    for (const auto& [number, name] : k_signal_names) {
        if (number == signal) {
            return fmt::format("killed by signal {} ({})", signal, name);
        }
    }
    return fmt::format("killed by signal {}", signal);
}

}  // namespace pipeline::proc
