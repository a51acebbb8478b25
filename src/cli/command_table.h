// The one table of pipe's commands. Help, completion, the man page test and "did you mean"
// all read it; adding a command is one file plus one row here.
#pragma once

#include "cli/invocation.h"

#include <pipe/core/verdict.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pipeline::cli {

// A command's flags and behaviour; one implementation per file in src/cli/.
class CommandHandler {
public:
    virtual ~CommandHandler() = default;
    // Declares the command's own flags on its CLI11 subcommand.
    virtual void add_options(CLI::App& command) = 0;
    // Runs the command after parsing; printing happens here, the work in a steps:: function.
    virtual Result<Verdict> run(Invocation& invocation) = 0;
    // The command's own part of the run record (`.pipe/run.json`) after run, beyond what it left in
    // `.pipe/state.json`; null for commands whose results the state already holds.
    virtual nlohmann::json record_part() const { return nullptr; }
    // False when the command did something other than its pipeline step (`pipe sign
    // --generate-key`, `pipe bump --check`), so the run record is left alone.
    virtual bool ran_step() const { return true; }
};

// One row of the table.
struct CommandSpec {
    std::string name;
    std::string summary;                // one line, shown in `pipe --help`
    std::vector<std::string> examples;  // shown in `pipe <command> --help`
    std::function<std::unique_ptr<CommandHandler>()> make;
};

// Every command, in the order `pipe --help` lists them.
const std::vector<CommandSpec>& command_table();

// Constructors of the commands, one per file.
std::unique_ptr<CommandHandler> make_test_command();
std::unique_ptr<CommandHandler> make_tags_command();
std::unique_ptr<CommandHandler> make_build_command();
std::unique_ptr<CommandHandler> make_push_command();
std::unique_ptr<CommandHandler> make_scan_command();
std::unique_ptr<CommandHandler> make_sign_command();
std::unique_ptr<CommandHandler> make_verify_command();
std::unique_ptr<CommandHandler> make_bump_command();
std::unique_ptr<CommandHandler> make_run_command();
std::unique_ptr<CommandHandler> make_completion_command();
std::unique_ptr<CommandHandler> make_init_command();
std::unique_ptr<CommandHandler> make_doctor_command();
std::unique_ptr<CommandHandler> make_version_command();

}  // namespace pipeline::cli
