// Shell completion answered by pipe itself from the command table, so the bash, zsh and fish
// scripts in completions/ stay tiny and never go stale.
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>

namespace pipeline::cli {

// The hidden command the completion scripts call: `pipe __complete WORD... CURRENT`.
inline constexpr std::string_view k_complete_command = "__complete";

// Prints one candidate per line for the last word, or ":files" / ":dirs" to ask the shell for
// path completion. words are the command line after `pipe`, the last being the partial word.
int complete(const CLI::App& app, int count, const char* const* words);

}  // namespace pipeline::cli
