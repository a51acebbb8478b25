#include "cli/app.h"

#include "cli/command_table.h"
#include "cli/completion.h"
#include "cli/step_recording.h"

#include <pipe/core/suggest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace pipeline::cli {
namespace {

const char* const k_exit_codes = R"(Exit codes:
  0  success
  1  the step ran and its verdict is negative (tests failed, vulnerabilities over the gate,
     verification failed)
  2  usage or configuration error
  3  runtime error (tool missing or crashed, network, registry or API failure)
  130/143  interrupted by SIGINT/SIGTERM (pipe cleans up, then dies by the same signal)

Configuration: pipe.yaml at the repository root < PIPE_* environment variables < flags.
See man pipe(1) for details.)";

// The parsed command line: the CLI11 tree plus the handler of each command.
struct ParsedCommandLine {
    CLI::App app{"pipe: run a container pipeline's steps the same way on a laptop, in CI and from make", "pipe"};
    GlobalOptions globals;
    std::vector<std::pair<CLI::App*, std::unique_ptr<CommandHandler>>> commands;
};

void add_global_options(ParsedCommandLine& cli) {
    CLI::App& app = cli.app;
    GlobalOptions& g = cli.globals;
    app.add_option("-C", g.directory, "Run as if pipe was started in DIR")->option_text("DIR");
    app.add_option("--config", g.config_file, "Configuration file (default: pipe.yaml at the repository root)")
        ->option_text("FILE");
    app.add_option("--service", g.services, "Act on this service only (repeatable; default: all)")->option_text("NAME");
    app.add_flag("--json", g.json, "Print exactly one JSON document on stdout; messages go to stderr");
    app.add_flag("--dry-run", g.dry_run, "Show the commands and API calls that would run; change nothing");
    CLI::Option* verbose = app.add_flag("-v,--verbose", g.verbose, "Show more detail on stderr");
    app.add_flag("-q,--quiet", g.quiet, "Show only warnings and errors on stderr")->excludes(verbose);
    app.add_flag("--no-color", g.no_color, "Disable colour (also: NO_COLOR=1)");
    app.set_version_flag("--version", std::string("pipe ") + PIPE_VERSION, "Print pipe's version and exit");
}

std::string examples_footer(const CommandSpec& spec) {
    std::string text = "Examples:\n";
    for (const std::string& example : spec.examples) {
        text += "  " + example + "\n";
    }
    return text + "\n" + k_exit_codes;
}

void build(ParsedCommandLine& cli) {
    cli.app.allow_extras();
    cli.app.fallthrough();
    cli.app.require_subcommand(0, 1);
    cli.app.footer(k_exit_codes);
    add_global_options(cli);
    for (const CommandSpec& spec : command_table()) {
        CLI::App* command = cli.app.add_subcommand(spec.name, spec.summary);
        command->footer(examples_footer(spec));
        command->allow_extras();
        std::unique_ptr<CommandHandler> handler = spec.make();
        handler->add_options(*command);
        cli.commands.emplace_back(command, std::move(handler));
    }
}

std::vector<std::string> long_option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options()) {
        for (const std::string& name : option->get_lnames()) {
            names.push_back("--" + name);
        }
    }
    return names;
}

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const CommandSpec& spec : command_table()) {
        names.push_back(spec.name);
    }
    return names;
}

// Explains the first argument nobody accepted, with a suggestion.
Error unexpected_argument(const ParsedCommandLine& cli, const CLI::App* command, const std::string& word) {
    if (!word.empty() && word.front() == '-') {
        std::string flag = word.substr(0, word.find('='));
        std::vector<std::string> known = long_option_names(cli.app);
        std::string help = "pipe --help";
        if (command != nullptr) {
            std::vector<std::string> own = long_option_names(*command);
            known.insert(known.end(), own.begin(), own.end());
            help = fmt::format("pipe {} --help", command->get_name());
        }
        std::string hint = fmt::format("see '{}'", help);
        if (auto guess = closest_match(flag, known)) {
            hint = fmt::format("did you mean '{}'? {}", *guess, hint);
        }
        return usage_error(fmt::format("unknown option '{}'", flag), hint);
    }
    if (command == nullptr) {
        std::string hint = "see 'pipe --help' for the list of commands";
        if (auto guess = closest_match(word, command_names())) {
            hint = fmt::format("did you mean '{}'? {}", *guess, hint);
        }
        return usage_error(fmt::format("unknown command '{}'", word), hint);
    }
    return usage_error(fmt::format("unexpected argument '{}' for 'pipe {}'", word, command->get_name()),
                       fmt::format("see 'pipe {} --help'", command->get_name()));
}

