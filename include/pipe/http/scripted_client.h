// ScriptedClient: a fake Client for unit tests of registry and GitHub logic. It records every
// request and answers from a script of expected method + URL -> answer, failing loudly on
// anything unexpected, so a test states exactly which calls are made, in which order.
#pragma once

#include <pipe/http/client.h>

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace pipeline::http {

// Answers send() from a queue of scripted answers; never touches the network.
class ScriptedClient final : public Client {
public:
    // Queues the answer for the next request, which must have this method and this full URL
    // (compared with reveal()). The answer may be a TransportError, to script a network failure.
    void expect(Method method, std::string url, SendResult answer);

    // Records the request and returns the next scripted answer (a Response without a URL gets the
    // request's); an unexpected request is a TransportError (failure other) naming both.
    SendResult send(const Request& request) override;

    // Every request send() was given, expected or not, in order.
    const std::vector<Request>& requests() const { return m_requests; }

    // How many scripted answers were never asked for; a test checks it is zero at the end.
    std::size_t unanswered() const { return m_script.size(); }

private:
    struct Expectation {
        Method method;
        std::string url;
        SendResult answer;
    };

    std::deque<Expectation> m_script;
    std::vector<Request> m_requests;
};

// A scripted response with a status, a body and header fields in order.
Response scripted_response(int status, std::string body = {},
                           std::initializer_list<std::pair<std::string, std::string>> headers = {});

// A scripted transport failure with a runtime error carrying message.
TransportError scripted_failure(TransportFailure failure, bool reached_server, std::string message);

}  // namespace pipeline::http
