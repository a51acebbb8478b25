// Request: one HTTP request described as data, so the retry loop can resend it, a fake client can
// check it and --verbose can print it. Credential header values are Secrets and render as ***.
#pragma once

#include <pipe/core/secret.h>
#include <pipe/http/sanitized_url.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pipeline::http {

// The methods registries and the GitHub API use.
enum class Method { get, head, post, put, patch, delete_ };

// "GET", "HEAD", "POST", "PUT", "PATCH" or "DELETE".
std::string_view method_name(Method method);

// True for methods that may be repeated without changing the outcome (RFC 9110 section 9.2.2):
// GET, HEAD, PUT and DELETE. POST and PATCH may create or change something twice.
bool is_idempotent(Method method);

// True for header names whose values are credentials (Authorization, Proxy-Authorization, Cookie,
// X-Registry-Auth, ...), compared case-insensitively.
bool is_credential_header(std::string_view name);

// One request header; a Secret value is revealed only to the transport.
struct RequestHeader {
    std::string name;
    std::variant<std::string, Secret> value;

    // The value to put on the wire.
    const std::string& reveal() const;

    // The value for logs: *** for a Secret or a credential header name, else the value itself.
    std::string printable() const;
};

// A request body streamed from a file (image layers), so it is never held in memory.
struct FileBody {
    std::filesystem::path path;
};

// The body: bytes in memory (empty means none for GET/HEAD/DELETE, zero length for the others)
// or a file to stream.
using Body = std::variant<std::string, FileBody>;

// Everything the transport needs for one request.
struct Request {
    Method method = Method::get;
    SanitizedUrl url;
    std::vector<RequestHeader> headers;  // sent in this order
    Body body;
    std::chrono::milliseconds timeout{60000};  // for the whole exchange, redirects included
    bool follow_redirects = true;              // at most 5; Authorization is dropped across origins

    // Appends a header; a credential header name (see is_credential_header) is stored as a Secret.
    void add_header(std::string name, std::string value);

    // Appends a header whose value is a Secret whatever its name.
    void add_secret_header(std::string name, Secret value);

    // Removes every header with this name (case-insensitive).
    void remove_header(std::string_view name);

    // The first header with this name, or nullptr.
    const RequestHeader* find_header(std::string_view name) const;
};

// "GET https://host/path" and then one indented "Name: value" line per header, credentials as
// *** and the body as a size or a file name, for --verbose and test failure messages.
std::string describe(const Request& request);

}  // namespace pipeline::http
