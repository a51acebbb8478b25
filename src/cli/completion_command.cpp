// `pipe completion bash|zsh|fish`: prints the shell's completion script. The scripts are tiny and
// ask `pipe __complete` for candidates, so they follow the command table; completions/ holds the
// same text for packagers (a test keeps the two identical).
#include "cli/command_table.h"

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

const char* const k_bash = R"(# bash completion for pipe. Candidates come from `pipe __complete`, which reads pipe's own
# command table, so this file never goes stale. Install: source it, or copy it to
# /usr/share/bash-completion/completions/pipe
_pipe() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    local candidates
    candidates=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
    case $candidates in
    :files) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    :dirs) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    *) mapfile -t COMPREPLY <<<"$candidates"; [[ -z $candidates ]] && COMPREPLY=() ;;
    esac
    return 0
}
complete -F _pipe pipe
)";

const char* const k_zsh = R"(#compdef pipe
# zsh completion for pipe; candidates come from `pipe __complete` (pipe's command table).
# Install: put this file in a directory on $fpath.
_pipe() {
    local -a candidates
    candidates=("${(@f)$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    case ${candidates[1]} in
    :files) _files ;;
    :dirs) _files -/ ;;
    *) compadd -a candidates ;;
    esac
}
_pipe "$@"
)";

const char* const k_fish = R"(# fish completion for pipe; candidates come from `pipe __complete` (pipe's command table).
# Install: copy to ~/.config/fish/completions/pipe.fish
function __pipe_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l candidates (pipe __complete $words[2..-1] 2>/dev/null)
    switch "$candidates[1]"
        case :files
            __fish_complete_path (commandline -ct)
        case :dirs
            __fish_complete_directories (commandline -ct)
        case '*'
            printf '%s\n' $candidates
    end
end
complete -c pipe -f -a '(__pipe_complete)'
)";

class CompletionCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("shell", m_shell, "bash, zsh or fish")
            ->required()
            ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    }

    Result<Verdict> run(Invocation& invocation) override {
        const char* script = m_shell == "bash" ? k_bash : m_shell == "zsh" ? k_zsh : k_fish;
        invocation.out().line(std::string_view(script).substr(0, std::string_view(script).size() - 1));
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
