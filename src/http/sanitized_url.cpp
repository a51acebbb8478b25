#include <pipe/http/sanitized_url.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ostream>

namespace pipeline::http {
namespace {

bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

// Spaces, control characters and non-ASCII bytes must be percent-encoded in a URL; letting
// them through would put them in a request line.
bool has_forbidden_byte(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte >= 0x7f;
    });
}

// A reg-name or IPv4 host: unreserved, percent-encoded and sub-delimiter characters.
bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
}

// The length of a URI scheme at the start of text followed by ':', or 0 when there is none.
std::size_t scheme_length(std::string_view text) {
    if (text.empty() || !is_alpha(text.front())) {
        return 0;
    }
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ':') {
            return i;
        }
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return 0;
        }
    }
    return 0;
}

// The text for an error message about a URL that did not parse: no userinfo, no query.
std::string masked_input(std::string_view text) {
    std::string out(text.substr(0, text.find_first_of("?#")));
    const std::size_t start = out.find("://");
    const std::size_t from = start == std::string::npos ? 0 : start + 3;
    const std::size_t authority_end = std::min(out.find('/', from), out.size());
    const std::size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= from) {
        out.erase(from, at + 1 - from);
    }
    if (out.size() < text.size()) {
        out += "?...";
    }
    return out;
}

Error bad_url(std::string_view text, std::string_view problem) {
    return usage_error(fmt::format("invalid URL '{}': {}", masked_input(text), problem),
                       "give an absolute http:// or https:// URL, with special characters percent-encoded");
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned value = 0;
        if (text[i] == '%' && i + 2 < text.size() &&
            std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr == text.data() + i + 3) {
            out += static_cast<char>(value);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Removes "." and ".." segments from a path (RFC 3986 section 5.2.4).
std::string remove_dot_segments(std::string_view path) {
    std::string input(path);
    std::string output;
    const auto drop_last_segment = [&output] {
        const std::size_t slash = output.rfind('/');
        output.erase(slash == std::string::npos ? 0 : slash);
    };
    while (!input.empty()) {
        if (input.starts_with("../")) {
            input.erase(0, 3);
        } else if (input.starts_with("./") || input.starts_with("/./")) {
            input.erase(0, 2);
        } else if (input == "/.") {
            input = "/";
        } else if (input.starts_with("/../")) {
            input.erase(0, 3);
            drop_last_segment();
        } else if (input == "/..") {
            input = "/";
            drop_last_segment();
        } else if (input == "." || input == "..") {
            input.clear();
        } else {
            const std::size_t end = input.find('/', 1);
            const std::size_t length = end == std::string::npos ? input.size() : end;
            output += input.substr(0, length);
            input.erase(0, length);
        }
    }
    return output;
}

// The pieces of a URI reference: everything optional except the path.
struct ReferenceParts {
    std::optional<std::string_view> authority;
    std::string_view path;
    std::optional<std::string_view> query;
    std::optional<std::string_view> fragment;
};

ReferenceParts split_reference(std::string_view text) {
    ReferenceParts parts;
    if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
        parts.fragment = text.substr(hash + 1);
        text = text.substr(0, hash);
    }
    if (const std::size_t question = text.find('?'); question != std::string_view::npos) {
        parts.query = text.substr(question + 1);
        text = text.substr(0, question);
    }
    if (text.starts_with("//")) {
        const std::size_t slash = text.find('/', 2);
        parts.authority = text.substr(2, slash == std::string_view::npos ? std::string_view::npos : slash - 2);
        text = slash == std::string_view::npos ? std::string_view() : text.substr(slash);
    }
    parts.path = text;
    return parts;
}

}  // namespace

bool is_sensitive_query_parameter(std::string_view name) {
    static constexpr std::array<std::string_view, 6> k_exact = {"sig", "key", "api_key", "apikey", "code", "auth"};
    static constexpr std::array<std::string_view, 5> k_suffixes = {"token", "signature", "secret", "password",
                                                                   "credential"};
    const std::string lowered = lowercase(percent_decode(name));
    return std::find(k_exact.begin(), k_exact.end(), lowered) != k_exact.end() ||
           std::any_of(k_suffixes.begin(), k_suffixes.end(),
                       [&lowered](std::string_view suffix) { return ends_with(lowered, suffix); });
}

