#include "template_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace pipeline::meta {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Characters that may follow an identifier.
bool is_lookahead(char c) {
    return c == '=' || c == '~' || c == '}' || is_space(c) || c == '/' || c == '.' || c == ')' || c == '|';
}

// Characters that may follow a number, boolean, null or undefined literal.
bool is_literal_lookahead(char c) {
    return c == '~' || c == '}' || is_space(c) || c == ')';
}

bool is_id_char(char c) {
    static constexpr std::string_view k_excluded = "!\"#%&'()*+,./;<=>@[\\]^`{|}~";
    return !is_space(c) && c != '\0' && k_excluded.find(c) == std::string_view::npos;
}

Error template_error(std::string message, std::string hint = {}) {
    return config_error({}, std::move(message), std::move(hint));
}

// A token inside {{ }}.
struct Token {
    enum class Kind {
        id,
        literal_id,
        sep,
        equals,
        data,
        string,
        number,
        boolean,
        undefined,
        null,
        close,
        close_unescaped,
        unsupported,
        invalid,
        end
    };
    Kind kind = Kind::end;
    std::string text;
    bool strip = false;  // a `~` on a closing token
};

// Reads a template the way Handlebars' lexer and parser do, for the supported subset.
class TemplateParser {
public:
    explicit TemplateParser(std::string_view text) : m_text(text) {}

    Result<std::vector<TemplateNode>> run() {
        while (m_pos < m_text.size()) {
            const std::size_t open = m_text.find("{{", m_pos);
            if (open == std::string_view::npos) {
                add_text(m_text.substr(m_pos));
                break;
            }
            std::string_view content = m_text.substr(m_pos, open - m_pos);
            const bool double_backslash = content.size() >= 2 && content.substr(content.size() - 2) == "\\\\";
            if (!double_backslash && !content.empty() && content.back() == '\\') {
                add_text(content.substr(0, content.size() - 1));
                add_escaped_mustache(open);
                continue;
            }
            add_text(double_backslash ? content.substr(0, content.size() - 1) : content);
            m_pos = open;
            if (Result<void> parsed = mustache(); !parsed) {
                return parsed.error();
            }
        }
        apply_whitespace_control();
        return std::move(m_nodes);
    }

private:
    struct Strip {
        bool before = false;
        bool after = false;
    };

    void add_text(std::string_view text) {
        if (!text.empty()) {
            m_nodes.push_back(TemplateNode{TemplateNode::Kind::text, std::string(text), {}});
            m_strips.emplace_back();
        }
    }

    // After `\{{`: everything up to the next `{{` (at least two characters) is literal text.
    void add_escaped_mustache(std::size_t open) {
        std::size_t end = open + 2;
        while (end < m_text.size()) {
            const std::string_view rest = m_text.substr(end);
            if (rest.rfind("{{", 0) == 0 || rest.rfind("\\{{", 0) == 0 || rest.rfind("\\\\{{", 0) == 0) {
                break;
            }
            ++end;
        }
        add_text(m_text.substr(open, end - open));
        m_pos = end;
    }

    char peek(std::size_t offset = 0) const { return m_pos + offset < m_text.size() ? m_text[m_pos + offset] : '\0'; }

    bool starts_with(std::string_view prefix) const { return m_text.substr(m_pos).rfind(prefix, 0) == 0; }

    Result<void> comment(bool strip_before) {
        std::size_t close = 0;
        bool strip_after = false;
        if (starts_with("!--")) {
            close = std::string_view::npos;
            for (std::size_t dashes = m_text.find("--", m_pos + 3); dashes != std::string_view::npos;
                 dashes = m_text.find("--", dashes + 1)) {
                const std::string_view rest = m_text.substr(dashes + 2);
                if (rest.rfind("}}", 0) == 0 || rest.rfind("~}}", 0) == 0) {
                    strip_after = rest.front() == '~';
                    close = dashes + (strip_after ? 5 : 4);
                    break;
                }
            }
        } else {
            const std::size_t braces = m_text.find("}}", m_pos + 1);
            close = braces == std::string_view::npos ? braces : braces + 2;
            strip_after = braces != std::string_view::npos && m_text[braces - 1] == '~';
        }
        if (close == std::string_view::npos) {
            return template_error("a {{! comment }} is not closed");
        }
        m_nodes.push_back(TemplateNode{TemplateNode::Kind::comment, {}, {}});
        m_strips.push_back(Strip{strip_before, strip_after});
        m_pos = close;
        return {};
    }

