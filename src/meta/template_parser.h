// The reading half of the Handlebars subset: Handlebars' lexer and grammar for text, comments,
// escapes, `~` whitespace control and {{name arg key=value}} expressions, kept apart from
// evaluation so each stays small.
#pragma once

#include <pipe/core/result.h>
#include <pipe/meta/template.h>

#include <string_view>
#include <vector>

namespace pipeline::meta {

// Parses text into nodes with `~` stripping applied; unsupported constructs (blocks, partials,
// sub-expressions, decorators) and malformed ones are config errors with an empty where.
Result<std::vector<TemplateNode>> parse_template_nodes(std::string_view text);

}  // namespace pipeline::meta
