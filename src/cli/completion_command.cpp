// `pipe completion bash|zsh|fish`: prints the shell's completion script from completions/ (built
// into the binary). The scripts are tiny and ask `pipe __complete` for candidates, so they follow
// the command table.
#include "cli/command_table.h"
#include "cli/completion_scripts.h"

#include <string_view>

namespace pipeline::cli {
namespace {

class CompletionCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("shell", m_shell, "bash, zsh or fish")
            ->required()
            ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    }

    Result<Verdict> run(Invocation& invocation) override {
        const std::string_view file = m_shell == "bash" ? "pipe.bash" : m_shell == "zsh" ? "_pipe" : "pipe.fish";
        for (const EmbeddedFile& script : completion_scripts()) {
            if (script.name == file) {
                std::string_view text = script.content;
                if (!text.empty() && text.back() == '\n') {
                    text.remove_suffix(1);  // line() ends it again
                }
                invocation.out().line(text);
            }
        }
        return Verdict::pass;
    }

private:
    std::string m_shell;
};

}  // namespace

std::unique_ptr<CommandHandler> make_completion_command() {
    return std::make_unique<CompletionCommand>();
}

}  // namespace pipeline::cli