Result<SanitizedUrl> SanitizedUrl::parse(std::string_view text) {
    if (text.empty()) {
        return bad_url(text, "it is empty");
    }
    if (has_forbidden_byte(text)) {
        return bad_url(text, "it contains a space, a control character or a non-ASCII byte");
    }
    const std::size_t scheme_end = scheme_length(text);
    if (scheme_end == 0 || text.substr(scheme_end, 3) != "://") {
        return bad_url(text, "it does not start with a scheme such as https://");
    }
    SanitizedUrl url;
    url.m_scheme = lowercase(text.substr(0, scheme_end));
    if (url.m_scheme != "http" && url.m_scheme != "https") {
        return bad_url(text, fmt::format("the scheme '{}' is not http or https", url.m_scheme));
    }

    const ReferenceParts parts = split_reference(text.substr(scheme_end + 1));
    std::string_view authority = parts.authority.value_or(std::string_view());
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        url.m_userinfo = std::string(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }

    std::string_view port;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos || close == 1) {
            return bad_url(text, "the IPv6 address has no closing ']'");
        }
        const std::string_view literal = authority.substr(1, close - 1);
        if (!std::all_of(literal.begin(), literal.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
            })) {
            return bad_url(text, "the IPv6 address contains characters other than hex digits, ':' and '.'");
        }
        url.m_host = lowercase(authority.substr(0, close + 1));
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) {
                return bad_url(text, "unexpected text after the IPv6 address");
            }
            port = rest.substr(1);
            if (port.empty()) {
                return bad_url(text, "the port is empty");
            }
        }
    } else {
        const std::size_t colon = authority.find(':');
        url.m_host = lowercase(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) {
                return bad_url(text, "the port is empty");
            }
        }
        if (!std::all_of(url.m_host.begin(), url.m_host.end(), is_host_char)) {
            return bad_url(text, "the host contains a character that is not allowed in a host name");
        }
    }
    if (url.m_host.empty()) {
        return bad_url(text, "it has no host");
    }
    if (!port.empty()) {
        int number = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535 ||
            !std::all_of(port.begin(), port.end(), is_digit)) {
            return bad_url(text, fmt::format("the port '{}' is not a number from 1 to 65535", port));
        }
        url.m_port = std::string(port);
    }

    url.m_path = parts.path.empty() ? "/" : std::string(parts.path);
    if (parts.query) {
        url.m_query = std::string(*parts.query);
    }
    if (parts.fragment) {
        url.m_fragment = std::string(*parts.fragment);
    }
    return url;
}

Result<SanitizedUrl> SanitizedUrl::resolve(std::string_view reference) const {
    if (has_forbidden_byte(reference)) {
        return bad_url(reference, "it contains a space, a control character or a non-ASCII byte");
    }
    if (scheme_length(reference) != 0) {
        return parse(reference);
    }
    const ReferenceParts parts = split_reference(reference);
    if (parts.authority) {
        return parse(m_scheme + ":" + std::string(reference));
    }
    SanitizedUrl target = *this;
    target.m_fragment.reset();
    if (parts.fragment) {
        target.m_fragment = std::string(*parts.fragment);
    }
    if (parts.path.empty()) {
        if (parts.query) {
            target.m_query = std::string(*parts.query);
        }
        return target;
    }
    target.m_query.reset();
    if (parts.query) {
        target.m_query = std::string(*parts.query);
    }
    if (parts.path.starts_with('/')) {
        target.m_path = remove_dot_segments(parts.path);
    } else {
        const std::string base_directory = m_path.substr(0, m_path.rfind('/') + 1);
        target.m_path = remove_dot_segments(base_directory + std::string(parts.path));
    }
    if (target.m_path.empty()) {
        target.m_path = "/";
    }
    return target;
}

int SanitizedUrl::port() const {
    if (!m_port.empty()) {
        return std::stoi(m_port);
    }
    return m_scheme == "https" ? 443 : 80;
}

std::string SanitizedUrl::authority() const {
    return m_port.empty() ? m_host : m_host + ":" + m_port;
}

bool SanitizedUrl::same_origin(const SanitizedUrl& other) const {
    return m_scheme == other.m_scheme && m_host == other.m_host && port() == other.port();
}

std::string SanitizedUrl::reveal() const {
    if (empty()) {
        return {};
    }
    std::string out = m_scheme + "://";
    if (!m_userinfo.empty()) {
        out += m_userinfo + "@";
    }
    out += authority() + m_path;
    if (m_query) {
        out += "?" + *m_query;
    }
    if (m_fragment) {
        out += "#" + *m_fragment;
    }
    return out;
}

std::string SanitizedUrl::string() const {
    if (empty()) {
        return {};
    }
    std::string out = m_scheme + "://" + authority() + m_path;
    if (!m_query) {
        return out;
    }
    out += '?';
    std::string_view rest = *m_query;
    bool first = true;
    while (true) {
        const std::size_t amp = rest.find('&');
        const std::string_view field = rest.substr(0, amp);
        if (!first) {
            out += '&';
        }
        first = false;
        const std::size_t equals = field.find('=');
        if (equals != std::string_view::npos && is_sensitive_query_parameter(field.substr(0, equals))) {
            out += field.substr(0, equals + 1);
            out += k_masked;
        } else {
            out += field;
        }
        if (amp == std::string_view::npos) {
            break;
        }
        rest = rest.substr(amp + 1);
    }
    return out;
}

std::vector<Secret> SanitizedUrl::secrets() const {
    std::vector<Secret> found;
    if (!m_userinfo.empty()) {
        found.emplace_back(m_userinfo);
        if (const std::size_t colon = m_userinfo.find(':');
            colon != std::string::npos && colon + 1 < m_userinfo.size()) {
            found.emplace_back(m_userinfo.substr(colon + 1));
        }
    }
    if (!m_query) {
        return found;
    }
    std::string_view rest = *m_query;
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view field = rest.substr(0, amp);
        const std::size_t equals = field.find('=');
        if (equals != std::string_view::npos && equals + 1 < field.size() &&
            is_sensitive_query_parameter(field.substr(0, equals))) {
            found.emplace_back(std::string(field.substr(equals + 1)));
        }
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return found;
}

std::ostream& operator<<(std::ostream& out, const SanitizedUrl& url) {
    return out << url.string();
}

}  // namespace pipeline::http
