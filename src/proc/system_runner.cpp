// The only file in pipe that calls posix_spawn and waitpid.
#include <pipe/proc/system_runner.h>

#include <pipe/core/environment.h>
#include <pipe/proc/interrupt.h>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace pipeline::proc {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t k_io_chunk = std::size_t{64} * 1024;
// How long the pipes may stay open after SIGKILL (held by a process that left the group) before
// the runner stops reading them.
constexpr milliseconds k_abandon_after_kill{1000};
// How often to check for the child's exit once it has closed its output but not yet exited.
constexpr milliseconds k_exit_check_interval{10};
// The search path when the child's environment has no PATH, as glibc's execvp assumes.
constexpr std::string_view k_default_path = "/bin:/usr/bin";

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

// Owns one file descriptor and closes it exactly once.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return m_fd; }
    bool is_open() const { return m_fd >= 0; }
    void reset() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

private:
    int m_fd = -1;
};

// Both ends of a close-on-exec pipe.
struct PipeEnds {
    Fd read;
    Fd write;
};

Result<PipeEnds> make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        return runtime_error("cannot create a pipe: " + errno_text(errno));
    }
    return PipeEnds{Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(const Fd& fd) {
    const int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
}

bool is_executable_file(const fs::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Where argv[0] lives, as an absolute path: a name with a '/' is taken relative to the child's
// working directory, any other is searched on the child's PATH (not pipe's, which is what
// posix_spawnp would use). Checking here means a missing tool never costs a fork.
Result<std::string> resolve_program(const Command& command, const Environment& env) {
    const std::string& name = command.argv.front();
    if (name.empty()) {
        return runtime_error("cannot run a command whose program name is empty", "this is a bug in pipe");
    }
    if (name.find('/') != std::string::npos) {
        const fs::path path = fs::absolute(command.cwd / name);
        if (is_executable_file(path)) {
            return path.string();
        }
        std::error_code ignored;
        return runtime_error(fmt::format("cannot run '{}': {}", name,
                                         fs::exists(path, ignored) ? "not an executable file" : "no such file"),
                             "check the path to the program");
    }
    const std::string search_path = lookup(env, "PATH").value_or(std::string(k_default_path));
    std::string_view rest = search_path;
    while (!rest.empty()) {
        const std::size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        if (dir.empty()) {
            continue;
        }
        const fs::path candidate = fs::absolute(command.cwd / dir / name);
        if (is_executable_file(candidate)) {
            return candidate.string();
        }
    }
    return runtime_error(fmt::format("cannot run '{}': not found on PATH", name), "is it installed and on PATH?");
}

// posix_spawn's two setup objects, destroyed together.
class SpawnSetup {
public:
    SpawnSetup() {
        posix_spawn_file_actions_init(&m_actions);
        posix_spawnattr_init(&m_attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&m_actions);
        posix_spawnattr_destroy(&m_attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    SpawnSetup(SpawnSetup&&) = delete;
    SpawnSetup& operator=(SpawnSetup&&) = delete;

    posix_spawn_file_actions_t* actions() { return &m_actions; }
    posix_spawnattr_t* attributes() { return &m_attributes; }

private:
    posix_spawn_file_actions_t m_actions{};
    posix_spawnattr_t m_attributes{};
};

// A started child, which leads its own process group. If run() unwinds before reaping it (an
// exception from the sink), the destructor kills the group and reaps, so no tool outlives pipe.
class Child {
public:
    explicit Child(pid_t pid) : m_pid(pid) {}
    ~Child() {
        if (!m_reaped) {
            signal_group(SIGKILL);
            reap();
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&&) = delete;
    Child& operator=(Child&&) = delete;

    // Until the child is reaped its pid cannot be reused, so its group id is still ours to kill.
    void signal_group(int signal) const { ::killpg(m_pid, signal); }

    // Reaps the child if it has exited; true once reaped.
    bool try_reap() {
        if (!m_reaped) {
            const pid_t done = ::waitpid(m_pid, &m_raw_status, WNOHANG);
            m_reaped = done == m_pid || (done < 0 && errno == ECHILD);
        }
        return m_reaped;
    }

    // Waits for the child to exit and reaps it.
    void reap() {
        while (!m_reaped) {
            const pid_t done = ::waitpid(m_pid, &m_raw_status, 0);
            m_reaped = done == m_pid || (done < 0 && errno != EINTR);
        }
    }

    ExitStatus status() const {
        if (WIFSIGNALED(m_raw_status)) {
            return ExitStatus::signaled(WTERMSIG(m_raw_status));
        }
        return ExitStatus::exited(WEXITSTATUS(m_raw_status));
    }

private:
    pid_t m_pid;
    int m_raw_status = 0;
    bool m_reaped = false;
};

// Drains one of the child's output pipes: captures everything and hands each complete line
// (redacted) to the sink as soon as it has arrived.
class OutputReader {
public:
    OutputReader(Fd fd, Stream stream, const Command& command, const std::vector<Secret>& secrets)
        : m_fd(std::move(fd)), m_stream(stream), m_sink(command.sink), m_secrets(secrets) {
        set_nonblocking(m_fd);
    }

    int fd() const { return m_fd.get(); }
    bool is_open() const { return m_fd.is_open(); }

    // Reads what is available now; at end of file, delivers the unfinished line and closes.
    void read_available() {
        std::array<char, k_io_chunk> buffer{};
        for (;;) {
            const ssize_t count = ::read(m_fd.get(), buffer.data(), buffer.size());
            if (count > 0) {
                m_text.append(buffer.data(), static_cast<std::size_t>(count));
                deliver_lines();
                continue;
            }
            if (count < 0 && errno == EINTR) {
                continue;
            }
            if (count < 0 && errno == EAGAIN) {
                return;
            }
            close();
            return;
        }
    }

    // Stops reading (end of file, or the runner gave up) after delivering the unfinished line.
    void close() {
        if (m_line_start < m_text.size()) {
            emit(std::string_view(m_text).substr(m_line_start));
            m_line_start = m_text.size();
        }
        m_fd.reset();
    }

    std::string take_text() { return std::move(m_text); }

private:
    void deliver_lines() {
        for (std::size_t newline = m_text.find('\n', m_line_start); newline != std::string::npos;
             newline = m_text.find('\n', m_line_start)) {
            emit(std::string_view(m_text).substr(m_line_start, newline - m_line_start));
            m_line_start = newline + 1;
        }
        if (!m_sink) {
            m_line_start = m_text.size();
        }
    }

    void emit(std::string_view line) const {
        if (!m_sink) {
            return;
        }
        if (m_secrets.empty()) {
            m_sink(m_stream, line);
            return;
        }
        m_sink(m_stream, redact(std::string(line), m_secrets));
    }

    Fd m_fd;
    Stream m_stream;
    const OutputSink& m_sink;
    const std::vector<Secret>& m_secrets;
    std::string m_text;
    std::size_t m_line_start = 0;
};

// Feeds Command::stdin_data to the child's stdin pipe without ever blocking, and closes it when
// everything is written or the child stops reading (EPIPE is not an error: the tool decides).
class InputWriter {
public:
    InputWriter(Fd fd, std::string_view data) : m_fd(std::move(fd)), m_data(data) {
        set_nonblocking(m_fd);
        if (m_data.empty()) {
            m_fd.reset();
        }
    }

    int fd() const { return m_fd.get(); }
    bool is_open() const { return m_fd.is_open(); }

    void write_available() {
        while (m_fd.is_open()) {
            const std::size_t size = std::min(k_io_chunk, m_data.size() - m_written);
            const ssize_t count = ::write(m_fd.get(), m_data.data() + m_written, size);
            if (count < 0 && errno == EINTR) {
                continue;
            }
            if (count < 0 && errno == EAGAIN) {
                return;
            }
            if (count < 0) {
                m_fd.reset();
                return;
            }
            m_written += static_cast<std::size_t>(count);
            if (m_written == m_data.size()) {
                m_fd.reset();
            }
        }
    }

    void close() { m_fd.reset(); }

private:
    Fd m_fd;
    std::string_view m_data;
    std::size_t m_written = 0;
};

// Blocks SIGPIPE in this thread while the runner writes to a child's stdin, so a child that exits
// without reading makes write() fail with EPIPE instead of killing pipe; a SIGPIPE raised meanwhile
// is consumed before the old mask returns. Process-wide dispositions stay untouched.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&m_sigpipe);
        sigaddset(&m_sigpipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &m_sigpipe, &m_previous_mask);
        m_was_pending = is_pending();
    }
    ~SigpipeBlock() {
        if (!m_was_pending && is_pending()) {
            const timespec no_wait{};
            sigtimedwait(&m_sigpipe, nullptr, &no_wait);
        }
        pthread_sigmask(SIG_SETMASK, &m_previous_mask, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;
    SigpipeBlock(SigpipeBlock&&) = delete;
    SigpipeBlock& operator=(SigpipeBlock&&) = delete;

private:
    static bool is_pending() {
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        return sigismember(&pending, SIGPIPE) == 1;
    }

    sigset_t m_sigpipe{};
    sigset_t m_previous_mask{};
    bool m_was_pending = false;
};

// Strings and the null-terminated pointer array execve wants for argv and envp, kept alive together.
class CStrings {
public:
    explicit CStrings(std::vector<std::string> strings) : m_strings(std::move(strings)) {
        for (std::string& text : m_strings) {
            m_pointers.push_back(text.data());
        }
        m_pointers.push_back(nullptr);
    }

    char* const* get() { return m_pointers.data(); }

private:
    std::vector<std::string> m_strings;
    std::vector<char*> m_pointers;
};

// The started child and pipe's ends of its pipes; `in` is closed when stdin is /dev/null.
struct Spawned {
    pid_t pid = 0;
    Fd out;
    Fd err;
    Fd in;
};

// Starts program with the command's argv, environment and working directory, in a process group
// of its own, with default signal dispositions and an empty signal mask. The child's ends of the
// pipes are closed here on return, so end of file arrives when the child's side closes them.
Result<Spawned> spawn_child(const Command& command, const std::string& program, const Environment& env) {
    Result<PipeEnds> out_pipe = make_pipe();
    Result<PipeEnds> err_pipe = make_pipe();
    std::optional<Result<PipeEnds>> in_pipe;
    if (command.stdin_data) {
        in_pipe = make_pipe();
    }
    for (const Result<PipeEnds>* created : {&out_pipe, &err_pipe}) {
        if (!*created) {
            return created->error();
        }
    }
    if (in_pipe && !*in_pipe) {
        return in_pipe->error();
    }

    SpawnSetup setup;
    sigset_t all_signals;
    sigfillset(&all_signals);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    const int stdin_action =
        in_pipe ? posix_spawn_file_actions_adddup2(setup.actions(), (*in_pipe)->read.get(), STDIN_FILENO)
                : posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const int cwd_action =
        command.cwd.empty() ? 0 : posix_spawn_file_actions_addchdir_np(setup.actions(), command.cwd.c_str());
    for (const int failed :
         {stdin_action, cwd_action,
          posix_spawn_file_actions_adddup2(setup.actions(), out_pipe->write.get(), STDOUT_FILENO),
          posix_spawn_file_actions_adddup2(setup.actions(), err_pipe->write.get(), STDERR_FILENO),
          posix_spawnattr_setpgroup(setup.attributes(), 0),
          posix_spawnattr_setsigdefault(setup.attributes(), &all_signals),
          posix_spawnattr_setsigmask(setup.attributes(), &no_signals),
          posix_spawnattr_setflags(setup.attributes(),
                                   POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)}) {
        if (failed != 0) {
            return runtime_error(
                fmt::format("cannot prepare to run '{}': {}", command.argv.front(), errno_text(failed)));
        }
    }

    std::vector<std::string> env_entries;
    env_entries.reserve(env.size());
    for (const auto& [name, value] : env) {
        std::string& entry = env_entries.emplace_back(name);
        entry += '=';
        entry += value;
    }
    CStrings child_argv(command.argv);
    CStrings child_env(std::move(env_entries));

    Spawned spawned;
    const int spawn_error = posix_spawn(&spawned.pid, program.c_str(), setup.actions(), setup.attributes(),
                                        child_argv.get(), child_env.get());
    if (spawn_error != 0) {
        return runtime_error(fmt::format("cannot run '{}': {}", command.argv.front(), errno_text(spawn_error)),
                             "is it installed and executable?");
    }
    spawned.out = std::move(out_pipe->read);
    spawned.err = std::move(err_pipe->read);
    if (in_pipe) {
        spawned.in = std::move((*in_pipe)->write);
    }
    return spawned;
}

int poll_timeout(std::optional<Clock::time_point> wake_at, Clock::time_point now) {
    if (!wake_at) {
        return -1;
    }
    if (*wake_at <= now) {
        return 0;
    }
    const auto wait = std::chrono::ceil<milliseconds>(*wake_at - now);
    return static_cast<int>(std::min<milliseconds::rep>(wait.count(), 60'000));
}

void earliest(std::optional<Clock::time_point>& wake_at, std::optional<Clock::time_point> candidate) {
    if (candidate && (!wake_at || *candidate < *wake_at)) {
        wake_at = candidate;
    }
}

}  // namespace

Result<ProcessResult> SystemRunner::run(const Command& command) {
    if (command.argv.empty()) {
        return runtime_error("cannot run an empty command", "this is a bug in pipe");
    }
    if (const int signal = pending_interrupt(); signal != 0) {
        return interrupted_error(signal);
    }
    const Environment env = child_environment(command, current_environment());
    Result<std::string> program = resolve_program(command, env);
    if (!program) {
        return program.error();
    }
    std::error_code cwd_error;
    if (!command.cwd.empty() && !fs::is_directory(command.cwd, cwd_error)) {
        return runtime_error(fmt::format("cannot run '{}': working directory {} does not exist", command.argv.front(),
                                         command.cwd.string()),
                             "check that the directory exists");
    }

    const SigpipeBlock sigpipe_block;
    const Clock::time_point started = Clock::now();
    Result<Spawned> spawned = spawn_child(command, *program, env);
    if (!spawned) {
        return spawned.error();
    }
    Child child(spawned->pid);
    std::vector<Secret> secrets;
    for (const auto& [name, secret] : command.secret_env) {
        secrets.push_back(secret);
    }
    OutputReader out(std::move(spawned->out), Stream::out, command, secrets);
    OutputReader err(std::move(spawned->err), Stream::err, command, secrets);
    InputWriter in(std::move(spawned->in),
                   command.stdin_data ? std::string_view(*command.stdin_data) : std::string_view());

    const std::optional<Clock::time_point> deadline =
        command.timeout.count() > 0 ? std::optional(started + command.timeout) : std::nullopt;
    std::optional<Clock::time_point> kill_at;
    std::optional<Clock::time_point> abandon_at;
    bool timed_out = false;
    int interrupted = 0;
    const int wakeup_fd = interrupt_wakeup_fd();

    for (;;) {
        const bool output_open = out.is_open() || err.is_open();
        if (!output_open && child.try_reap()) {
            break;
        }
        Clock::time_point now = Clock::now();
        std::optional<Clock::time_point> wake_at;
        if (!timed_out && interrupted == 0) {
            earliest(wake_at, deadline);
        }
        earliest(wake_at, kill_at);
        earliest(wake_at, abandon_at);
        if (!output_open) {
            earliest(wake_at, now + k_exit_check_interval);
        }

        std::array<pollfd, 4> fds{};
        std::size_t count = 0;
        for (const int fd : {out.fd(), err.fd(), in.fd(), interrupted == 0 ? wakeup_fd : -1}) {
            if (fd >= 0) {
                fds.at(count++) = pollfd{fd, static_cast<short>(fd == in.fd() ? POLLOUT : POLLIN), 0};
            }
        }
        if (::poll(fds.data(), count, poll_timeout(wake_at, now)) < 0 && errno != EINTR) {
            return runtime_error(fmt::format("cannot wait for '{}': {}", command.argv.front(), errno_text(errno)));
        }
        for (std::size_t i = 0; i < count; ++i) {
            if (fds.at(i).revents == 0) {
                continue;
            }
            if (fds.at(i).fd == out.fd()) {
                out.read_available();
            } else if (fds.at(i).fd == err.fd()) {
                err.read_available();
            } else if (fds.at(i).fd == in.fd()) {
                in.write_available();
            }
        }

        now = Clock::now();
        if (interrupted == 0 && pending_interrupt() != 0) {
            interrupted = pending_interrupt();
            child.signal_group(interrupted);
            kill_at = now + m_kill_grace;
        }
        if (deadline && !timed_out && interrupted == 0 && now >= *deadline) {
            timed_out = true;
            child.signal_group(SIGTERM);
            kill_at = now + m_kill_grace;
        }
        if (kill_at && now >= *kill_at) {
            child.signal_group(SIGKILL);
            kill_at.reset();
            abandon_at = now + k_abandon_after_kill;
        }
        if (abandon_at && now >= *abandon_at) {
            out.close();
            err.close();
            in.close();
            child.reap();
            break;
        }
    }
    const auto duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);

    if (interrupted != 0) {
        return interrupted_error(interrupted);
    }
    ExitStatus status = child.status();
    if (timed_out) {
        status = status.timed_out_after(command.timeout);
    }
    return ProcessResult{status, out.take_text(), err.take_text(), duration};
}

}  // namespace pipeline::proc
