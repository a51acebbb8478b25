#include <pipe/proc/interrupt.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <string>
#include <system_error>

namespace pipeline::proc {
namespace {

constexpr std::array k_interrupt_signals{SIGINT, SIGTERM, SIGHUP};

// Lock-free atomics are async-signal-safe; the handler touches nothing else but write().
std::atomic<int> g_pending{0};
std::atomic<int> g_wakeup_read{-1};
std::atomic<int> g_wakeup_write{-1};
static_assert(std::atomic<int>::is_always_lock_free);

// Nanoseconds of CLOCK_MONOTONIC, async-signal-safe.
std::int64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// A second signal at least this long after the first ends pipe at once. Copies of one Ctrl-C
// (timeout(1) and some CI runners signal both the process and its group) arrive together.
constexpr std::int64_t k_force_after_ns = 1000000000;
std::atomic<std::int64_t> g_first_at{0};
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

// The first signal is recorded for an orderly stop. A later one means the user will not wait
// (a peer that never answers keeps a restarted read blocked): die by it at once.
void on_interrupt(int signal) {
    const int saved_errno = errno;
    int none = 0;
    if (g_pending.compare_exchange_strong(none, signal)) {
        g_first_at.store(monotonic_ns());
    } else if (monotonic_ns() - g_first_at.load() >= k_force_after_ns) {
        struct sigaction action {};
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        sigaction(signal, &action, nullptr);
        raise(signal);
    }
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_wakeup_write.load(), &byte, 1);
    errno = saved_errno;
}

}  // namespace

Result<void> install_interrupt_handlers() {
    if (g_wakeup_read.load() < 0) {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
            return runtime_error("cannot create the interrupt pipe: " + std::generic_category().message(errno));
        }
        g_wakeup_write.store(fds[1]);
        g_wakeup_read.store(fds[0]);
    }

    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int signal : k_interrupt_signals) {
        sigaddset(&action.sa_mask, signal);
    }
    for (int signal : k_interrupt_signals) {
        struct sigaction previous {};
        if (sigaction(signal, nullptr, &previous) != 0) {
            return runtime_error("cannot query the action for signal " + std::to_string(signal) + ": " +
                                 std::generic_category().message(errno));
        }
        if (previous.sa_handler == SIG_IGN) {
            continue;
        }
        if (sigaction(signal, &action, nullptr) != 0) {
            return runtime_error("cannot install a handler for signal " + std::to_string(signal) + ": " +
                                 std::generic_category().message(errno));
        }
    }
    return {};
}

int pending_interrupt() {
    return g_pending.load();
}

int interrupt_wakeup_fd() {
    return g_wakeup_read.load();
}

void reraise_interrupt(int signal) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, signal);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    raise(signal);
}

}  // namespace pipeline::proc