    Token next_token() {
        while (is_space(peek())) {
            ++m_pos;
        }
        Token token;
        const char c = peek();
        if (c == '\0' && m_pos >= m_text.size()) {
            return token;
        }
        if (starts_with("}}}}") || starts_with("{{") || c == '(' || c == ')' || c == '|') {
            token.kind = Token::Kind::unsupported;
            token.text = std::string(1, c);
            ++m_pos;
            return token;
        }
        if (c == '=') {
            ++m_pos;
            token.kind = Token::Kind::equals;
            return token;
        }
        if (starts_with("..")) {
            m_pos += 2;
            token.kind = Token::Kind::id;
            token.text = "..";
            return token;
        }
        if (c == '.' && is_lookahead(peek(1))) {
            ++m_pos;
            token.kind = Token::Kind::id;
            token.text = ".";
            return token;
        }
        if (c == '.' || c == '/') {
            ++m_pos;
            token.kind = Token::Kind::sep;
            return token;
        }
        if (starts_with("}}}") || starts_with("}~}}")) {
            token.kind = Token::Kind::close_unescaped;
            token.strip = peek(1) == '~';
            m_pos += token.strip ? 4 : 3;
            return token;
        }
        if (starts_with("}}") || starts_with("~}}")) {
            token.kind = Token::Kind::close;
            token.strip = c == '~';
            m_pos += token.strip ? 3 : 2;
            return token;
        }
        if (c == '"' || c == '\'') {
            return string_token(c);
        }
        if (c == '@') {
            ++m_pos;
            token.kind = Token::Kind::data;
            return token;
        }
        if (std::optional<Token> literal = literal_token()) {
            return *literal;
        }
        if (c == '[') {
            const std::size_t close = m_text.find(']', m_pos + 1);
            if (close != std::string_view::npos) {
                token.kind = Token::Kind::literal_id;
                token.text = std::string(m_text.substr(m_pos + 1, close - m_pos - 1));
                m_pos = close + 1;
                return token;
            }
        }
        std::size_t end = m_pos;
        while (end < m_text.size() && is_id_char(m_text[end])) {
            ++end;
        }
        if (end > m_pos && end < m_text.size() && is_lookahead(m_text[end])) {
            token.kind = Token::Kind::id;
            token.text = std::string(m_text.substr(m_pos, end - m_pos));
            m_pos = end;
            return token;
        }
        token.kind = Token::Kind::invalid;
        token.text = std::string(1, c);
        ++m_pos;
        return token;
    }

    Token string_token(char quote) {
        Token token;
        std::string text;
        for (std::size_t i = m_pos + 1; i < m_text.size(); ++i) {
            if (m_text[i] == '\\' && i + 1 < m_text.size() && m_text[i + 1] == quote) {
                text += quote;
                ++i;
            } else if (m_text[i] == quote) {
                token.kind = Token::Kind::string;
                token.text = std::move(text);
                m_pos = i + 1;
                return token;
            } else {
                text += m_text[i];
            }
        }
        token.kind = Token::Kind::invalid;
        token.text = std::string(1, quote);
        m_pos = m_text.size();
        return token;
    }

