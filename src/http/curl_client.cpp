// The only file that includes <curl/curl.h>.
#include <pipe/http/curl_client.h>

#include <pipe/proc/interrupt.h>

#include <curl/curl.h>
#include <fmt/format.h>

#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace pipeline::http {
namespace {

using std::chrono::milliseconds;

CURLcode global_init() {
    static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    return code;
}

// Owns a CURL easy handle; reused across requests so connections stay open.
class EasyHandle {
public:
    EasyHandle() : m_curl(global_init() == CURLE_OK ? curl_easy_init() : nullptr) {}
    ~EasyHandle() {
        if (m_curl != nullptr) {
            curl_easy_cleanup(m_curl);
        }
    }
    EasyHandle(const EasyHandle&) = delete;
    EasyHandle& operator=(const EasyHandle&) = delete;

    CURL* get() const { return m_curl; }

private:
    CURL* m_curl;
};

// Owns the curl_slist of request headers.
class HeaderList {
public:
    HeaderList() = default;
    ~HeaderList() { curl_slist_free_all(m_list); }
    HeaderList(const HeaderList&) = delete;
    HeaderList& operator=(const HeaderList&) = delete;

    // Appends one "Name: value" line; false when curl is out of memory.
    bool append(const std::string& line) {
        curl_slist* grown = curl_slist_append(m_list, line.c_str());
        if (grown == nullptr) {
            return false;
        }
        m_list = grown;
        return true;
    }

    curl_slist* get() const { return m_list; }

private:
    curl_slist* m_list = nullptr;
};

// Owns a FILE* opened for a streamed request body.
struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Feeds the request body to curl from memory or from a file, and rewinds it when curl must resend.
class BodySource {
public:
    explicit BodySource(std::string_view bytes) : m_bytes(bytes), m_size(bytes.size()) {}
    BodySource(FilePtr file, std::uintmax_t size) : m_file(std::move(file)), m_size(size) {}

    std::uintmax_t size() const { return m_size; }

    static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<BodySource*>(user);
        const std::size_t wanted = size * count;
        if (self->m_file) {
            const std::size_t got = std::fread(buffer, 1, wanted, self->m_file.get());
            return got == 0 && std::ferror(self->m_file.get()) != 0 ? CURL_READFUNC_ABORT : got;
        }
        const std::size_t got = std::min(wanted, self->m_bytes.size() - self->m_offset);
        std::copy_n(self->m_bytes.data() + self->m_offset, got, buffer);
        self->m_offset += got;
        return got;
    }

    static int seek(void* user, curl_off_t offset, int origin) {
        auto* self = static_cast<BodySource*>(user);
        if (origin != SEEK_SET || offset < 0 || static_cast<std::uintmax_t>(offset) > self->m_size) {
            return CURL_SEEKFUNC_CANTSEEK;
        }
        if (self->m_file) {
            return fseeko(self->m_file.get(), static_cast<off_t>(offset), SEEK_SET) == 0 ? CURL_SEEKFUNC_OK
                                                                                         : CURL_SEEKFUNC_FAIL;
        }
        self->m_offset = static_cast<std::size_t>(offset);
        return CURL_SEEKFUNC_OK;
    }

private:
    std::string_view m_bytes;
    std::size_t m_offset = 0;
    FilePtr m_file;
    std::uintmax_t m_size;
};

// What arrived for one exchange: header fields of the final (non-1xx) answer and the body.
struct Received {
    std::vector<HeaderField> fields;
    std::string body;
};

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    if (line.starts_with("HTTP/")) {
        received->fields.clear();
    } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        if (!received->fields.empty()) {
            received->fields.back().value += " ";
            received->fields.back().value += trim(line);
        }
    } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
        received->fields.push_back(
            HeaderField{std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<Received*>(user)->body.append(data, size * count);
    return size * count;
}

// Called by curl at least once a second during a transfer; a non-zero answer aborts it.
int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return proc::pending_interrupt() != 0 ? 1 : 0;
}

// The retry-relevant class of a curl failure.
TransportFailure classify(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            return TransportFailure::connect;
        case CURLE_OPERATION_TIMEDOUT:
            return TransportFailure::timeout;
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_UNSUPPORTED_PROTOCOL:  // only http(s) URLs are allowed, so this is "HTTP/0.9": a garbled answer
            return TransportFailure::dropped;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return TransportFailure::tls;
        case CURLE_ABORTED_BY_CALLBACK:
            return TransportFailure::interrupted;
        default:
            return TransportFailure::other;
    }
}

