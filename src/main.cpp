// pipe's entry point: sets up signals, runs the CLI, and is the only place that ends the
// process (re-raising SIGINT/SIGTERM after cleanup so the shell sees a death by signal).
#include "cli/app.h"

#include <pipe/proc/interrupt.h>

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    if (!pipeline::proc::install_interrupt_handlers()) {
        std::fputs("pipe: warning: cannot install signal handlers; Ctrl-C will not clean up\n", stderr);
    }
    pipeline::cli::Outcome outcome;
    try {
        outcome = pipeline::cli::run(argc, argv, pipeline::current_environment());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pipe: error: internal error: %s\n", e.what());
        return 3;
    }
    int signal = outcome.reraise_signal != 0 ? outcome.reraise_signal : pipeline::proc::pending_interrupt();
    if (signal != 0) {
        pipeline::proc::reraise_interrupt(signal);
        return 128 + signal;
    }
    return outcome.exit_code;
}
