#include <pipe/http/www_authenticate.h>

#include <pipe/http/headers.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace pipeline::http {
namespace {

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token68_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-._~+/").find(c) != std::string_view::npos;
}

// Control characters other than HTAB may not appear in a quoted string.
bool is_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

// A scanner over one field value. Each element between commas is either the start of a new
// challenge (scheme, then space) or one more auth-param of the current challenge; a param-looking
// element after a parameterless challenge is attached to it, as lenient clients do.
class ChallengeParser {
public:
    explicit ChallengeParser(std::string_view text) : m_text(text) {}

    Result<std::vector<Challenge>> parse() {
        std::vector<Challenge> challenges;
        while (true) {
            skip_spaces();
            if (at_end()) {
                break;
            }
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (!challenges.empty() && !challenges.back().token68 && looks_like_param()) {
                if (std::optional<Error> error = parse_param(challenges.back())) {
                    return *error;
                }
            } else {
                Result<Challenge> challenge = parse_challenge();
                if (!challenge) {
                    return challenge.error();
                }
                challenges.push_back(std::move(*challenge));
            }
            skip_spaces();
            if (!at_end() && peek() != ',') {
                return fail("expected ',' before the next parameter or challenge");
            }
        }
        if (challenges.empty()) {
            return fail("it holds no challenge");
        }
        return challenges;
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }

    void skip_spaces() {
        while (!at_end() && (peek() == ' ' || peek() == '\t')) {
            ++m_pos;
        }
    }

    std::string_view token() {
        const std::size_t start = m_pos;
        while (!at_end() && is_tchar(peek())) {
            ++m_pos;
        }
        return m_text.substr(start, m_pos - start);
    }

    Error fail(std::string_view problem) const {
        return runtime_error(
            fmt::format("malformed WWW-Authenticate header at column {}: {}", m_pos + 1, problem),
            "the registry (or a proxy in front of it) sent an authentication challenge pipe cannot read");
    }

    // True when the text at the cursor is `token BWS "=" BWS (token / quoted-string)`.
    bool looks_like_param() const {
        std::size_t at = m_pos;
        while (at < m_text.size() && is_tchar(m_text[at])) {
            ++at;
        }
        if (at == m_pos) {
            return false;
        }
        const auto skip = [this](std::size_t from) {
            while (from < m_text.size() && (m_text[from] == ' ' || m_text[from] == '\t')) {
                ++from;
            }
            return from;
        };
        at = skip(at);
        if (at >= m_text.size() || m_text[at] != '=') {
            return false;
        }
        at = skip(at + 1);
        return at < m_text.size() && (m_text[at] == '"' || is_tchar(m_text[at]));
    }

    Result<Challenge> parse_challenge() {
        Challenge challenge;
        const std::string_view scheme = token();
        if (scheme.empty()) {
            return fail("expected an authentication scheme such as Bearer or Basic");
        }
        challenge.scheme = lowercase(scheme);
        if (at_end() || peek() == ',') {
            return challenge;
        }
        if (peek() != ' ' && peek() != '\t') {
            return fail("expected a space after the scheme");
        }
        skip_spaces();
        if (at_end() || peek() == ',') {
            return challenge;
        }
        if (looks_like_param()) {
            if (std::optional<Error> error = parse_param(challenge)) {
                return *error;
            }
            return challenge;
        }
        const std::size_t start = m_pos;
        while (!at_end() && is_token68_char(peek())) {
            ++m_pos;
        }
        if (m_pos == start) {
            return fail("expected parameters or a token68 after the scheme");
        }
        while (!at_end() && peek() == '=') {
            ++m_pos;
        }
        challenge.token68 = std::string(m_text.substr(start, m_pos - start));
        return challenge;
    }

    std::optional<Error> parse_param(Challenge& challenge) {
        const std::size_t name_at = m_pos;
        const std::string name = lowercase(token());
        skip_spaces();
        ++m_pos;  // the '=' that looks_like_param() saw
        skip_spaces();
        std::string value;
        if (peek() == '"') {
            if (std::optional<Error> error = quoted_string(value)) {
                return error;
            }
        } else {
            value = token();
        }
        if (challenge.param(name)) {
            m_pos = name_at;
            return fail(fmt::format("the parameter '{}' appears twice in one challenge", name));
        }
        challenge.params.emplace_back(name, std::move(value));
        return std::nullopt;
    }

    std::optional<Error> quoted_string(std::string& value) {
        const std::size_t opening = m_pos;
        ++m_pos;
        while (!at_end()) {
            char c = peek();
            if (c == '"') {
                ++m_pos;
                return std::nullopt;
            }
            if (c == '\\') {
                ++m_pos;
                if (at_end()) {
                    break;
                }
                c = peek();
            }
            if (is_control(c)) {
                return fail("a control character inside a quoted string");
            }
            value += c;
            ++m_pos;
        }
        m_pos = opening;
        return fail("this quoted string is not closed");
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace

std::optional<std::string_view> Challenge::param(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (header_name_equal(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value) {
    return ChallengeParser(value).parse();
}

Result<std::vector<Challenge>> parse_www_authenticate(const std::vector<std::string_view>& values) {
    std::vector<Challenge> all;
    for (std::string_view value : values) {
        Result<std::vector<Challenge>> parsed = parse_www_authenticate(value);
        if (!parsed) {
            return parsed.error();
        }
        all.insert(all.end(), std::make_move_iterator(parsed->begin()), std::make_move_iterator(parsed->end()));
    }
    if (all.empty()) {
        return runtime_error("the response has no WWW-Authenticate header",
                             "the server asked for authentication without saying how");
    }
    return all;
}

const Challenge* find_challenge(const std::vector<Challenge>& challenges, std::string_view scheme) {
    const auto found = std::find_if(challenges.begin(), challenges.end(), [scheme](const Challenge& challenge) {
        return header_name_equal(challenge.scheme, scheme);
    });
    return found == challenges.end() ? nullptr : &*found;
}

std::string describe(const Challenge& challenge) {
    std::string text = challenge.scheme;
    if (challenge.token68) {
        return text + " " + *challenge.token68;
    }
    for (std::size_t i = 0; i < challenge.params.size(); ++i) {
        text += i == 0 ? " " : ", ";
        text += challenge.params[i].first + "=\"";
        for (char c : challenge.params[i].second) {
            if (c == '"' || c == '\\') {
                text += '\\';
            }
            text += c;
        }
        text += '"';
    }
    return text;
}

}  // namespace pipeline::http
