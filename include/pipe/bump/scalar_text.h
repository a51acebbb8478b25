// Where a YAML scalar sits in the original bytes and how a new value is written in its style, so an
// edit changes those bytes and nothing else.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::bump {

// How a scalar is written in the file.
enum class ScalarStyle { plain, single_quoted, double_quoted, literal, folded };

// The bytes [start, end) of one scalar token: the quotes of a quoted scalar, the header and content
// lines of a block scalar (without the line break after the last one or trailing blank lines), the
// text of a plain scalar without trailing spaces or a following comment. Anchors and tags before it
// are not part of it.
struct ScalarSpan {
    std::size_t start = 0;
    std::size_t end = 0;
    ScalarStyle style = ScalarStyle::plain;
};

// Finds the scalar whose yaml-cpp node mark is at byte mark_pos (which may point at its anchor or tag)
// and whose parsed value is value; nullopt when the text there is not such a scalar.
std::optional<ScalarSpan> find_scalar_span(std::string_view text, std::size_t mark_pos, std::string_view value);

// A replacement for a scalar's bytes.
struct RenderedScalar {
    std::string text;
    ScalarStyle style = ScalarStyle::plain;
    bool switched = false;  // the original style could not hold the value; double quotes were used
};

// Writes value in the style of the scalar at span (old_value is what it held, so a plain string is not
// turned into a number or boolean by accident); in flow context plain scalars also avoid ",[]{}".
// Falls back to double quotes when the style cannot represent the value.
RenderedScalar render_scalar(std::string_view text, const ScalarSpan& span, std::string_view old_value,
                             std::string_view value, bool flow_context);

// Writes value as a new plain scalar if that reads back as the same string, else in double quotes.
std::string render_new_scalar(std::string_view value);

// True when value, written as a plain scalar, would be read as null, a boolean or a number (YAML 1.1
// or 1.2), not as a string.
bool plain_is_not_string(std::string_view value);

}  // namespace pipeline::bump
