#include <pipe/scan/json_events.h>

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace pipeline::scan {
namespace {

constexpr int k_max_depth = 512;

class Reader {
public:
    Reader(std::string_view text, JsonHandler& handler) : m_text(text), m_handler(handler) {}

    std::string run() {
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {
            m_at = 3;  // a UTF-8 byte order mark, which RFC 8259 allows readers to ignore
        }
        skip_space();
        if (!value(0)) {
            return m_error.empty() ? fmt::format("stopped at byte {}", m_at) : m_error;
        }
        skip_space();
        if (m_at != m_text.size()) {
            return fmt::format("unexpected data after the document at byte {}", m_at);
        }
        return {};
    }

private:
    bool fail(std::string_view what) {
        if (m_error.empty()) {
            m_error = fmt::format("{} at byte {}", what, m_at);
        }
        return false;
    }

    void skip_space() {
        while (m_at < m_text.size()) {
            const char c = m_text[m_at];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            ++m_at;
        }
    }

    bool value(int depth) {
        if (m_at >= m_text.size()) {
            return fail("unexpected end of input");
        }
        switch (m_text[m_at]) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"': {
                const bool wanted = m_handler.wants_string();
                if (!string(wanted)) {
                    return false;
                }
                return !wanted || m_handler.string(m_string);
            }
            case 't':
                return word("true") && m_handler.literal();
            case 'f':
                return word("false") && m_handler.literal();
            case 'n':
                return word("null") && m_handler.literal();
            default:
                return number();
        }
    }

    // Reads the items of an object or array after its opening bracket, up to the closing one.
    template <class ReadItem>
    bool items(char close, std::string_view expected, ReadItem read_item) {
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == close) {
            ++m_at;
            return true;
        }
        while (true) {
            skip_space();
            if (!read_item()) {
                return false;
            }
            skip_space();
            if (m_at < m_text.size() && m_text[m_at] == ',') {
                ++m_at;
                continue;
            }
            if (m_at < m_text.size() && m_text[m_at] == close) {
                ++m_at;
                return true;
            }
            return fail(expected);
        }
    }

    bool object(int depth) {
        if (depth > k_max_depth) {
            return fail("nesting too deep");
        }
        ++m_at;
        if (!m_handler.start_object()) {
            return false;
        }
        const bool read = items('}', "expected ',' or '}'", [&] {
            if (m_at >= m_text.size() || m_text[m_at] != '"') {
                return fail("expected a key");
            }
            if (!string(true) || !m_handler.key(m_string)) {
                return false;
            }
            skip_space();
            if (m_at >= m_text.size() || m_text[m_at] != ':') {
                return fail("expected ':'");
            }
            ++m_at;
            skip_space();
            return value(depth);
        });
        return read && m_handler.end_object();
    }

    bool array(int depth) {
        if (depth > k_max_depth) {
            return fail("nesting too deep");
        }
        ++m_at;
        if (!m_handler.start_array()) {
            return false;
        }
        return items(']', "expected ',' or ']'", [&] { return value(depth); }) && m_handler.end_array();
    }

    bool word(std::string_view expected) {
        if (m_text.substr(m_at, expected.size()) != expected) {
            return fail("invalid literal");
        }
        m_at += expected.size();
        return true;
    }

    bool number() {
        const std::size_t start = m_at;
        if (m_at < m_text.size() && m_text[m_at] == '-') {
            ++m_at;
        }
        if (m_at >= m_text.size() || !digit(m_text[m_at])) {
            return fail("invalid value");
        }
        if (m_text[m_at] == '0') {
            ++m_at;
        } else {
            skip_digits();
        }
        if (m_at < m_text.size() && m_text[m_at] == '.') {
            ++m_at;
            if (m_at >= m_text.size() || !digit(m_text[m_at])) {
                return fail("invalid number");
            }
            skip_digits();
        }
        if (m_at < m_text.size() && (m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
            ++m_at;
            if (m_at < m_text.size() && (m_text[m_at] == '+' || m_text[m_at] == '-')) {
                ++m_at;
            }
            if (m_at >= m_text.size() || !digit(m_text[m_at])) {
                return fail("invalid number");
            }
            skip_digits();
        }
        double parsed = 0.0;
        const auto [end, error] = std::from_chars(m_text.data() + start, m_text.data() + m_at, parsed);
        (void)end;
        if (error == std::errc::invalid_argument) {
            return fail("invalid number");
        }
        return m_handler.number(parsed);
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    void skip_digits() {
        while (m_at < m_text.size() && digit(m_text[m_at])) {
            ++m_at;
        }
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    bool hex4(std::uint32_t& out) {
        if (m_at + 4 > m_text.size()) {
            return fail("truncated \\u escape");
        }
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const int v = hex_value(m_text[m_at++]);
            if (v < 0) {
                return fail("invalid \\u escape");
            }
            out = out * 16 + static_cast<std::uint32_t>(v);
        }
        return true;
    }

    void append_utf8(std::uint32_t code) {
        if (code < 0x80) {
            m_string += static_cast<char>(code);
        } else if (code < 0x800) {
            m_string += static_cast<char>(0xC0U | (code >> 6U));
            m_string += static_cast<char>(0x80U | (code & 0x3FU));
        } else if (code < 0x10000) {
            m_string += static_cast<char>(0xE0U | (code >> 12U));
            m_string += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
            m_string += static_cast<char>(0x80U | (code & 0x3FU));
        } else {
            m_string += static_cast<char>(0xF0U | (code >> 18U));
            m_string += static_cast<char>(0x80U | ((code >> 12U) & 0x3FU));
            m_string += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
            m_string += static_cast<char>(0x80U | (code & 0x3FU));
        }
    }

    // Reads the string at m_at (its opening quote); keeps its value in m_string when keep is set.
    bool string(bool keep) {
        ++m_at;
        m_string.clear();
        std::size_t run = m_at;
        while (true) {
            while (m_at < m_text.size()) {
                const auto c = static_cast<unsigned char>(m_text[m_at]);
                if (c == '"' || c == '\\' || c < 0x20) {
                    break;
                }
                ++m_at;
            }
            if (m_at >= m_text.size()) {
                return fail("unterminated string");
            }
            const char c = m_text[m_at];
            if (keep) {
                m_string.append(m_text.data() + run, m_at - run);
            }
            if (c == '"') {
                ++m_at;
                return true;
            }
            if (c != '\\') {
                return fail("control character in string");
            }
            ++m_at;
            if (m_at >= m_text.size()) {
                return fail("unterminated string");
            }
            const char escape = m_text[m_at++];
            char plain = 0;
            switch (escape) {
                case '"':
                case '\\':
                case '/':
                    plain = escape;
                    break;
                case 'b':
                    plain = '\b';
                    break;
                case 'f':
                    plain = '\f';
                    break;
                case 'n':
                    plain = '\n';
                    break;
                case 'r':
                    plain = '\r';
                    break;
                case 't':
                    plain = '\t';
                    break;
                case 'u': {
                    std::uint32_t code = 0;
                    if (!hex4(code)) {
                        return false;
                    }
                    if (code >= 0xD800 && code <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (m_text.substr(m_at, 2) != "\\u") {
                            return fail("unpaired surrogate");
                        }
                        m_at += 2;
                        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) {
                            return fail("unpaired surrogate");
                        }
                        code = 0x10000 + ((code - 0xD800) << 10U) + (low - 0xDC00);
                    } else if (code >= 0xDC00 && code <= 0xDFFF) {
                        return fail("unpaired surrogate");
                    }
                    if (keep) {
                        append_utf8(code);
                    }
                    run = m_at;
                    continue;
                }
                default:
                    return fail("invalid escape");
            }
            if (keep) {
                m_string += plain;
            }
            run = m_at;
        }
    }

    std::string_view m_text;
    JsonHandler& m_handler;
    std::size_t m_at = 0;
    std::string m_string;
    std::string m_error;
};

}  // namespace

std::string read_json(std::string_view text, JsonHandler& handler) {
    return Reader(text, handler).run();
}

}  // namespace pipeline::scan
