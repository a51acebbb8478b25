// `pipe version`: the same text as `pipe --version`, or {"version": "..."} with --json.
#include "cli/command_table.h"

namespace pipeline::cli {
namespace {

class VersionCommand final : public CommandHandler {
public:
    void add_options(CLI::App&) override {}

    Result<Verdict> run(Invocation& invocation) override {
        if (invocation.globals().json) {
            invocation.out().document(nlohmann::json{{"version", PIPE_VERSION}});
        } else {
            invocation.out().line(std::string("pipe ") + PIPE_VERSION);
        }
        return Verdict::pass;
    }
};

}  // namespace

std::unique_ptr<CommandHandler> make_version_command() {
    return std::make_unique<VersionCommand>();
}

}  // namespace pipeline::cli
