// SanitizedUrl: an absolute http(s) URL whose every rendering is safe to log. Registry and API
// URLs carry credentials (user:password@ in the authority, pre-signed storage links with
// X-Amz-Signature or sig in the query), so the printable form drops the userinfo and the fragment
// and masks sensitive query values; only the transport calls reveal().
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>

#include <fmt/format.h>

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::http {

// A parsed absolute URL with scheme http or https.
class SanitizedUrl {
public:
    // An empty URL (empty() is true); only a placeholder until a real one is assigned.
    SanitizedUrl() = default;

    // Parses an absolute http(s) URL; anything else (no scheme, another scheme, no host, a bad
    // port, spaces or control characters) is a usage error naming the sanitized input.
    static Result<SanitizedUrl> parse(std::string_view text);

    // Resolves a reference such as a Location header against this URL (RFC 3986 section 5.2):
    // absolute, scheme-relative ("//host/x"), absolute-path ("/v2/x") and relative ("x?y") forms.
    Result<SanitizedUrl> resolve(std::string_view reference) const;

    // True only for a default-constructed URL.
    bool empty() const { return m_scheme.empty(); }

    // "http" or "https", lowercased.
    const std::string& scheme() const { return m_scheme; }

    // The host, lowercased; an IPv6 literal keeps its brackets ("[::1]").
    const std::string& host() const { return m_host; }

    // The port: the explicit one, or 80/443 from the scheme.
    int port() const;

    // host, or host:port when the port is explicit; what registries call the registry name.
    std::string authority() const;

    // The path, at least "/".
    const std::string& path() const { return m_path; }

    // The query without its '?', or nullopt when the URL has none.
    const std::optional<std::string>& query() const { return m_query; }

    // True when both URLs have the same scheme, host and port: credentials may follow a redirect
    // only within one origin.
    bool same_origin(const SanitizedUrl& other) const;

    // The full URL including userinfo and unmasked query, for the transport alone.
    std::string reveal() const;

    // The loggable form: no userinfo, no fragment, sensitive query values replaced by ***.
    std::string string() const;

    // The userinfo password and the sensitive query values, for redact() over text that a
    // library may have built from the full URL.
    std::vector<Secret> secrets() const;

    friend bool operator==(const SanitizedUrl&, const SanitizedUrl&) = default;

private:
    std::string m_scheme;
    std::string m_userinfo;
    std::string m_host;
    std::string m_port;
    std::string m_path;
    std::optional<std::string> m_query;
    std::optional<std::string> m_fragment;
};

// True for query parameter names whose values are credentials (token, access_token, sig,
// X-Amz-Signature, X-Goog-Signature, ...); compared case-insensitively after percent-decoding.
bool is_sensitive_query_parameter(std::string_view name);

// Writes the sanitized form, so streaming a URL into a log line cannot leak it.
std::ostream& operator<<(std::ostream& out, const SanitizedUrl& url);

}  // namespace pipeline::http

template <>
struct fmt::formatter<pipeline::http::SanitizedUrl> : fmt::formatter<std::string_view> {
    template <class Context>
    auto format(const pipeline::http::SanitizedUrl& url, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(url.string(), ctx);
    }
};