Outcome fail(Output& out, const Error& error) {
    out.error(error);
    if (out.options().json) {
        out.document(nlohmann::json{{"error",
                                     {{"kind", error.kind == ErrorKind::runtime  ? "runtime"
                                               : error.kind == ErrorKind::config ? "config"
                                               : error.kind == ErrorKind::usage  ? "usage"
                                                                                 : "interrupted"},
                                      {"message", error.message},
                                      {"where", error.where},
                                      {"hint", error.hint},
                                      {"exit_code", exit_code_for(error)}}}});
    }
    if (error.kind == ErrorKind::interrupted) {
        return Outcome{exit_code_for(error), error.signal};
    }
    return Outcome{exit_code_for(error), 0};
}

}  // namespace

Outcome run(int argc, const char* const* argv, const Environment& env) {
    if (argc >= 2 && std::string_view(argv[1]) == k_complete_command) {
        ParsedCommandLine cli;
        build(cli);
        return Outcome{complete(cli.app, argc - 2, argv + 2), 0};
    }
    ParsedCommandLine cli;
    build(cli);
    bool json_requested = false;
    for (int i = 1; i < argc; ++i) {
        json_requested = json_requested || std::string_view(argv[i]) == "--json";
    }
    try {
        cli.app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return Outcome{cli.app.exit(e), 0};
        }
        Output out(OutputOptions{json_requested, false, false, color_wanted(env, false, STDERR_FILENO)});
        return fail(out, usage_error(e.what(), "see 'pipe --help'"));
    }
    const GlobalOptions& g = cli.globals;
    Output out(OutputOptions{g.json, g.quiet, g.verbose, color_wanted(env, g.no_color, STDERR_FILENO),
                             live_status_wanted(env, STDERR_FILENO)});
    CommandHandler* handler = nullptr;
    CLI::App* chosen = nullptr;
    for (auto& [command, command_handler] : cli.commands) {
        if (command->parsed()) {
            chosen = command;
            handler = command_handler.get();
        }
    }
    std::vector<std::string> extras = chosen != nullptr ? chosen->remaining() : std::vector<std::string>{};
    std::vector<std::string> top = cli.app.remaining();
    extras.insert(extras.end(), top.begin(), top.end());
    // CLI11 2.1 keeps the `--` that ended a command's options among the extras; it is no argument.
    extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
    if (!extras.empty()) {
        return fail(out, unexpected_argument(cli, chosen, extras.front()));
    }
    if (handler == nullptr) {
        fmt::print(stderr, "{}", cli.app.help());
        return fail(out, usage_error("no command given", "try 'pipe tags', or see 'pipe --help'"));
    }
    if (!g.directory.empty()) {
        std::error_code ec;
        std::filesystem::current_path(g.directory, ec);
        if (ec) {
            return fail(out, usage_error(fmt::format("cannot change to directory '{}': {}", g.directory, ec.message()),
                                         "check the path given to -C"));
        }
    }
    Invocation invocation(g, env, out);
    Result<Verdict> verdict = is_run_step(chosen->get_name())
                                  ? run_recorded_step(chosen->get_name(), *handler, invocation).verdict
                                  : handler->run(invocation);
    if (!verdict) {
        return fail(out, verdict.error());
    }
    return Outcome{*verdict == Verdict::pass ? 0 : 1, 0};
}

}  // namespace pipeline::cli
