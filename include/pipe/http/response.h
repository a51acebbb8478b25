// Response: what the server answered. Any status is a Response, not an Error: the caller knows
// whether a 404 means "missing" or "fail", so judging the status is left to it.
#pragma once

#include <pipe/http/headers.h>
#include <pipe/http/sanitized_url.h>

#include <string>

namespace pipeline::http {

// The final answer of one exchange, after any redirects were followed.
struct Response {
    int status = 0;
    Headers headers;
    std::string body;
    SanitizedUrl url;  // the URL that produced this answer (the last redirect target)

    // True for a 2xx status.
    bool ok() const { return status >= 200 && status < 300; }
};

}  // namespace pipeline::http
