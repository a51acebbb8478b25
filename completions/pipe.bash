# bash completion for pipe. Candidates come from `pipe __complete`, which reads pipe's own
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
