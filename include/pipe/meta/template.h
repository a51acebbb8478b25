// The Handlebars subset metadata-action's rules are written in: text, {{name}} (HTML-escaped as
// Handlebars does), {{{name}}} and {{& name}} (unescaped), {{! comments }}, `~` whitespace
// control, and helper calls such as {{date 'YYYYMMDD' tz='Asia/Tokyo'}}. Names a scope does not
// define print as "", as in Handlebars; blocks, partials and sub-expressions are rejected instead
// of being silently misread, and nested paths ({{raw.length}}) print "".
#pragma once

#include <pipe/core/result.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::meta {

// The names a template can use, by how Handlebars would treat them.
struct TemplateScope {
    // Plain values ({{raw}} of a semver): calling one with arguments is an error.
    std::map<std::string, std::string, std::less<>> properties;
    // Functions of no arguments ({{branch}}): arguments are ignored; an Error surfaces when used.
    std::map<std::string, Result<std::string>, std::less<>> functions;
    // Date helpers ({{date 'FMT' tz='Zone'}}): the time each formats with moment.js tokens.
    std::map<std::string, std::chrono::system_clock::time_point, std::less<>> dates;
};

// A name or argument inside {{ }}: a path such as `raw` or `../x`, or a literal.
struct TemplateValue {
    enum class Kind { path, string, number, boolean, undefined, null };
    Kind kind = Kind::path;
    std::string text;                // the literal's text, or the path as written
    std::vector<std::string> parts;  // path parts without leading this/./..
    std::size_t depth = 0;           // how many ../ lead the path
    bool data = false;               // an @data path
    bool scoped = false;             // written with a leading this, . or .. (never a helper)
};

// One {{ }} expression: the name, positional arguments and key=value arguments.
struct TemplateExpression {
    TemplateValue name;
    std::vector<TemplateValue> params;
    std::vector<std::pair<std::string, TemplateValue>> hash;
    bool escaped = true;  // false for {{{ }}} and {{& }}
};

// One piece of a template: text, an expression or a comment.
struct TemplateNode {
    enum class Kind { text, expression, comment };
    Kind kind = Kind::text;
    std::string text;  // for text nodes, after `~` stripping
    TemplateExpression expression;
};

// A parsed template.
class Template {
public:
    // Parses text; a malformed or unsupported construct is an error naming it.
    static Result<Template> parse(std::string_view text);

    // Whether the template is exactly one {{name}} expression and nothing else (the action's
    // test for a pattern that keeps {{raw}} on pre-releases).
    bool is_single_expression(std::string_view name) const;

    // Renders against scope.
    Result<std::string> render(const TemplateScope& scope) const;

private:
    std::vector<TemplateNode> m_nodes;
};

// Parses and renders text in one step.
Result<std::string> render_template(std::string_view text, const TemplateScope& scope);

// Handlebars' HTML escaping of an expression's output (& < > " ' ` =).
std::string escape_expression(std::string_view text);

}  // namespace pipeline::meta
