// `pipe run`'s step selection: defaults from the configuration, explicit steps, --from/--to,
// --skip, and the usage errors with their suggestions.
#include <pipe/steps/run_plan.h>

#include <catch2/catch.hpp>

using pipeline::steps::plan_run;
using pipeline::steps::PlannedStep;
using pipeline::steps::RunSelection;
using pipeline::steps::StepConditions;

namespace {

StepConditions all_configured() {
    return StepConditions{{"test", {true, "a project was detected"}},
                          {"build", {true, "always"}},
                          {"push", {true, "always"}},
                          {"scan", {true, "always"}},
                          {"sign", {true, "sign:"}},
                          {"bump", {true, "bump:"}}};
}

std::vector<std::string> selected(const std::vector<PlannedStep>& plan) {
    std::vector<std::string> names;
    for (const PlannedStep& step : plan) {
        if (step.selected) {
            names.push_back(step.name);
        }
    }
    return names;
}

std::string reason_of(const std::vector<PlannedStep>& plan, const std::string& name) {
    for (const PlannedStep& step : plan) {
        if (step.name == name) {
            return step.reason;
        }
    }
    return "<absent>";
}

}  // namespace

TEST_CASE("run plan: by default every configured step runs in run order", "[unit][run]") {
    StepConditions conditions = all_configured();
    conditions["sign"] = {false, "no sign: key configured"};
    auto plan = plan_run(RunSelection{}, conditions);
    REQUIRE(plan);
    CHECK(selected(*plan) == std::vector<std::string>{"test", "build", "push", "scan", "bump"});
    CHECK(reason_of(*plan, "sign") == "no sign: key configured");
    CHECK(plan->size() == 6);
}

TEST_CASE("run plan: a step missing from this pipe is shown, not run", "[unit][run]") {
    StepConditions conditions = all_configured();
    conditions.erase("test");
    auto plan = plan_run(RunSelection{}, conditions);
    REQUIRE(plan);
    CHECK(selected(*plan).front() == "build");
    CHECK(reason_of(*plan, "test") == "not part of this pipe version");
    auto asked = plan_run(RunSelection{{"test"}, "", "", {}}, conditions);
    REQUIRE_FALSE(asked);
    CHECK(asked.error().kind == pipeline::ErrorKind::usage);
}

TEST_CASE("run plan: explicit steps run in run order, even when unconfigured", "[unit][run]") {
    StepConditions conditions = all_configured();
    conditions["bump"] = {false, "no bump: entries"};
    auto plan = plan_run(RunSelection{{"bump", "build", "push"}, "", "", {}}, conditions);
    REQUIRE(plan);
    CHECK(selected(*plan) == std::vector<std::string>{"build", "push", "bump"});
    CHECK(reason_of(*plan, "scan") == "not asked for");
}

TEST_CASE("run plan: --from resumes and --to stops early", "[unit][run]") {
    auto from = plan_run(RunSelection{{}, "scan", "", {}}, all_configured());
    REQUIRE(from);
    CHECK(selected(*from) == std::vector<std::string>{"scan", "sign", "bump"});
    CHECK(reason_of(*from, "build") == "before --from scan");
    auto to = plan_run(RunSelection{{}, "", "push", {}}, all_configured());
    REQUIRE(to);
    CHECK(selected(*to) == std::vector<std::string>{"test", "build", "push"});
    CHECK(reason_of(*to, "sign") == "after --to push");
    auto both = plan_run(RunSelection{{}, "push", "push", {}}, all_configured());
    REQUIRE(both);
    CHECK(selected(*both) == std::vector<std::string>{"push"});
}

TEST_CASE("run plan: --skip leaves a step out explicitly", "[unit][run]") {
    auto plan = plan_run(RunSelection{{}, "", "", {"scan", "test"}}, all_configured());
    REQUIRE(plan);
    CHECK(selected(*plan) == std::vector<std::string>{"build", "push", "sign", "bump"});
    CHECK(reason_of(*plan, "scan") == "left out with --skip");
}

TEST_CASE("run plan: unknown steps are usage errors with a suggestion", "[unit][run]") {
    struct Case {
        RunSelection selection;
        std::string message;
        std::string hint;
    };
    const std::vector<Case> cases{
        {RunSelection{{"biuld"}, "", "", {}}, "unknown step 'biuld'", "did you mean 'build'?"},
        {RunSelection{{}, "pussh", "", {}}, "unknown step 'pussh' given to --from", "did you mean 'push'?"},
        {RunSelection{{}, "", "sing", {}}, "unknown step 'sing' given to --to", "did you mean 'sign'?"},
        {RunSelection{{}, "", "", {"scna"}}, "unknown step 'scna' given to --skip", "did you mean 'scan'?"},
        {RunSelection{{}, "", "", {"deploy"}}, "unknown step 'deploy' given to --skip", "steps: test, build"},
    };
    for (const Case& c : cases) {
        auto plan = plan_run(c.selection, all_configured());
        REQUIRE_FALSE(plan);
        CHECK(plan.error().kind == pipeline::ErrorKind::usage);
        CHECK(plan.error().message == c.message);
        CHECK_THAT(plan.error().hint, Catch::Contains(c.hint));
    }
}

TEST_CASE("run plan: contradictory or empty selections are usage errors", "[unit][run]") {
    auto reversed = plan_run(RunSelection{{}, "sign", "build", {}}, all_configured());
    REQUIRE_FALSE(reversed);
    CHECK(reversed.error().message == "--from sign comes after --to build");
    auto mixed = plan_run(RunSelection{{"build"}, "build", "", {}}, all_configured());
    REQUIRE_FALSE(mixed);
    CHECK_THAT(mixed.error().message, Catch::Contains("give one of them"));
    auto empty = plan_run(RunSelection{{"scan"}, "", "", {"scan"}}, all_configured());
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "no step is left to run");
}