// True only when curl provably sent nothing of the request: the connection was never made, or
// the transfer stopped before curl reached the point of writing the request.
bool never_sent(CURL* curl, TransportFailure failure) {
    if (failure == TransportFailure::connect) {
        return true;
    }
    curl_off_t pretransfer = 0;
    long request_size = 0;
    return curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK &&
           curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size) == CURLE_OK && pretransfer == 0 &&
           request_size == 0;
}

std::string what_failed(const Request& request) {
    return fmt::format("{} {}", method_name(request.method), request.url);
}

TransportError failure(const Request& request, TransportFailure kind, bool reached_server, std::string_view problem,
                       std::string hint) {
    return TransportError{kind, reached_server,
                          runtime_error(fmt::format("{}: {}", what_failed(request), problem), std::move(hint))};
}

TransportError curl_failure(const Request& request, CURL* curl, CURLcode code, const char* error_buffer) {
    const TransportFailure kind = classify(code);
    const bool reached = !never_sent(curl, kind);
    if (kind == TransportFailure::interrupted && proc::pending_interrupt() != 0) {
        return TransportError{kind, reached, interrupted_error(proc::pending_interrupt())};
    }
    const std::string detail =
        redact(*error_buffer != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(code)),
               request.url.secrets());
    switch (kind) {
        case TransportFailure::connect:
            return failure(request, kind, reached, fmt::format("could not connect ({})", detail),
                           "check the host name and port, and that the server is up and reachable from here");
        case TransportFailure::timeout:
            return failure(request, kind, reached,
                           fmt::format("no complete answer within {} ms ({})", request.timeout.count(), detail),
                           "the server or the network is slow; try again later");
        case TransportFailure::dropped:
            return failure(request, kind, reached, fmt::format("the connection broke ({})", detail),
                           "the server or a proxy closed the connection; try again later");
        case TransportFailure::tls:
            return failure(request, kind, reached, fmt::format("TLS failed ({})", detail),
                           "check the server's certificate; a registry with a private CA needs its CA file, and a "
                           "local test registry with a self-signed certificate needs the insecure setting");
        case TransportFailure::other:
        case TransportFailure::interrupted:
            break;
    }
    return failure(request, kind, reached, detail, "");
}

// Clears every option when an exchange ends, so curl keeps no pointer to its buffers and
// callbacks; the connection cache survives.
class ResetOnExit {
public:
    explicit ResetOnExit(CURL* curl) : m_curl(curl) {}
    ~ResetOnExit() { curl_easy_reset(m_curl); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    CURL* m_curl;
};

// Whether an in-memory body goes on the wire: always for POST, PUT and PATCH (an empty one as
// Content-Length: 0), for DELETE only when non-empty, never for GET and HEAD.
bool sends_body(const Request& request) {
    switch (request.method) {
        case Method::post:
        case Method::put:
        case Method::patch:
            return true;
        case Method::delete_:
            return !std::get<std::string>(request.body).empty();
        case Method::get:
        case Method::head:
            return false;
    }
    return false;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A header that would corrupt the request (CR or LF smuggling a second header, a name that is not
// a token), named without its value since the value may be a credential.
std::optional<std::string> invalid_header(const RequestHeader& header) {
    if (header.name.empty() || !std::all_of(header.name.begin(), header.name.end(), is_token_char)) {
        return fmt::format("the header name '{}' is not a valid token", header.name);
    }
    if (header.reveal().find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return fmt::format("the value of header {} contains CR, LF or NUL", header.name);
    }
    return std::nullopt;
}

// The request to send to target after a redirect with this status.
Request redirected(const Request& from, int status, SanitizedUrl target) {
    Request next = from;
    if (!target.same_origin(from.url)) {
        std::erase_if(next.headers, [](const RequestHeader& header) { return is_credential_header(header.name); });
    }
    const bool becomes_get = (status == 303 && from.method != Method::head) ||
                             ((status == 301 || status == 302) && from.method == Method::post);
    if (becomes_get) {
        next.method = Method::get;
        next.body = std::string();
        next.remove_header("Content-Type");
        next.remove_header("Content-Length");
    }
    next.url = std::move(target);
    return next;
}

// Applies every option for one exchange; false when curl refused one (out of memory, or a
// feature missing from this libcurl build).
bool configure(CURL* curl, const Request& request, const CurlOptions& options, milliseconds time_left,
               const std::string& url, HeaderList& headers, BodySource* body, Received& received, char* error_buffer) {
    const std::string user_agent(k_user_agent);
    bool ok = curl_easy_setopt(curl, CURLOPT_URL, url.c_str()) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str()) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count())) ==
                  CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                               static_cast<long>(std::max<milliseconds::rep>(1, time_left.count()))) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK;
    if (ok && !options.ca_file.empty()) {
        ok = curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str()) == CURLE_OK;
    }
    if (!ok) {
        return false;
    }
    if (request.method == Method::head) {
        return curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) == CURLE_OK;
    }
    if (body == nullptr) {
        const char* custom = request.method == Method::delete_ ? "DELETE" : nullptr;
        return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L) == CURLE_OK &&
               curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom) == CURLE_OK;
    }
    const std::string method(method_name(request.method));
    return curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str()) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_READFUNCTION, BodySource::read) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_READDATA, body) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, BodySource::seek) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_SEEKDATA, body) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body->size())) == CURLE_OK;
}

}  // namespace

