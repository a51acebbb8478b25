// `pipe test`: runs the repository's tests (test.command, or what the project's files reveal),
// says what it runs and why, streams the runner's output (its stdout to stdout, or to stderr
// with --json so stdout holds one JSON document), and publishes passed/duration/coverage as
// step outputs and a summary line. Exit 1 when the tests fail, 3 when the runner cannot start.
#include "cli/actions_publish.h"
#include "cli/command_table.h"

#include <pipe/core/timestamp.h>
#include <pipe/proc/system_runner.h>
#include <pipe/steps/test_step.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

double seconds(std::chrono::milliseconds duration) {
    return static_cast<double>(duration.count()) / 1000.0;
}

// The command as a line without its `cd ROOT &&` prefix: every command runs at the root.
std::string shown(const proc::Command& command) {
    proc::Command copy = command;
    copy.cwd.clear();
    return proc::describe(copy);
}

std::string source_text(const steps::TestPlan& plan) {
    if (plan.runner == "configured") {
        return fmt::format("test.command ({})", plan.origin);
    }
    if (plan.runner == "--command") {
        return "--command";
    }
    return fmt::format("detected {} (from {})", plan.runner, plan.origin);
}

nlohmann::json plan_json(const steps::TestPlan& plan) {
    nlohmann::json commands = nlohmann::json::array();
    for (const proc::Command& command : plan.commands) {
        commands.push_back(proc::describe(command));
    }
    return nlohmann::json{
        {"runner", plan.runner},
        {"origin", plan.origin},
        {"commands", commands},
        {"coverage_file", plan.coverage.empty() ? nlohmann::json(nullptr) : nlohmann::json(plan.coverage)}};
}

nlohmann::json result_json(const steps::TestPlan& plan, const steps::TestResult& result) {
    nlohmann::json doc = plan_json(plan);
    doc["passed"] = result.passed;
    doc["exit_code"] = result.status.exit_code() ? nlohmann::json(*result.status.exit_code()) : nlohmann::json(nullptr);
    doc["status"] = proc::describe(result.status);
    doc["commands_run"] = result.commands_run;
    doc["duration_ms"] = result.duration.count();
    doc["coverage"] = result.coverage
                          ? nlohmann::json{{"path", result.coverage->path}, {"sha256", result.coverage->sha256}}
                          : nlohmann::json(nullptr);
    doc["state_file"] =
        result.state_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.state_file.string());
    return doc;
}

std::string step_summary(const steps::TestPlan& plan, const steps::TestResult& result) {
    const std::string verdict = result.passed ? "passed" : fmt::format("failed ({})", proc::describe(result.status));
    std::string text =
        fmt::format("### pipe test\n\n{} **{}** in {:.1f}s: `{}`, {}", result.passed ? "✅" : "❌", verdict,
                    seconds(result.duration), shown(plan.commands.at(result.commands_run - 1)), source_text(plan));
    if (result.coverage) {
        text += fmt::format("; coverage `{}`", result.coverage->path);
    }
    return text + "\n\n";
}

class TestCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("args", m_options.args, "Arguments appended to the test command (write them after --)")
            ->option_text("-- ARGS...");
        command.add_option("--command", m_options.command, "Run this shell command (sh -c) instead of test.command")
            ->option_text("STRING");
        command.add_option("--coverage", m_options.coverage, "Coverage file to record, relative to the root")
            ->option_text("FILE");
        command.add_option("--timeout", m_timeout, "Stop the tests after this long, e.g. 30m (replaces test.timeout)")
            ->option_text("DURATION");
    }

    Result<Verdict> run(Invocation& invocation) override {
        if (!m_timeout.empty()) {
            std::optional<std::chrono::seconds> timeout = parse_duration(m_timeout);
            if (!timeout || timeout->count() == 0) {
                return usage_error(fmt::format("invalid duration '{}' for --timeout", m_timeout),
                                   "write a number and a unit: s, m, h or d, e.g. 30m");
            }
            m_options.timeout = *timeout;
        }
        Result<steps::Workspace*> workspace = invocation.workspace(true);
        if (!workspace) {
            return workspace.error();
        }
        Output& out = invocation.out();
        if (!invocation.globals().services.empty()) {
            out.warn("--service is ignored: pipe test runs the tests of the whole repository");
        }
        const bool json = out.options().json;
        m_options.output = [&out, json](proc::Stream stream, std::string_view line) {
            if (stream == proc::Stream::out && !json) {
                out.line(line);
            } else {
                out.relay(line);
            }
        };
        m_options.starting = [&out](const proc::Command& command) { out.info("pipe: running " + shown(command)); };
        Result<steps::TestPlan> plan = steps::plan_test(**workspace, m_options);
        if (!plan) {
            return plan.error();
        }
        for (const std::string& note : plan->notes) {
            out.detail(fmt::format("pipe: {}", note));
        }
        if (invocation.globals().dry_run) {
            print_plan(out, *plan);
            return Verdict::pass;
        }
        out.info(fmt::format("pipe: {}", source_text(*plan)));
        proc::SystemRunner runner;
        Result<steps::TestResult> result = steps::run_test(**workspace, runner, *plan, m_options);
        if (!result) {
            return result.error();
        }
        for (const std::string& warning : result->warnings) {
            out.warn(warning);
        }
        print(out, *plan, *result);
        ci::StepOutputs outputs{{"passed", result->passed ? "true" : "false"},
                                {"duration", fmt::format("{:.1f}", seconds(result->duration))},
                                {"coverage", result->coverage ? result->coverage->path : ""},
                                {"json", result_json(*plan, *result).dump()}};
        auto published = publish_to_actions(invocation, outputs, step_summary(*plan, *result));
        if (!published) {
            return published.error();
        }
        return result->passed ? Verdict::pass : Verdict::fail;
    }

private:
    static void print_plan(Output& out, const steps::TestPlan& plan) {
        if (out.options().json) {
            nlohmann::json doc = plan_json(plan);
            doc["dry_run"] = true;
            out.document(doc);
            return;
        }
        out.info(fmt::format("pipe: {}", source_text(plan)));
        for (const proc::Command& command : plan.commands) {
            out.line(proc::describe(command));
        }
    }

    static void print(Output& out, const steps::TestPlan& plan, const steps::TestResult& result) {
        if (result.coverage) {
            out.info(fmt::format("pipe: coverage {} ({})", result.coverage->path, result.coverage->sha256));
        }
        if (result.passed) {
            out.info(fmt::format("pipe: tests passed ({:.1f}s)", seconds(result.duration)));
        } else {
            out.info(fmt::format("pipe: tests failed: {} {} ({:.1f}s)",
                                 shown(plan.commands.at(result.commands_run - 1)), proc::describe(result.status),
                                 seconds(result.duration)));
        }
        if (!result.state_file.empty()) {
            out.detail(fmt::format("recorded in {}", result.state_file.string()));
        }
        if (out.options().json) {
            out.document(result_json(plan, result));
        }
    }

    steps::TestOptions m_options;
    std::string m_timeout;
};

}  // namespace

std::unique_ptr<CommandHandler> make_test_command() {
    return std::make_unique<TestCommand>();
}

}  // namespace pipeline::cli
