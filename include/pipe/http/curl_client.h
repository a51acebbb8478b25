// CurlClient: the one place pipe speaks HTTP on the network, through libcurl. It follows
// redirects itself rather than letting curl do it, so that credentials never travel to another
// origin (registries redirect blob downloads to object storage), and it classifies every
// transport failure for the retry policy.
#pragma once

#include <pipe/http/client.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string_view>

namespace pipeline::http {

// Sent as User-Agent on every request; the GitHub API rejects requests without one.
inline constexpr std::string_view k_user_agent = "pipe/" PIPE_VERSION;

// How many redirects one request may follow before it fails.
inline constexpr int k_max_redirects = 5;

// Settings that hold for every request a client sends.
struct CurlOptions {
    std::filesystem::path ca_file;                     // extra PEM CA bundle; empty uses the system store
    bool insecure = false;                             // skip TLS verification (self-signed local registries)
    std::chrono::milliseconds connect_timeout{10000};  // for the TCP and TLS handshake of each connection
};

// A Client over libcurl: HTTP/1.1, TLS verified unless insecure, proxies from the usual
// environment variables, connections reused between requests. One instance serves one thread.
class CurlClient final : public Client {
public:
    // Creates the client; libcurl itself is initialised once per process, by the first client.
    explicit CurlClient(CurlOptions options = {});
    ~CurlClient() override;

    // Sends the request, following up to k_max_redirects redirects when asked; Authorization and
    // other credential headers are dropped when a redirect leaves the request's origin, and a
    // 303 (or a 301/302 answering a POST) turns into a GET without body. Ctrl-C aborts the
    // transfer within about a second with an interrupted error.
    SendResult send(const Request& request) override;

private:
    struct Session;

    SendResult send_once(const Request& request, std::chrono::milliseconds time_left);

    CurlOptions m_options;
    std::unique_ptr<Session> m_session;
};

}  // namespace pipeline::http