struct CurlClient::Session {
    EasyHandle easy;
};

CurlClient::CurlClient(CurlOptions options) : m_options(std::move(options)), m_session(std::make_unique<Session>()) {}

CurlClient::~CurlClient() = default;

SendResult CurlClient::send(const Request& request) {
    if (request.url.empty()) {
        return TransportError{TransportFailure::other, false,
                              runtime_error(fmt::format("{}: the request has no URL", method_name(request.method)))};
    }
    for (const RequestHeader& header : request.headers) {
        if (const std::optional<std::string> problem = invalid_header(header)) {
            return failure(request, TransportFailure::other, false, *problem, "");
        }
    }
    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    Request hop = request;
    for (int redirects = 0;; ++redirects) {
        const auto time_left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (time_left <= milliseconds(0)) {
            return failure(hop, TransportFailure::timeout, true,
                           fmt::format("no complete answer within {} ms", request.timeout.count()),
                           "the server or the network is slow; try again later");
        }
        SendResult result = send_once(hop, time_left);
        if (!result || !request.follow_redirects || !is_redirect(result->status)) {
            return result;
        }
        const std::optional<std::string_view> location = result->headers.find("Location");
        if (!location) {
            return result;
        }
        if (redirects == k_max_redirects) {
            return failure(request, TransportFailure::other, true,
                           fmt::format("stopped after {} redirects (the last one to {})", k_max_redirects, hop.url),
                           "the server redirects in a loop or too often; check the URL");
        }
        Result<SanitizedUrl> target = hop.url.resolve(*location);
        if (!target) {
            return failure(hop, TransportFailure::other, true,
                           fmt::format("the server redirected to an unusable location: {}", target.error().message),
                           "");
        }
        hop = redirected(hop, result->status, std::move(*target));
    }
}

SendResult CurlClient::send_once(const Request& request, milliseconds time_left) {
    CURL* curl = m_session->easy.get();
    if (curl == nullptr) {
        return failure(request, TransportFailure::other, false, "libcurl could not be initialised",
                       "the system may be out of memory, or libcurl's TLS library failed to load");
    }
    curl_easy_reset(curl);
    const ResetOnExit reset{curl};

    std::optional<BodySource> body;
    if (const auto* file = std::get_if<FileBody>(&request.body)) {
        std::error_code error;
        const std::uintmax_t size = std::filesystem::file_size(file->path, error);
        FilePtr opened(error ? nullptr : std::fopen(file->path.c_str(), "rb"));
        if (!opened) {
            return failure(request, TransportFailure::other, false,
                           fmt::format("cannot read the body file {}", file->path.string()),
                           "check that the file exists and is readable");
        }
        body.emplace(std::move(opened), size);
    } else if (sends_body(request)) {
        body.emplace(std::get<std::string>(request.body));
    }

    HeaderList headers;
    for (const RequestHeader& header : request.headers) {
        const std::string& value = header.reveal();
        if (!headers.append(value.empty() ? header.name + ";" : header.name + ": " + value)) {
            return failure(request, TransportFailure::other, false, "out of memory building the headers", "");
        }
    }

    Received received;
    char error_buffer[CURL_ERROR_SIZE] = "";
    const std::string url = request.url.reveal();
    if (!configure(curl, request, m_options, time_left, url, headers, body ? &*body : nullptr, received,
                   error_buffer)) {
        return failure(request, TransportFailure::other, false, "libcurl rejected an option",
                       "this libcurl build may lack a needed feature (HTTP/1.1, TLS)");
    }
    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        return curl_failure(request, curl, code, error_buffer);
    }

    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    Response response;
    response.status = static_cast<int>(status);
    for (HeaderField& field : received.fields) {
        response.headers.add(std::move(field.name), std::move(field.value));
    }
    response.body = std::move(received.body);
    response.url = request.url;
    return response;
}

}  // namespace pipeline::http