    std::optional<Token> literal_token() {
        static const std::pair<std::string_view, Token::Kind> k_words[] = {
            {"true", Token::Kind::boolean},
            {"false", Token::Kind::boolean},
            {"undefined", Token::Kind::undefined},
            {"null", Token::Kind::null},
        };
        for (const auto& [word, kind] : k_words) {
            if (starts_with(word) && is_literal_lookahead(peek(word.size()))) {
                m_pos += word.size();
                return Token{kind, std::string(word), false};
            }
        }
        std::size_t end = m_pos;
        if (end < m_text.size() && m_text[end] == '-') {
            ++end;
        }
        const std::size_t digits_start = end;
        while (end < m_text.size() && m_text[end] >= '0' && m_text[end] <= '9') {
            ++end;
        }
        if (end == digits_start) {
            return std::nullopt;
        }
        if (end + 1 < m_text.size() && m_text[end] == '.' && m_text[end + 1] >= '0' && m_text[end + 1] <= '9') {
            ++end;
            while (end < m_text.size() && m_text[end] >= '0' && m_text[end] <= '9') {
                ++end;
            }
        }
        if (end >= m_text.size() || !is_literal_lookahead(m_text[end])) {
            return std::nullopt;
        }
        Token token{Token::Kind::number, std::string(m_text.substr(m_pos, end - m_pos)), false};
        m_pos = end;
        return token;
    }

    // A path or literal starting with first; consumes following `.`/`/` segments.
    Result<TemplateValue> value_from(const Token& first) {
        TemplateValue value;
        switch (first.kind) {
            case Token::Kind::string:
                value.kind = TemplateValue::Kind::string;
                value.text = first.text;
                return value;
            case Token::Kind::number:
                value.kind = TemplateValue::Kind::number;
                value.text = first.text;
                return value;
            case Token::Kind::boolean:
                value.kind = TemplateValue::Kind::boolean;
                value.text = first.text;
                return value;
            case Token::Kind::undefined:
                value.kind = TemplateValue::Kind::undefined;
                value.text = first.text;
                return value;
            case Token::Kind::null:
                value.kind = TemplateValue::Kind::null;
                value.text = first.text;
                return value;
            case Token::Kind::data: {
                Token id = next_token();
                if (id.kind != Token::Kind::id && id.kind != Token::Kind::literal_id) {
                    return template_error("@ must be followed by a name");
                }
                Result<TemplateValue> path = value_from(id);
                if (path) {
                    path->data = true;
                    path->text = "@" + path->text;
                }
                return path;
            }
            case Token::Kind::id:
            case Token::Kind::literal_id:
                return path_from(first);
            default:
                return template_error(fmt::format("unexpected \"{}\" in {{{{ }}}}", first.text));
        }
    }

    Result<TemplateValue> path_from(const Token& first) {
        TemplateValue value;
        value.kind = TemplateValue::Kind::path;
        std::vector<Token> segments{first};
        value.text = first.kind == Token::Kind::literal_id ? "[" + first.text + "]" : first.text;
        while (true) {
            const std::size_t saved = m_pos;
            Token separator = next_token();
            if (separator.kind != Token::Kind::sep) {
                m_pos = saved;
                break;
            }
            const char written = m_text[m_pos - 1];
            Token segment = next_token();
            if (segment.kind != Token::Kind::id && segment.kind != Token::Kind::literal_id) {
                return template_error(fmt::format("a path ends with \"{}\"", written));
            }
            value.text += written + (segment.kind == Token::Kind::literal_id ? "[" + segment.text + "]" : segment.text);
            segments.push_back(segment);
        }
        for (const Token& segment : segments) {
            const bool special = segment.kind == Token::Kind::id &&
                                 (segment.text == ".." || segment.text == "." || segment.text == "this");
            if (!special) {
                value.parts.push_back(segment.text);
                continue;
            }
            if (!value.parts.empty()) {
                return template_error(fmt::format("invalid path \"{}\"", value.text));
            }
            value.scoped = true;
            if (segment.text == "..") {
                ++value.depth;
            }
        }
        return value;
    }

