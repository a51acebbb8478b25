#include <pipe/bump/scalar_text.h>

#include <fmt/format.h>

#include <regex>
#include <vector>

namespace pipeline::bump {
namespace {

bool blank(char c) {
    return c == ' ' || c == '\t';
}

bool line_break(char c) {
    return c == '\n' || c == '\r';
}

bool space_or_break(char c) {
    return blank(c) || line_break(c);
}

// The position after the line break at pos (\n, \r\n or \r).
std::size_t skip_break(std::string_view text, std::size_t pos) {
    if (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') {
        return pos + 2;
    }
    return pos + 1;
}

std::size_t line_end(std::string_view text, std::size_t pos) {
    while (pos < text.size() && !line_break(text[pos])) {
        ++pos;
    }
    return pos;
}

std::size_t line_start(std::string_view text, std::size_t pos) {
    while (pos > 0 && !line_break(text[pos - 1])) {
        --pos;
    }
    return pos;
}

std::size_t indentation(std::string_view text, std::size_t start) {
    std::size_t pos = start;
    while (pos < text.size() && text[pos] == ' ') {
        ++pos;
    }
    return pos - start;
}

// Skips anchors, tags, white space, line breaks and comments between a node's mark and its scalar;
// last_property is set to the end of the last anchor or tag.
std::size_t skip_properties(std::string_view text, std::size_t pos, std::size_t& last_property) {
    last_property = pos;
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == '&' || c == '!') {
            if (c == '!' && pos + 1 < text.size() && text[pos + 1] == '<') {
                while (pos < text.size() && text[pos] != '>') {
                    ++pos;
                }
                ++pos;
                last_property = pos;
                continue;
            }
            while (pos < text.size() && !space_or_break(text[pos])) {
                ++pos;
            }
            last_property = pos;
        } else if (space_or_break(c)) {
            ++pos;
        } else if (c == '#' && pos > 0 && space_or_break(text[pos - 1])) {
            pos = line_end(text, pos);
        } else {
            break;
        }
    }
    return pos;
}

