// `pipe doctor`: checks the tools, storage, credentials and tokens a pipeline needs on this
// machine and prints one line per check with the fix; --json prints every check. Exit 1 when a
// required check fails; warnings print but pass.
#include "cli/command_table.h"

#include <pipe/proc/system_runner.h>
#include <pipe/steps/doctor_step.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

nlohmann::json check_json(const steps::DoctorCheck& check) {
    return nlohmann::json{{"name", check.name},
                          {"status", steps::status_name(check.status)},
                          {"required", check.required},
                          {"detail", check.detail},
                          {"fix", check.fix}};
}

class DoctorCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command
            .add_option("--max-db-age", m_max_db_age_hours,
                        "Warn when Trivy's vulnerability DB is older than this many hours (default 48)")
            ->option_text("HOURS")
            ->check(CLI::PositiveNumber);
    }

    Result<Verdict> run(Invocation& invocation) override {
        Output& out = invocation.out();
        steps::DoctorContext context;
        context.env = &invocation.env();
        Result<steps::Workspace*> workspace = invocation.workspace(true);
        if (workspace) {
            context.workspace = *workspace;
        } else if (workspace.error().kind == ErrorKind::interrupted) {
            return workspace.error();
        } else {
            context.workspace_error = workspace.error();
        }
        steps::DoctorOptions options;
        options.max_db_age = std::chrono::hours(m_max_db_age_hours);
        options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<std::vector<steps::DoctorCheck>> checks = steps::run_doctor(context, runner, options);
        if (!checks) {
            return checks.error();
        }
        const Verdict verdict = steps::doctor_verdict(*checks);
        if (out.options().json) {
            nlohmann::json list = nlohmann::json::array();
            for (const steps::DoctorCheck& check : *checks) {
                list.push_back(check_json(check));
            }
            out.document(nlohmann::json{{"checks", list}, {"passed", verdict == Verdict::pass}});
        } else {
            for (const steps::DoctorCheck& check : *checks) {
                out.line(fmt::format("{:<7} {:<24} {}", steps::status_name(check.status), check.name, check.detail));
                if (!check.fix.empty() && check.status != steps::CheckStatus::ok) {
                    out.line(fmt::format("{:<7} {:<24} fix: {}", "", "", check.fix));
                }
            }
        }
        std::size_t failed = 0;
        std::size_t warned = 0;
        for (const steps::DoctorCheck& check : *checks) {
            failed += check.required && check.status == steps::CheckStatus::fail ? 1 : 0;
            warned += check.status == steps::CheckStatus::warn ? 1 : 0;
        }
        if (verdict == Verdict::fail) {
            out.info(fmt::format("pipe: {} required check(s) failed; fix them and run pipe doctor again", failed));
        } else {
            out.info(fmt::format("pipe: ready{}", warned > 0 ? fmt::format(" ({} warning(s))", warned) : ""));
        }
        return verdict;
    }

private:
    int m_max_db_age_hours = 48;
};

}  // namespace

std::unique_ptr<CommandHandler> make_doctor_command() {
    return std::make_unique<DoctorCommand>();
}

}  // namespace pipeline::cli
