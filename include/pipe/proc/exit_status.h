// ExitStatus: how a child process ended. An exit code and a terminating signal are different
// facts (a tool that exits 137 is not one killed by SIGKILL), so they are kept apart, and a
// timeout is recorded next to whatever actually ended the process.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace pipeline::proc {

// The end of one process: exited with a code or killed by a signal, possibly by our timeout.
class ExitStatus {
public:
    // A process that exited with code 0.
    ExitStatus() = default;

    // A process that called exit(code).
    static ExitStatus exited(int code);

    // A process ended by a signal it did not handle.
    static ExitStatus signaled(int signal);

    // The same status, marked as the outcome of our kill after the given time limit.
    ExitStatus timed_out_after(std::chrono::milliseconds limit) const;

    // True for exit code 0 without a timeout: the only outcome a caller treats as success.
    bool success() const;

    // The exit code, or nullopt when a signal ended the process.
    std::optional<int> exit_code() const;

    // The terminating signal, or nullopt when the process exited.
    std::optional<int> signal() const;

    // Whether the runner killed the process because its timeout expired.
    bool timed_out() const { return m_timed_out; }

    // The time limit that expired (zero unless timed_out()).
    std::chrono::milliseconds limit() const { return m_limit; }

    friend bool operator==(const ExitStatus&, const ExitStatus&) = default;

private:
    int m_code = 0;
    int m_signal = 0;
    bool m_timed_out = false;
    std::chrono::milliseconds m_limit{0};
};

// "exited with code 2", "killed by signal 9 (SIGKILL)" or "timed out after 5s", for messages.
std::string describe(const ExitStatus& status);

}  // namespace pipeline::proc
