#include <pipe/steps/run_plan.h>

#include <pipe/core/suggest.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

std::vector<std::string> known_steps() {
    return {k_run_steps.begin(), k_run_steps.end()};
}

std::ptrdiff_t index_of(std::string_view step) {
    return std::find(k_run_steps.begin(), k_run_steps.end(), step) - k_run_steps.begin();
}

Result<void> check_name(const std::string& name, std::string_view what) {
    if (index_of(name) < static_cast<std::ptrdiff_t>(k_run_steps.size())) {
        return {};
    }
    std::string hint = fmt::format("steps: {}", fmt::join(k_run_steps, ", "));
    if (auto guess = closest_match(name, known_steps())) {
        hint = fmt::format("did you mean '{}'? {}", *guess, hint);
    }
    return usage_error(fmt::format("unknown step '{}'{}", name, what), hint);
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<std::vector<PlannedStep>> plan_run(const RunSelection& selection, const StepConditions& conditions) {
    for (const std::string& name : selection.steps) {
        if (auto valid = check_name(name, ""); !valid) {
            return valid.error();
        }
    }
    for (const std::string& name : selection.skip) {
        if (auto valid = check_name(name, " given to --skip"); !valid) {
            return valid.error();
        }
    }
    for (const auto& [flag, name] : {std::pair{"--from", &selection.from}, std::pair{"--to", &selection.to}}) {
        if (!name->empty()) {
            if (auto valid = check_name(*name, fmt::format(" given to {}", flag)); !valid) {
                return valid.error();
            }
        }
    }
    if (!selection.steps.empty() && (!selection.from.empty() || !selection.to.empty())) {
        return usage_error("steps and --from/--to both choose what runs; give one of them",
                           "e.g. 'pipe run build push' or 'pipe run --from push'");
    }
    const std::ptrdiff_t first = selection.from.empty() ? 0 : index_of(selection.from);
    const std::ptrdiff_t last =
        selection.to.empty() ? static_cast<std::ptrdiff_t>(k_run_steps.size()) - 1 : index_of(selection.to);
    if (first > last) {
        return usage_error(fmt::format("--from {} comes after --to {}", selection.from, selection.to),
                           fmt::format("steps run in this order: {}", fmt::join(k_run_steps, ", ")));
    }
    std::vector<PlannedStep> plan;
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(k_run_steps.size()); ++i) {
        const std::string name(k_run_steps[static_cast<std::size_t>(i)]);
        auto condition = conditions.find(name);
        const bool requested = contains(selection.steps, name);
        PlannedStep step{name, false, ""};
        if (condition == conditions.end()) {
            if (requested) {
                return usage_error(fmt::format("this pipe has no '{}' command", name),
                                   "see 'pipe --help' for the commands of this version");
            }
            step.reason = "not part of this pipe version";
        } else if (contains(selection.skip, name)) {
            step.reason = "left out with --skip";
        } else if (!selection.steps.empty()) {
            step.selected = requested;
            step.reason = requested ? "asked for on the command line" : "not asked for";
        } else if (i < first) {
            step.reason = fmt::format("before --from {}", selection.from);
        } else if (i > last) {
            step.reason = fmt::format("after --to {}", selection.to);
        } else {
            step.selected = condition->second.configured;
            step.reason = condition->second.reason;
        }
        plan.push_back(std::move(step));
    }
    if (std::none_of(plan.begin(), plan.end(), [](const PlannedStep& step) { return step.selected; })) {
        return usage_error("no step is left to run", "check the steps given, --from/--to/--skip and pipe.yaml");
    }
    return plan;
}

}  // namespace pipeline::steps
