// `pipe run`: the configured steps (test, build, push, scan, sign, bump) in order in one process,
// each through its own command's handler exactly as `pipe <step>` runs it, so running the steps
// one by one gives the same result and the same run record. Stops at the first failing step with
// its exit code, prints a timing table on stderr, and writes the run record and metrics asked for.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_recording.h"

#include <pipe/ci/source_context_builder.h>
#include <pipe/core/atomic_file.h>
#include <pipe/steps/open_metrics.h>
#include <pipe/steps/run_conditions.h>
#include <pipe/steps/run_plan.h>
#include <pipe/steps/run_record.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace pipeline::cli {
namespace {

// The timing table's row of one selected step.
struct TimedStep {
    std::string step;
    std::string result;  // "ok", "failed (exit 1)", "not run", "planned"
    std::optional<double> seconds;
};

const CommandSpec& spec_of(std::string_view step) {
    const std::vector<CommandSpec>& table = command_table();
    return *std::find_if(table.begin(), table.end(), [&](const CommandSpec& spec) { return spec.name == step; });
}

std::string format_seconds(std::optional<double> seconds) {
    if (!seconds) {
        return "-";
    }
    if (*seconds >= 60) {
        const double minutes = std::floor(*seconds / 60);
        return fmt::format("{:.0f}m{:04.1f}s", minutes, *seconds - 60 * minutes);
    }
    return fmt::format("{:.1f}s", *seconds);
}

class RunCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("steps", m_selection.steps, "Steps to run (default: every configured step)")
            ->option_text("STEP...");
        command.add_option("--from", m_selection.from, "Start at this step (resume after a fix)")->option_text("STEP");
        command.add_option("--to", m_selection.to, "Stop after this step")->option_text("STEP");
        command.add_option("--skip", m_selection.skip, "Leave this step out (repeatable)")->option_text("STEP");
        command
            .add_option("--step-arg", m_step_args,
                        "Pass ARG to STEP as if given to 'pipe STEP' (repeatable, one argument each)")
            ->option_text("STEP=ARG");
        command.add_option("--record", m_record_file, "Also write the run record here (always: .pipe/run.json)")
            ->option_text("FILE");
        command
            .add_option("--metrics", m_metrics_file, "Write OpenMetrics text here (textfile collector, Pushgateway)")
            ->option_text("FILE");
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace();
        if (!workspace) {
            return workspace.error();
        }
        Result<std::vector<steps::PlannedStep>> plan =
            steps::plan_run(m_selection, steps::step_conditions(**workspace));
        if (!plan) {
            return plan.error();
        }
        Result<std::map<std::string, std::vector<std::string>>> arguments = step_arguments();
        if (!arguments) {
            return arguments.error();
        }
        Output& out = invocation.out();
        const bool dry_run = invocation.globals().dry_run;
        for (const steps::PlannedStep& step : *plan) {
            out.info(
                fmt::format("pipe: plan: {:<5} {:<8} {}", step.name, step.selected ? "runs" : "skipped", step.reason));
        }
        std::vector<TimedStep> timed;
        Result<Verdict> verdict = Verdict::pass;
        std::optional<nlohmann::json> record;
        std::string previous;
        for (const steps::PlannedStep& step : *plan) {
            if (!step.selected) {
                continue;
            }
            if (!verdict || *verdict != Verdict::pass) {
                timed.push_back(TimedStep{step.name, "not run", std::nullopt});
                continue;
            }
            out.info(fmt::format("pipe: run: {}", step.name));
            RecordedStep ran = run_step(invocation, step.name, (*arguments)[step.name]);
            if (ran.record) {
                record = std::move(ran.record);
            }
            if (dry_run && !ran.verdict && ran.verdict.error().kind == ErrorKind::usage && !previous.empty()) {
                out.info(
                    fmt::format("pipe: {} cannot be planned before {} ran: {}; in a real run it uses what the "
                                "earlier steps record",
                                step.name, previous, ran.verdict.error().message));
                timed.push_back(TimedStep{step.name, "planned", std::nullopt});
                previous = step.name;
                continue;
            }
            const bool ok = ran.verdict && *ran.verdict == Verdict::pass;
            timed.push_back(
                TimedStep{step.name, ok ? (dry_run ? "planned" : "ok") : fmt::format("failed (exit {})", ran.exit_code),
                          ran.duration_seconds});
            verdict = std::move(ran.verdict);
            previous = step.name;
        }
        print_timing(out, **workspace, timed);
        if (dry_run) {
            if (verdict && out.options().json) {
                out.document(plan_json(*plan, *arguments));
            }
            return verdict;
        }
        Result<void> written = write_outputs(**workspace, record);
        Result<Verdict> published = publish_to_actions(invocation, actions_outputs(**workspace, timed), summary(timed));
        if (!verdict) {
            return verdict;
        }
        if (!written) {
            return written.error();
        }
        if (!published) {
            return published.error();
        }
        if (out.options().json) {
            out.document(record.value_or(nlohmann::json::object()));
        }
        return verdict;
    }

