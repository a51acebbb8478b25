#include <pipe/http/scripted_client.h>

#include <fmt/format.h>

namespace pipeline::http {
namespace {

TransportError unexpected(const Request& request, std::string hint) {
    return TransportError{TransportFailure::other, false,
                          runtime_error(fmt::format("fake http client: unexpected request: {} {}",
                                                    method_name(request.method), request.url),
                                        std::move(hint))};
}

}  // namespace

void ScriptedClient::expect(Method method, std::string url, SendResult answer) {
    m_script.push_back(Expectation{method, std::move(url), std::move(answer)});
}

SendResult ScriptedClient::send(const Request& request) {
    m_requests.push_back(request);
    if (m_script.empty()) {
        return unexpected(request, "the test scripted no further requests");
    }
    if (m_script.front().method != request.method || m_script.front().url != request.url.reveal()) {
        const Result<SanitizedUrl> expected_url = SanitizedUrl::parse(m_script.front().url);
        return unexpected(request, fmt::format("the test expected: {} {}", method_name(m_script.front().method),
                                               expected_url ? expected_url->string() : "(an invalid URL)"));
    }
    SendResult answer = std::move(m_script.front().answer);
    m_script.pop_front();
    if (answer && answer->url.empty()) {
        answer->url = request.url;
    }
    return answer;
}

Response scripted_response(int status, std::string body,
                           std::initializer_list<std::pair<std::string, std::string>> headers) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    for (const auto& [name, value] : headers) {
        response.headers.add(name, value);
    }
    return response;
}

TransportError scripted_failure(TransportFailure failure, bool reached_server, std::string message) {
    return TransportError{failure, reached_server, runtime_error(std::move(message))};
}

}  // namespace pipeline::http
