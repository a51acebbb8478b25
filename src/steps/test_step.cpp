#include <pipe/steps/test_step.h>

#include <pipe/core/timestamp.h>
#include <pipe/git/worktree_fingerprint.h>
#include <pipe/oci/digest.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/test_detection.h>
#include <pipe/tools/start_error.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

using Clock = std::chrono::steady_clock;

// How much older than the run's start a coverage file may look and still count as written by it
// (file systems with coarse timestamps).
constexpr std::chrono::seconds k_coverage_clock_slack{2};

// A shell command string with args appended as words quoted for the shell.
std::string with_words(std::string command, const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
        command += ' ';
        command += proc::shell_quote(arg);
    }
    return command;
}

proc::Command make_command(std::vector<std::string> argv, const Workspace& workspace) {
    proc::Command command;
    command.argv = std::move(argv);
    command.cwd = workspace.root;
    for (const auto& [name, value] : workspace.config.test.env) {
        command.env[name] = value;
    }
    return command;
}

std::string configured_origin(const config::TestConfig& test, const std::string& key) {
    auto found = test.origins.find(key);
    return found == test.origins.end() ? std::string("pipe.yaml") : found->second;
}

Error nothing_to_run(const Workspace& workspace, const std::vector<std::string>& notes) {
    std::string message = fmt::format("no tests to run in {}: test.command is not set and none of {} is there",
                                      workspace.root.string(), fmt::join(detection_markers(), ", "));
    if (!notes.empty()) {
        message += fmt::format(" ({})", fmt::join(notes, "; "));
    }
    return config_error("", message, "set test.command in pipe.yaml, e.g. test: {command: [make, check]}");
}

// The coverage file of this run: recorded when the run wrote it, a warning otherwise.
std::optional<state::CoverageRecord> coverage_of(const Workspace& workspace, const TestPlan& plan,
                                                 std::filesystem::file_time_type started, bool passed,
                                                 std::vector<std::string>& warnings) {
    if (plan.coverage.empty()) {
        return std::nullopt;
    }
    const std::filesystem::path path = workspace.root / plan.coverage;
    std::error_code ec;
    const std::filesystem::file_time_type written = std::filesystem::last_write_time(path, ec);
    if (ec) {
        if (passed) {
            warnings.push_back(fmt::format("the tests wrote no coverage file {}", plan.coverage));
        }
        return std::nullopt;
    }
    if (written + k_coverage_clock_slack < started) {
        warnings.push_back(fmt::format("{} is older than this run; it is not recorded", plan.coverage));
        return std::nullopt;
    }
    Result<std::string> digest = oci::sha256_file(path);
    if (!digest) {
        warnings.push_back(fmt::format("cannot read the coverage file {}: {}", plan.coverage, digest.error().message));
        return std::nullopt;
    }
    return state::CoverageRecord{plan.coverage, *digest};
}

// Records result in the state of tree, the tree as the run left it.
Result<std::filesystem::path> record(const Workspace& workspace, const state::TreeIdentity& tree, const TestPlan& plan,
                                     const TestResult& result) {
    Result<state::State> current = state::state_for_update(workspace.root, tree);
    if (!current) {
        return current.error();
    }
    state::TestRecord entry;
    entry.runner = plan.runner;
    for (const proc::Command& command : plan.commands) {
        entry.commands.push_back(proc::describe(command));
    }
    entry.passed = result.passed;
    entry.exit_code = result.status.exit_code();
    entry.status = proc::describe(result.status);
    entry.finished_at = rfc3339_utc(std::chrono::system_clock::now());
    entry.duration_ms = result.duration.count();
    entry.coverage = result.coverage;
    current->repository[state::k_test_section] = state::to_json(entry);
    if (auto written = state::write_state(workspace.root, *current); !written) {
        return written.error();
    }
    return state::state_path(workspace.root);
}

}  // namespace