private:
    // --step-arg STEP=ARG grouped per step, each step checked against the known ones.
    Result<std::map<std::string, std::vector<std::string>>> step_arguments() const {
        std::map<std::string, std::vector<std::string>> grouped;
        for (const std::string& given : m_step_args) {
            const std::size_t equals = given.find('=');
            const std::string step = given.substr(0, equals);
            if (equals == std::string::npos || !is_run_step(step)) {
                return usage_error(
                    fmt::format("--step-arg '{}' does not start with a step and '='", given),
                    fmt::format("write STEP=ARG with STEP one of {}, e.g. --step-arg sign=--key=cosign.key",
                                fmt::join(steps::k_run_steps, ", ")));
            }
            grouped[step].push_back(given.substr(equals + 1));
        }
        return grouped;
    }

    // Runs step through its own command: its flags parsed from arguments, a fresh invocation
    // (so flags of one step never leak into the next, as with separate processes) and, with
    // --json, its human output on stderr so stdout keeps the one document.
    static RecordedStep run_step(Invocation& invocation, const std::string& step,
                                 const std::vector<std::string>& arguments) {
        const CommandSpec& spec = spec_of(step);
        std::unique_ptr<CommandHandler> handler = spec.make();
        CLI::App command{spec.summary, spec.name};
        handler->add_options(command);
        std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
        try {
            command.parse(reversed);
        } catch (const CLI::ParseError& e) {
            RecordedStep failed;
            failed.verdict = usage_error(fmt::format("--step-arg for {}: {}", step, e.what()),
                                         fmt::format("see 'pipe {} --help'", step));
            failed.exit_code = 2;
            return failed;
        }
        const OutputOptions& shared = invocation.out().options();
        Output step_out(OutputOptions{false, shared.quiet, shared.verbose, shared.color},
                        shared.json ? stderr : stdout);
        GlobalOptions globals = invocation.globals();
        globals.json = false;
        Invocation step_invocation(globals, invocation.env(), step_out);
        return run_recorded_step(step, *handler, step_invocation);
    }

    static void print_timing(Output& out, const steps::Workspace& workspace, const std::vector<TimedStep>& timed) {
        const std::string services = fmt::format("{}", fmt::join(config::service_names(workspace.config), ","));
        const std::size_t width = std::max<std::size_t>(7, services.size());
        out.info(fmt::format("pipe: {:<5}  {:<{}}  {:>9}  {}", "step", "service", width, "duration", "result"));
        for (const TimedStep& step : timed) {
            out.info(fmt::format("pipe: {:<5}  {:<{}}  {:>9}  {}", step.step, services, width,
                                 format_seconds(step.seconds), step.result));
        }
    }

    Result<void> write_outputs(const steps::Workspace& workspace, const std::optional<nlohmann::json>& record) const {
        if (!record) {
            return {};
        }
        if (!m_record_file.empty()) {
            if (auto written = write_file_atomically(m_record_file, record->dump(2) + "\n"); !written) {
                return written;
            }
        }
        if (!m_metrics_file.empty()) {
            if (auto written = write_file_atomically(
                    m_metrics_file, steps::render_open_metrics(*record, config::service_names(workspace.config)));
                !written) {
                return written;
            }
        }
        return {};
    }

    static nlohmann::json plan_json(const std::vector<steps::PlannedStep>& plan,
                                    const std::map<std::string, std::vector<std::string>>& arguments) {
        nlohmann::json steps = nlohmann::json::array();
        for (const steps::PlannedStep& step : plan) {
            auto given = arguments.find(step.name);
            steps.push_back(
                nlohmann::json{{"step", step.name},
                               {"runs", step.selected},
                               {"reason", step.reason},
                               {"arguments", given == arguments.end() ? std::vector<std::string>{} : given->second}});
        }
        return nlohmann::json{{"dry_run", true}, {"plan", steps}};
    }

    static ci::StepOutputs actions_outputs(const steps::Workspace& workspace, const std::vector<TimedStep>& timed) {
        ci::StepOutputs outputs;
        outputs.emplace_back("record", steps::run_record_path(workspace.root).string());
        auto failed = std::find_if(timed.begin(), timed.end(),
                                   [](const TimedStep& step) { return step.result.rfind("failed", 0) == 0; });
        outputs.emplace_back("failed-step", failed == timed.end() ? "" : failed->step);
        return outputs;
    }

    static std::string summary(const std::vector<TimedStep>& timed) {
        std::string text = "### pipe run\n\n| step | duration | result |\n|---|---|---|\n";
        for (const TimedStep& step : timed) {
            text += fmt::format("| {} | {} | {} |\n", step.step, format_seconds(step.seconds), step.result);
        }
        return text + "\n";
    }

    steps::RunSelection m_selection;
    std::vector<std::string> m_step_args;
    std::string m_record_file;
    std::string m_metrics_file;
};

}  // namespace

std::unique_ptr<CommandHandler> make_run_command() {
    return std::make_unique<RunCommand>();
}

}  // namespace pipeline::cli
