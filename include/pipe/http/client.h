// Client: the seam between registry/GitHub logic and the network. Production code passes a
// CurlClient and unit tests a ScriptedClient, so protocol logic is tested without sockets. A send
// yields a Response for any HTTP status, or a TransportError saying why no response arrived and
// whether the server may have seen the request, which the retry policy needs for POSTs.
#pragma once

#include <pipe/core/result.h>
#include <pipe/http/request.h>
#include <pipe/http/response.h>

#include <string>
#include <utility>
#include <variant>

namespace pipeline::http {

// Why an exchange produced no HTTP response; the retry policy treats each differently.
enum class TransportFailure {
    connect,      // DNS failure, connection refused or unreachable: the request was never sent
    timeout,      // the connect or the whole exchange took longer than allowed
    dropped,      // the connection broke (reset, closed without an answer) mid-exchange
    tls,          // certificate or handshake failure: retrying will not help
    other,        // a bad URL or redirect, a malformed answer, an unreadable body file
    interrupted,  // Ctrl-C or SIGTERM arrived; Error::kind is interrupted
};

// A failed exchange: the classification and the Error for the user (kind runtime, message naming
// the method and the sanitized URL; kind interrupted after a signal).
struct TransportError {
    TransportFailure failure = TransportFailure::other;
    bool reached_server = true;  // false only when the request provably never left pipe
    Error error;
};

// A Response, or the TransportError that prevented one; the same interface as Result<Response>
// (and convertible to it) plus transport_error() for the retry loop.
class [[nodiscard]] SendResult {
public:
    // Implicit, so send() can simply return a Response or a TransportError.
    SendResult(Response response) : m_state(std::in_place_index<0>, std::move(response)) {}  // NOLINT
    SendResult(TransportError error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool has_value() const { return m_state.index() == 0; }
    explicit operator bool() const { return has_value(); }

    Response& value() & { return std::get<0>(m_state); }
    const Response& value() const& { return std::get<0>(m_state); }
    Response&& value() && { return std::get<0>(std::move(m_state)); }
    Response& operator*() & { return value(); }
    const Response& operator*() const& { return value(); }
    Response* operator->() { return &value(); }
    const Response* operator->() const { return &value(); }

    // The error for the user; only valid when has_value() is false.
    const Error& error() const { return std::get<1>(m_state).error; }

    // The whole failure, with its classification; only valid when has_value() is false.
    const TransportError& transport_error() const { return std::get<1>(m_state); }

    // The plain Result for callers that do not retry; implicit, so `Result<Response> r = send(...)` works.
    operator Result<Response>() const& {  // NOLINT(google-explicit-constructor)
        return has_value() ? Result<Response>(value()) : Result<Response>(error());
    }
    operator Result<Response>() && {  // NOLINT(google-explicit-constructor)
        return has_value() ? Result<Response>(std::get<0>(std::move(m_state)))
                           : Result<Response>(std::move(std::get<1>(m_state).error));
    }

private:
    std::variant<Response, TransportError> m_state;
};

// Sends HTTP requests. Implementations follow redirects themselves when Request::follow_redirects
// is set, and never retry: retrying is send_with_retry()'s job.
class Client {
public:
    Client() = default;
    virtual ~Client() = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) = delete;
    Client& operator=(Client&&) = delete;

    // Performs one exchange and returns the final response, whatever its status.
    virtual SendResult send(const Request& request) = 0;
};

}  // namespace pipeline::http