    Result<void> mustache() {
        m_pos += 2;
        const bool strip_before = peek() == '~';
        if (strip_before) {
            ++m_pos;
        }
        if (peek() == '!') {
            return comment(strip_before);
        }
        if (m_text.find("}}", m_pos) == std::string_view::npos) {
            return template_error("a {{ expression is not closed");
        }
        if (starts_with("{{") || peek() == '>' || peek() == '#' || peek() == '/' || peek() == '^' || peek() == '*') {
            return template_error(fmt::format("\"{{{{{}\" (blocks, partials and decorators) is not supported", peek()),
                                  "use plain {{name}} expressions");
        }
        std::size_t probe = m_pos;
        while (probe < m_text.size() && is_space(m_text[probe])) {
            ++probe;
        }
        if (m_text.substr(probe).rfind("else", 0) == 0) {
            return template_error("{{else}} outside a block");
        }
        TemplateExpression expression;
        bool triple = false;
        if (peek() == '{') {
            triple = true;
            expression.escaped = false;
            ++m_pos;
        } else if (peek() == '&') {
            expression.escaped = false;
            ++m_pos;
        }
        Token first = next_token();
        if (first.kind == Token::Kind::close || first.kind == Token::Kind::close_unescaped ||
            first.kind == Token::Kind::end) {
            return template_error("an empty {{ }} expression");
        }
        Result<TemplateValue> name = value_from(first);
        if (!name) {
            return name.error();
        }
        expression.name = std::move(*name);
        while (true) {
            Token token = next_token();
            if (token.kind == Token::Kind::close || token.kind == Token::Kind::close_unescaped) {
                if ((token.kind == Token::Kind::close_unescaped) != triple) {
                    return template_error(triple ? "{{{ is closed by }} instead of }}}"
                                                 : "}}} closes an expression opened with {{");
                }
                m_nodes.push_back(TemplateNode{TemplateNode::Kind::expression, {}, std::move(expression)});
                m_strips.push_back(Strip{strip_before, token.strip});
                return {};
            }
            if (token.kind == Token::Kind::end) {
                return template_error("a {{ expression is not closed");
            }
            if (token.kind == Token::Kind::unsupported) {
                return template_error(
                    fmt::format("\"{}\" in {{{{ }}}} is not supported (sub-expressions, block parameters, nested {{{{)",
                                token.text));
            }
            if (token.kind == Token::Kind::invalid || token.kind == Token::Kind::sep ||
                token.kind == Token::Kind::equals) {
                return template_error(
                    fmt::format("unexpected \"{}\" in {{{{ }}}}", token.text.empty() ? "=" : token.text));
            }
            const std::size_t saved = m_pos;
            if (token.kind == Token::Kind::id && next_token().kind == Token::Kind::equals) {
                Token value_token = next_token();
                Result<TemplateValue> value = value_from(value_token);
                if (!value) {
                    return value.error();
                }
                expression.hash.emplace_back(token.text, std::move(*value));
                continue;
            }
            m_pos = saved;
            if (!expression.hash.empty()) {
                return template_error("a positional argument follows key=value arguments");
            }
            Result<TemplateValue> param = value_from(token);
            if (!param) {
                return param.error();
            }
            expression.params.push_back(std::move(*param));
        }
    }

    // `~` removes the whitespace next to an expression in the neighbouring text nodes.
    void apply_whitespace_control() {
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            if (m_strips[i].before && i > 0 && m_nodes[i - 1].kind == TemplateNode::Kind::text) {
                std::string& text = m_nodes[i - 1].text;
                while (!text.empty() && is_space(text.back())) {
                    text.pop_back();
                }
            }
            if (m_strips[i].after && i + 1 < m_nodes.size() && m_nodes[i + 1].kind == TemplateNode::Kind::text) {
                std::string& text = m_nodes[i + 1].text;
                const std::size_t kept =
                    std::find_if(text.begin(), text.end(), [](char c) { return !is_space(c); }) - text.begin();
                text.erase(0, kept);
            }
        }
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::vector<TemplateNode> m_nodes;
    std::vector<Strip> m_strips;
};

}  // namespace

Result<std::vector<TemplateNode>> parse_template_nodes(std::string_view text) {
    return TemplateParser(text).run();
}

}  // namespace pipeline::meta
