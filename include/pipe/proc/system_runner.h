// SystemRunner: the one place pipe starts real processes (posix_spawn with a real argv, never a
// shell). Each child gets its own process group so a timeout or an interrupt stops the whole tree.
#pragma once

#include <pipe/proc/runner.h>

#include <chrono>

namespace pipeline::proc {

// How long a child may take to exit after SIGTERM (timeout) or a forwarded interrupt before the
// runner sends SIGKILL to its process group.
inline constexpr std::chrono::milliseconds k_default_kill_grace{3000};

// Runs commands as child processes. stdin is /dev/null or a pipe fed with Command::stdin_data;
// stdout and stderr are separate pipes drained together with poll(), so tens of megabytes on
// both never deadlock. The executable is resolved on the child's PATH before anything is
// started, so a missing tool is a clear error. Call install_interrupt_handlers() at startup:
// without it, Ctrl-C kills pipe but not the child's process group.
class SystemRunner final : public Runner {
public:
    // kill_grace: the wait between SIGTERM (or a forwarded interrupt) and SIGKILL.
    explicit SystemRunner(std::chrono::milliseconds kill_grace = k_default_kill_grace) : m_kill_grace(kill_grace) {}

    // Starts the command, feeds stdin, captures (and streams) output, and reaps the child.
    Result<ProcessResult> run(const Command& command) override;

private:
    std::chrono::milliseconds m_kill_grace;
};

}  // namespace pipeline::proc
