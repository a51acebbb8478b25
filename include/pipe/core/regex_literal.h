// Text that a regular expression must match literally (a repository name in a certificate
// identity pattern, the fixed parts of a branch template): every metacharacter escaped.
#pragma once

#include <string>
#include <string_view>

namespace pipeline {

// text with each of .^$|()[]{}*+?\ preceded by a backslash; valid in ECMAScript and RE2 syntax.
std::string regex_literal(std::string_view text);

}  // namespace pipeline
