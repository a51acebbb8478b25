#include <pipe/meta/template.h>

#include <pipe/meta/moment_format.h>

#include "template_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace pipeline::meta {
namespace {

Error template_error(std::string message, std::string hint = {}) {
    return config_error({}, std::move(message), std::move(hint));
}

bool is_builtin_helper(std::string_view name) {
    static constexpr std::string_view k_builtins[] = {"if",     "unless", "each",          "with",
                                                      "lookup", "log",    "helperMissing", "blockHelperMissing"};
    return std::find(std::begin(k_builtins), std::end(k_builtins), name) != std::end(k_builtins);
}

// The moment.js default format, which prints "Z" instead of "+00:00" when the offset is zero.
Result<std::string> default_date_format(std::chrono::system_clock::time_point time, const std::string& tz) {
    Result<std::string> text = format_moment("YYYY-MM-DDTHH:mm:ssZ", time, tz);
    if (text && text->size() >= 6 && text->substr(text->size() - 6) == "+00:00") {
        text->replace(text->size() - 6, 6, "Z");
    }
    return text;
}

Result<std::string> call_date(std::string_view name, std::chrono::system_clock::time_point time,
                              const TemplateExpression& expression, const TemplateScope& scope) {
    if (expression.params.empty()) {
        return template_error(fmt::format("{{{{{}}}}} needs a format", name),
                              fmt::format("e.g. {{{{{} 'YYYYMMDD'}}}}", name));
    }
    std::optional<std::string> format;
    const TemplateValue& argument = expression.params.front();
    switch (argument.kind) {
        case TemplateValue::Kind::string:
            format = argument.text;
            break;
        case TemplateValue::Kind::number:
            return template_error(fmt::format("the {} format must be a quoted string, not {}", name, argument.text));
        case TemplateValue::Kind::boolean:
            if (argument.text == "true") {
                return template_error(fmt::format("the {} format must be a quoted string, not true", name));
            }
            break;
        case TemplateValue::Kind::undefined:
        case TemplateValue::Kind::null:
            break;
        case TemplateValue::Kind::path:
            if (argument.parts.size() == 1 && argument.depth == 0 && !argument.data) {
                const std::string& key = argument.parts.front();
                if (auto property = scope.properties.find(key); property != scope.properties.end()) {
                    format = property->second;
                } else if (scope.functions.count(key) != 0 || scope.dates.count(key) != 0) {
                    return template_error(fmt::format("the {} format must be a quoted string, not {}", name, key));
                }
            }
            break;
    }
    std::string tz = "UTC";
    for (const auto& [key, value] : expression.hash) {
        if (key != "tz") {
            return template_error(fmt::format("unknown {} attribute in {{{{{} ...}}}}", key, name),
                                  "only tz='Zone' is accepted");
        }
        if (value.kind != TemplateValue::Kind::string || value.text.empty()) {
            return template_error(fmt::format("tz must be a quoted time zone name in {{{{{} ...}}}}", name),
                                  "e.g. tz='Europe/Paris'");
        }
        tz = value.text;
    }
    if (!format || format->empty()) {
        return default_date_format(time, tz);
    }
    return format_moment(*format, time, tz);
}

// Evaluates one expression to its unescaped text.
Result<std::string> evaluate(const TemplateExpression& expression, const TemplateScope& scope) {
    const TemplateValue& name = expression.name;
    if (name.kind != TemplateValue::Kind::path) {
        // A literal in name position ({{'raw'}}) names the property it spells.
        TemplateExpression as_path = expression;
        as_path.name.kind = TemplateValue::Kind::path;
        as_path.name.parts = {name.text};
        return evaluate(as_path, scope);
    }
    const bool has_arguments = !expression.params.empty() || !expression.hash.empty();
    if (name.data) {
        // Only @root means something outside blocks: the scope itself.
        const bool root = !name.parts.empty() && name.parts.front() == "root";
        if (has_arguments) {
            return template_error(fmt::format("missing helper \"{}\"", name.text));
        }
        if (root && name.parts.size() == 1) {
            return std::string("[object Object]");
        }
        if (!root || name.parts.size() != 2) {
            return std::string();
        }
        TemplateExpression inner;
        inner.name.parts = {name.parts.back()};
        inner.name.scoped = true;
        return evaluate(inner, scope);
    }
    if (name.depth > 0 || name.parts.size() > 1) {
        if (has_arguments) {
            return template_error(fmt::format("missing helper \"{}\"", name.text));
        }
        return std::string();
    }
    if (name.parts.empty()) {
        if (has_arguments) {
            return template_error(fmt::format("\"{}\" is not a function", name.text));
        }
        return std::string("[object Object]");
    }
    const std::string& key = name.parts.front();
    if (!name.scoped && is_builtin_helper(key)) {
        if (key == "log" || (key == "helperMissing" && !has_arguments)) {
            return std::string();
        }
        return template_error(fmt::format("the Handlebars helper \"{}\" is not supported", key));
    }
    if (auto property = scope.properties.find(key); property != scope.properties.end()) {
        if (has_arguments) {
            return template_error(fmt::format("\"{}\" is a value, not a helper taking arguments", key));
        }
        return property->second;
    }
    if (auto function = scope.functions.find(key); function != scope.functions.end()) {
        return function->second;
    }
    if (auto date = scope.dates.find(key); date != scope.dates.end()) {
        return call_date(key, date->second, expression, scope);
    }
    if (has_arguments) {
        return template_error(fmt::format("missing helper \"{}\"", key));
    }
    return std::string();
}

}  // namespace

std::string escape_expression(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&#x27;";
                break;
            case '`':
                escaped += "&#x60;";
                break;
            case '=':
                escaped += "&#x3D;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

Result<Template> Template::parse(std::string_view text) {
    Result<std::vector<TemplateNode>> nodes = parse_template_nodes(text);
    if (!nodes) {
        return nodes.error();
    }
    Template parsed;
    parsed.m_nodes = std::move(*nodes);
    return parsed;
}

bool Template::is_single_expression(std::string_view name) const {
    if (m_nodes.size() != 1 || m_nodes.front().kind != TemplateNode::Kind::expression) {
        return false;
    }
    const std::vector<std::string>& parts = m_nodes.front().expression.name.parts;
    return parts.size() == 1 && parts.front() == name;
}

Result<std::string> Template::render(const TemplateScope& scope) const {
    std::string output;
    for (const TemplateNode& node : m_nodes) {
        if (node.kind == TemplateNode::Kind::text) {
            output += node.text;
        } else if (node.kind == TemplateNode::Kind::expression) {
            Result<std::string> value = evaluate(node.expression, scope);
            if (!value) {
                return value.error();
            }
            output += node.expression.escaped ? escape_expression(*value) : *value;
        }
    }
    return output;
}

Result<std::string> render_template(std::string_view text, const TemplateScope& scope) {
    Result<Template> parsed = Template::parse(text);
    if (!parsed) {
        return parsed.error();
    }
    return parsed->render(scope);
}

}  // namespace pipeline::meta
