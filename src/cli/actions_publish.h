// Publishing a step's results to GitHub Actions (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY): the
// same rules for every command, so outputs are written only when asked and never in a dry run.
#pragma once

#include "cli/invocation.h"

#include <pipe/ci/actions_files.h>
#include <pipe/core/verdict.h>

#include <string>

namespace pipeline::cli {

// Writes outputs and appends summary when the environment names the files; in a dry run it only
// says it did not. Returns pass, or the error of a file that could not be written.
Result<Verdict> publish_to_actions(Invocation& invocation, const ci::StepOutputs& outputs, const std::string& summary);

}  // namespace pipeline::cli
