// Parses the command line against the command table, runs the chosen command and turns its
// Result<Verdict> into an exit code. Only main() ends the process.
#pragma once

#include <pipe/core/environment.h>

namespace pipeline::cli {

// How the run ended: an exit code, or a signal main() must re-raise after cleanup.
struct Outcome {
    int exit_code = 0;
    int reraise_signal = 0;
};

// Runs pipe with argv; env is the process environment snapshot.
Outcome run(int argc, const char* const* argv, const Environment& env);

}  // namespace pipeline::cli
