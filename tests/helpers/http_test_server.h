// Loopback servers for the CurlClient tests: fault_server.py (a python3 HTTP server that answers,
// redirects, stalls or drops on request) and a port where nothing listens. Only 127.0.0.0/8 is
// ever used.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::testing {

// The fault server, started on construction and stopped (stdin closed, SIGTERM, reaped) on
// destruction. Construction throws std::runtime_error saying what to install when python3 is
// missing or the server does not report its port within a few seconds.
class FaultServer {
public:
    FaultServer();
    ~FaultServer();
    FaultServer(const FaultServer&) = delete;
    FaultServer& operator=(const FaultServer&) = delete;

    // The port the server listens on at both 127.0.0.1 and 127.0.0.2.
    int port() const { return m_port; }

    // "http://<host>:<port><path>"; host is 127.0.0.1 or 127.0.0.2.
    std::string url(std::string_view path, std::string_view host = "127.0.0.1") const;

private:
    pid_t m_pid = -1;
    int m_stdin = -1;
    int m_port = 0;
};

// One fault server shared by all tests of the process, so each test does not pay for a python3
// start; it is stopped when the test executable exits. Tests keep state apart with unique keys.
FaultServer& shared_fault_server();

// A 127.0.0.1 port that is bound but not listening, so connecting to it is refused; the port stays
// reserved (nobody else can take it) for the object's lifetime.
class RefusingPort {
public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;

    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

// A 127.0.0.1 port whose listen queue is already full (backlog 0, filled by connections this
// object opens and never accepts), so a new connect stalls until the client's connect timeout.
class StallingPort {
public:
    StallingPort();
    ~StallingPort();
    StallingPort(const StallingPort&) = delete;
    StallingPort& operator=(const StallingPort&) = delete;

    int port() const { return m_port; }

private:
    int m_listener = -1;
    std::vector<int> m_fillers;
    int m_port = 0;
};

}  // namespace pipeline::testing
