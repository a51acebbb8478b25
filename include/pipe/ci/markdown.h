// Markdown pieces the step summaries share (GITHUB_STEP_SUMMARY renders GitHub-flavoured Markdown).
#pragma once

#include <string>
#include <vector>

namespace pipeline::ci {

// Each word as inline code, separated by spaces: "`a` `b`", for a table cell of tags or references.
std::string code_spans(const std::vector<std::string>& words);

}  // namespace pipeline::ci
