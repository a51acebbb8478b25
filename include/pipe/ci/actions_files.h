// GitHub Actions environment files: step outputs (GITHUB_OUTPUT) and the job summary
// (GITHUB_STEP_SUMMARY). Multi-line values use a random delimiter, never a fixed `EOF`.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>

#include <string>
#include <utility>
#include <vector>

namespace pipeline::ci {

// Name/value pairs to publish as step outputs.
using StepOutputs = std::vector<std::pair<std::string, std::string>>;

// Formats outputs in the file-command syntax (`name=value`, or `name<<DELIM` blocks for
// multi-line values, with a delimiter that occurs in no value).
std::string format_step_outputs(const StepOutputs& outputs, const std::string& delimiter);

// Appends outputs to $GITHUB_OUTPUT; does nothing when the variable is unset.
Result<void> write_step_outputs(const Environment& env, const StepOutputs& outputs);

// Appends Markdown to $GITHUB_STEP_SUMMARY; does nothing when unset. Text beyond GitHub's
// 1 MiB per-step limit is cut with a note.
Result<void> append_step_summary(const Environment& env, const std::string& markdown);

// The largest summary GitHub accepts for one step.
inline constexpr std::size_t k_step_summary_limit = std::size_t{1024} * 1024;

}  // namespace pipeline::ci