std::optional<std::size_t> double_quoted_end(std::string_view text, std::size_t start) {
    for (std::size_t pos = start + 1; pos < text.size(); ++pos) {
        if (text[pos] == '\\') {
            ++pos;
        } else if (text[pos] == '"') {
            return pos + 1;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> single_quoted_end(std::string_view text, std::size_t start) {
    for (std::size_t pos = start + 1; pos < text.size(); ++pos) {
        if (text[pos] == '\'') {
            if (pos + 1 < text.size() && text[pos + 1] == '\'') {
                ++pos;
            } else {
                return pos + 1;
            }
        }
    }
    return std::nullopt;
}

// The block scalar header's indicators after '|' or '>': digits and one of '+', '-'.
std::size_t header_indicators_end(std::string_view text, std::size_t start) {
    std::size_t pos = start + 1;
    while (pos < text.size() && (text[pos] == '+' || text[pos] == '-' || (text[pos] >= '0' && text[pos] <= '9'))) {
        ++pos;
    }
    return pos;
}

// The end of the last content line of the block scalar whose header starts at start.
std::size_t block_end(std::string_view text, std::size_t start) {
    const std::size_t indicators_end = header_indicators_end(text, start);
    std::size_t explicit_indent = 0;
    for (std::size_t pos = start + 1; pos < indicators_end; ++pos) {
        if (text[pos] >= '1' && text[pos] <= '9') {
            explicit_indent = static_cast<std::size_t>(text[pos] - '0');
        }
    }
    const std::size_t header_line_indent = indentation(text, line_start(text, start));
    std::size_t end = line_end(text, start);
    std::size_t content_indent = explicit_indent > 0 ? header_line_indent + explicit_indent : 0;
    std::size_t pos = end;
    while (pos < text.size()) {
        const std::size_t next = skip_break(text, pos);
        if (next >= text.size()) {
            break;
        }
        const std::size_t indent = indentation(text, next);
        const std::size_t next_end = line_end(text, next);
        std::size_t first = next + indent;
        while (first < next_end && blank(text[first])) {
            ++first;
        }
        if (first == next_end) {
            pos = next_end;
            continue;
        }
        if (content_indent == 0) {
            if (indent <= header_line_indent) {
                break;
            }
            content_indent = indent;
        }
        if (indent < content_indent ||
            (indent == 0 && (text.substr(next, 3) == "---" || text.substr(next, 3) == "..."))) {
            break;
        }
        end = next_end;
        pos = next_end;
    }
    return end;
}

// Matches a plain scalar's text against its folded value, so the span ends exactly after it.
std::optional<std::size_t> plain_end(std::string_view text, std::size_t start, std::string_view value) {
    std::size_t pos = start;
    std::size_t j = 0;
    while (j < value.size()) {
        if (pos >= text.size()) {
            return std::nullopt;
        }
        const char c = text[pos];
        if (space_or_break(c)) {
            std::size_t ahead = pos;
            while (ahead < text.size() && blank(text[ahead])) {
                ++ahead;
            }
            if (ahead < text.size() && line_break(text[ahead])) {
                std::size_t breaks = 0;
                while (ahead < text.size() && space_or_break(text[ahead])) {
                    if (line_break(text[ahead])) {
                        ahead = skip_break(text, ahead);
                        ++breaks;
                    } else {
                        ++ahead;
                    }
                }
                if (breaks == 1) {
                    if (value[j] != ' ') {
                        return std::nullopt;
                    }
                    ++j;
                } else {
                    for (std::size_t k = 1; k < breaks; ++k, ++j) {
                        if (j >= value.size() || value[j] != '\n') {
                            return std::nullopt;
                        }
                    }
                }
                pos = ahead;
                continue;
            }
        }
        if (value[j] != c) {
            return std::nullopt;
        }
        ++pos;
        ++j;
    }
    return pos;
}

bool printable(unsigned char c) {
    return c >= 0x20 && c != 0x7f;
}

bool plain_fits(std::string_view value, bool flow_context) {
    if (value.empty() || blank(value.front()) || blank(value.back())) {
        return false;
    }
    for (const char c : value) {
        if (!printable(static_cast<unsigned char>(c))) {
            return false;
        }
        if (flow_context && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}')) {
            return false;
        }
    }
    static const std::string_view k_indicators = "-?:,[]{}#&*!|>'\"%@`";
    if (k_indicators.find(value.front()) != std::string_view::npos) {
        const bool dash_like = value.front() == '-' || value.front() == '?' || value.front() == ':';
        if (!dash_like || value.size() < 2 || blank(value[1])) {
            return false;
        }
    }
    if (value.substr(0, 3) == "---" || value.substr(0, 3) == "...") {
        return false;
    }
    return value.find(": ") == std::string_view::npos && value.find(" #") == std::string_view::npos &&
           value.back() != ':';
}

bool single_fits(std::string_view value) {
    for (const char c : value) {
        if (!printable(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

std::string double_quoted(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (printable(static_cast<unsigned char>(c))) {
                    out += c;
                } else {
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                }
        }
    }
    return out + "\"";
}

std::string single_quoted(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

// Writes value as a literal/folded block scalar keeping the header's style, indentation indicator
// and comment; nullopt when a block scalar of that header cannot hold it.
std::optional<std::string> block_scalar(std::string_view text, const ScalarSpan& span, std::string_view value) {
    const std::size_t indicators_end = header_indicators_end(text, span.start);
    std::string indicators(text.substr(span.start + 1, indicators_end - span.start - 1));
    if (indicators.find('+') != std::string::npos) {
        return std::nullopt;
    }
    std::size_t trailing = 0;
    while (trailing < value.size() && value[value.size() - 1 - trailing] == '\n') {
        ++trailing;
    }
    if (trailing > 1) {
        return std::nullopt;
    }
    const std::string_view body = value.substr(0, value.size() - trailing);
    const std::size_t header_end = line_end(text, span.start);
    const std::string_view header_rest = text.substr(indicators_end, header_end - indicators_end);
    const std::string eol = header_end + 1 < text.size() && text[header_end] == '\r' && text[header_end + 1] == '\n'
                                ? "\r\n"
                                : (header_end < text.size() && text[header_end] == '\r' ? "\r" : "\n");
    const std::size_t header_indent = indentation(text, line_start(text, span.start));
    const std::size_t explicit_digit = indicators.find_first_of("123456789");
    const bool explicit_indent = explicit_digit != std::string::npos;
    std::size_t indent = header_indent + 2;
    if (explicit_indent) {
        indent = header_indent + static_cast<std::size_t>(indicators[explicit_digit] - '0');
    } else if (header_end < span.end) {
        indent = indentation(text, skip_break(text, header_end));
    }
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; !body.empty();) {
        const std::size_t next = body.find('\n', pos);
        lines.push_back(body.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
        if (next == std::string_view::npos) {
            break;
        }
        pos = next + 1;
    }
    char style = text[span.start];
    bool first_content = true;
    for (const std::string_view line : lines) {
        for (const char c : line) {
            if (!printable(static_cast<unsigned char>(c)) && c != '\t') {
                return std::nullopt;
            }
        }
        if (!line.empty() && first_content && blank(line.front()) && !explicit_indent) {
            return std::nullopt;
        }
        if (!line.empty()) {
            first_content = false;
        }
        if (style == '>' && (lines.size() > 1 || (!line.empty() && blank(line.front())))) {
            style = '|';
        }
    }
    std::string chomp = trailing == 0 ? "-" : "";
    std::string rebuilt;
    bool placed = false;
    for (const char c : indicators) {
        if (c == '-') {
            rebuilt += chomp;
            placed = true;
        } else {
            rebuilt += c;
        }
    }
    if (!placed) {
        rebuilt += chomp;
    }
    std::string out(1, style);
    out += rebuilt;
    out += header_rest;
    for (const std::string_view line : lines) {
        out += eol;
        if (!line.empty()) {
            out += std::string(indent, ' ');
            out += line;
        }
    }
    return out;
}

}  // namespace

std::optional<ScalarSpan> find_scalar_span(std::string_view text, std::size_t mark_pos, std::string_view value) {
    if (mark_pos > text.size()) {
        return std::nullopt;
    }
    std::size_t last_property = mark_pos;
    const std::size_t start = skip_properties(text, mark_pos, last_property);
    const bool quoted_or_block =
        start < text.size() && std::string_view("\"'|>").find(text[start]) != std::string_view::npos;
    if (value.empty() && !quoted_or_block) {
        return ScalarSpan{last_property, last_property, ScalarStyle::plain};
    }
    if (start >= text.size()) {
        return std::nullopt;
    }
    std::optional<std::size_t> end;
    ScalarStyle style = ScalarStyle::plain;
    switch (text[start]) {
        case '"':
            style = ScalarStyle::double_quoted;
            end = double_quoted_end(text, start);
            break;
        case '\'':
            style = ScalarStyle::single_quoted;
            end = single_quoted_end(text, start);
            break;
        case '|':
        case '>':
            style = text[start] == '|' ? ScalarStyle::literal : ScalarStyle::folded;
            end = block_end(text, start);
            break;
        default:
            end = plain_end(text, start, value);
    }
    if (!end) {
        return std::nullopt;
    }
    return ScalarSpan{start, *end, style};
}

bool plain_is_not_string(std::string_view value) {
    static const std::regex k_non_string(
        "~|null|Null|NULL|"
        "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
        "[-+]?(0|[1-9][0-9_]*)|[-+]?0[0-7_]+|0o[0-7]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|"
        "[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)|"
        "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?|"
        "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[-+]?[0-9]+");
    if (value.empty()) {
        return true;
    }
    if (value.size() > 64) {
        return false;
    }
    return std::regex_match(value.begin(), value.end(), k_non_string);
}

RenderedScalar render_scalar(std::string_view text, const ScalarSpan& span, std::string_view old_value,
                             std::string_view value, bool flow_context) {
    switch (span.style) {
        case ScalarStyle::plain:
            if (plain_fits(value, flow_context) && (!plain_is_not_string(value) || plain_is_not_string(old_value))) {
                return {std::string(value), ScalarStyle::plain, false};
            }
            break;
        case ScalarStyle::single_quoted:
            if (single_fits(value)) {
                return {single_quoted(value), ScalarStyle::single_quoted, false};
            }
            break;
        case ScalarStyle::double_quoted:
            return {double_quoted(value), ScalarStyle::double_quoted, false};
        case ScalarStyle::literal:
        case ScalarStyle::folded:
            if (std::optional<std::string> block = block_scalar(text, span, value)) {
                const ScalarStyle style = (*block)[0] == '|' ? ScalarStyle::literal : ScalarStyle::folded;
                return {*block, style, style != span.style};
            }
            break;
    }
    return {double_quoted(value), ScalarStyle::double_quoted, true};
}

std::string render_new_scalar(std::string_view value) {
    if (plain_fits(value, false) && !plain_is_not_string(value)) {
        return std::string(value);
    }
    return double_quoted(value);
}

}  // namespace pipeline::bump