Result<TestPlan> plan_test(const Workspace& workspace, const TestOptions& options) {
    const config::TestConfig& test = workspace.config.test;
    TestPlan plan;
    if (!options.command.empty()) {
        plan.runner = "--command";
        plan.origin = "--command";
        plan.commands.push_back(make_command({"sh", "-c", with_words(options.command, options.args)}, workspace));
        plan.install_hint = "pipe runs --command with sh -c; check that sh is on PATH";
    } else if (!test.command.empty()) {
        plan.runner = "configured";
        plan.origin = configured_origin(test, "command");
        std::vector<std::string> argv = test.command;
        if (test.shell) {
            argv = {"sh", "-c", with_words(test.command.front(), options.args)};
        } else {
            argv.insert(argv.end(), options.args.begin(), options.args.end());
        }
        plan.install_hint = fmt::format("install '{}' or change test.command at {}", argv.front(), plan.origin);
        plan.commands.push_back(make_command(std::move(argv), workspace));
    } else {
        Detection detection = detect_test_runner(read_project_files(workspace.root));
        if (!detection.runner) {
            return nothing_to_run(workspace, detection.notes);
        }
        DetectedRunner& detected = *detection.runner;
        detected.commands.back().insert(detected.commands.back().end(), options.args.begin(), options.args.end());
        plan.runner = detected.kind;
        plan.origin = detected.marker;
        for (std::vector<std::string>& argv : detected.commands) {
            plan.commands.push_back(make_command(std::move(argv), workspace));
        }
        plan.coverage = detected.coverage;
        plan.install_hint = detected.install_hint + "; or set test.command in pipe.yaml";
        plan.notes = std::move(detection.notes);
    }
    if (!test.coverage.empty()) {
        plan.coverage = test.coverage;
    }
    if (!options.coverage.empty()) {
        plan.coverage = options.coverage;
    }
    plan.timeout = options.timeout.count() > 0 ? options.timeout : test.timeout;
    for (proc::Command& command : plan.commands) {
        command.sink = options.output;
    }
    return plan;
}

Result<TestResult> run_test(const Workspace& workspace, proc::Runner& runner, const TestPlan& plan,
                            const TestOptions& options) {
    TestResult result;
    std::string fingerprint_before;
    if (workspace.git) {
        Result<git::WorktreeFingerprint> before = git::worktree_fingerprint(workspace.root);
        if (!before) {
            return before.error();
        }
        fingerprint_before = before->digest;
    }
    if (plan.runner == "cmake") {
        if (auto made = state::pipe_directory(workspace.root); !made) {
            return made.error();
        }
    }
    const std::filesystem::file_time_type started_file_time = std::filesystem::file_time_type::clock::now();
    const Clock::time_point started = Clock::now();
    result.passed = true;
    for (const proc::Command& planned : plan.commands) {
        proc::Command command = planned;
        if (plan.timeout.count() > 0) {
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
            command.timeout = std::max(plan.timeout - elapsed, std::chrono::milliseconds(1));
        }
        if (options.starting) {
            options.starting(command);
        }
        Result<proc::ProcessResult> ran = runner.run(command);
        if (!ran) {
            return tools::start_error("cannot run the tests", ran.error(), plan.install_hint);
        }
        ++result.commands_run;
        result.status = ran->status;
        if (plan.timeout.count() > 0 && ran->status.timed_out()) {
            result.status = ran->status.timed_out_after(plan.timeout);
        }
        if (ran->status.success()) {
            continue;
        }
        result.passed = false;
        break;
    }
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    result.coverage = coverage_of(workspace, plan, started_file_time, result.passed, result.warnings);
    if (!workspace.git) {
        result.warnings.emplace_back("not a git checkout: the result is not recorded in .pipe/state.json");
        return result;
    }
    Result<state::TreeIdentity> tree = state::current_tree(workspace.root, workspace.git->sha);
    if (!tree) {
        return tree.error();
    }
    Result<std::filesystem::path> recorded = record(workspace, *tree, plan, result);
    if (!recorded) {
        return recorded.error();
    }
    result.state_file = *recorded;
    if (tree->fingerprint != fingerprint_before) {
        result.warnings.emplace_back(
            "the tests changed files git sees (not in .gitignore): a state recorded before this run no longer "
            "matches the tree; add generated files such as coverage reports to .gitignore");
    }
    return result;
}

}  // namespace pipeline::steps
