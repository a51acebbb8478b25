// Which of `pipe run`'s steps the workspace configures, and why: test when `test:` has a command
// or a project type is detected, sign when a key is configured or keyless signing is available in
// Actions, bump when `bump:` entries exist; build, push and scan always (a gate never disappears
// silently).
#pragma once

#include <pipe/steps/run_plan.h>
#include <pipe/steps/workspace.h>

namespace pipeline::steps {

// The condition of every step of k_run_steps for this workspace.
StepConditions step_conditions(const Workspace& workspace);

}  // namespace pipeline::steps
