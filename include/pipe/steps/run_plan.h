// Which steps `pipe run` runs, in which order, and why each other step is left out: the step
// names, explicit lists, --from/--to/--skip, and whether a step is configured. Pure, so the
// selection rules are unit-tested without running anything.
#pragma once

#include <pipe/core/result.h>

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// The steps `pipe run` knows, in the order it runs them. push comes before scan because pipe scans
// the pushed digest (the bytes a deployment pulls), so a failing gate stops sign and bump: a
// vulnerable image is never signed nor written into the config repository.
inline constexpr std::array<std::string_view, 6> k_run_steps{"test", "build", "push", "scan", "sign", "bump"};

// What the configuration says about one step: whether it runs by default, and why (or why not).
struct StepCondition {
    bool configured = true;
    std::string reason;  // e.g. "sign: configured in pipe.yaml", "no bump: entries"
};

// Steps the binary has (a command of that name exists) mapped to their condition.
using StepConditions = std::map<std::string, StepCondition, std::less<>>;

// What the user asked for on the command line.
struct RunSelection {
    std::vector<std::string> steps;  // explicit steps; empty: every configured step
    std::string from;                // first step to run (resume)
    std::string to;                  // last step to run (stop early)
    std::vector<std::string> skip;   // steps left out explicitly
};

// One known step and the decision about it.
struct PlannedStep {
    std::string name;
    bool selected = false;
    std::string reason;  // shown in the plan
};

// Every known step in run order with its decision. Unknown names are usage errors with a "did you
// mean"; an explicit step runs even when unconfigured (the step then says what is missing); a
// step the binary lacks, an empty selection or --from after --to are usage errors.
Result<std::vector<PlannedStep>> plan_run(const RunSelection& selection, const StepConditions& conditions);

}  // namespace pipeline::steps
