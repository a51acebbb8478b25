# fish completion for pipe; candidates come from `pipe __complete` (pipe's command table).
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
