// Ctrl-C handling for the whole program. The signal handler only records the signal and wakes
// the runner through a self-pipe; the runner forwards the signal to the child's process group,
// waits briefly (then SIGKILL), and returns interrupted_error(signal). That error unwinds to
// main() like any other, so RAII cleans up temporary files and directories on the way; main()
// then calls reraise_interrupt() so the parent shell sees death by the signal (exit status 130
// for SIGINT) instead of an ordinary exit code. A second signal a second or more after the first
// kills pipe at once, for the rare wait no cleanup can cut short (a server that accepted a
// connection and went silent); copies of one Ctrl-C sent together do not.
#pragma once

#include <pipe/core/result.h>

namespace pipeline::proc {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (leaving a signal pipe started with
// ignored, e.g. SIGHUP under nohup, ignored). Call once at the start of main(); repeating is harmless.
Result<void> install_interrupt_handlers();

// The first interrupting signal received, or 0 when none; it stays set, since pipe is exiting.
int pending_interrupt();

// The read end of the self-pipe, readable once an interrupt is pending; a poll() loop watches
// it to wake up. -1 before install_interrupt_handlers().
int interrupt_wakeup_fd();

// For main(), after cleanup: restores the default action for signal and raises it, so the
// process dies by that signal. Returns only if it did not (main then exits with 128 + signal).
void reraise_interrupt(int signal);

}  // namespace pipeline::proc
