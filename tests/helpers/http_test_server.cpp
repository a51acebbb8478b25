#include "http_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace pipeline::testing {
namespace {

const std::string k_script = std::string(PIPE_TEST_DATA) + "/../helpers/fault_server.py";

// Reads one line from fd within the timeout; empty when nothing complete arrived.
std::string read_line(int fd, int timeout_ms) {
    std::string line;
    while (line.empty() || line.back() != '\n') {
        pollfd ready{fd, POLLIN, 0};
        if (::poll(&ready, 1, timeout_ms) <= 0) {
            return {};
        }
        char c = 0;
        if (::read(fd, &c, 1) != 1) {
            return {};
        }
        line += c;
    }
    return line;
}

// Binds fd to 127.0.0.1 on a free port and returns the port.
int bind_loopback(int fd) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot reserve a loopback port: ") + std::strerror(errno));
    }
    return ntohs(address.sin_port);
}

}  // namespace

FaultServer::FaultServer() {
    std::array<int, 2> to_child{};
    std::array<int, 2> from_child{};
    if (::pipe2(to_child.data(), O_CLOEXEC) != 0 || ::pipe2(from_child.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("fault server: pipe failed: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, to_child[1]);
    posix_spawn_file_actions_addclose(&actions, from_child[0]);
    std::vector<std::string> args = {"python3", k_script};
    std::vector<char*> argv = {args[0].data(), args[1].data(), nullptr};
    const int spawned = posix_spawnp(&m_pid, "python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    m_stdin = to_child[1];
    if (spawned != 0) {
        ::close(from_child[0]);
        m_pid = -1;
        throw std::runtime_error("the HTTP tests need python3 on PATH to run " + k_script +
                                 " (install it: apt-get install python3)");
    }
    const std::string line = read_line(from_child[0], 10000);
    ::close(from_child[0]);
    m_port = line.empty() ? 0 : std::stoi(line);
    if (m_port <= 0) {
        throw std::runtime_error("the fault server " + k_script +
                                 " did not report a port; it needs python3 and the loopback addresses 127.0.0.1 "
                                 "and 127.0.0.2");
    }
}

FaultServer::~FaultServer() {
    if (m_stdin >= 0) {
        ::close(m_stdin);
    }
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

std::string FaultServer::url(std::string_view path, std::string_view host) const {
    return "http://" + std::string(host) + ":" + std::to_string(m_port) + std::string(path);
}

FaultServer& shared_fault_server() {
    static FaultServer server;
    return server;
}

RefusingPort::RefusingPort() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    m_port = bind_loopback(m_fd);
}

RefusingPort::~RefusingPort() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

StallingPort::StallingPort() : m_listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    m_port = bind_loopback(m_listener);
    if (::listen(m_listener, 0) != 0) {
        throw std::runtime_error(std::string("cannot listen on a loopback port: ") + std::strerror(errno));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(m_port));
    for (int i = 0; i < 3; ++i) {
        const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (filler < 0) {
            throw std::runtime_error(std::string("cannot open a socket: ") + std::strerror(errno));
        }
        m_fillers.push_back(filler);
        ::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
    ::usleep(50000);
}

StallingPort::~StallingPort() {
    for (const int filler : m_fillers) {
        ::close(filler);
    }
    if (m_listener >= 0) {
        ::close(m_listener);
    }
}

}  // namespace pipeline::testing
