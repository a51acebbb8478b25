// Command: one external program to run, described as data. Tool wrappers (buildah, trivy,
// cosign, skopeo) fill it in and hand it to a Runner, so an argv never passes through a shell,
// secrets reach the child only through its environment or stdin, and --dry-run can print it.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/secret.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::proc {

// Which of the child's two output streams a line came from.
enum class Stream { out, err };

// Receives each line of child output as it arrives (without its newline), so the caller decides
// whether and how to echo a tool's progress; a final line without newline is delivered too.
using OutputSink = std::function<void(Stream stream, std::string_view line)>;

// Secret environment variables by name: the child sees the value, every rendering shows ***.
using SecretEnvironment = std::map<std::string, Secret, std::less<>>;

// Everything needed to start one child process and nothing a shell would have to parse.
struct Command {
    std::vector<std::string> argv;          // argv[0] is searched on the child's PATH unless it has a '/'
    bool inherit_environment = true;        // start from pipe's own environment, else from an empty one
    std::vector<std::string> unset_env;     // names removed from the inherited environment
    Environment env;                        // names added or replaced
    SecretEnvironment secret_env;           // names added or replaced, rendered as NAME=***
    std::filesystem::path cwd;              // the child's working directory; empty keeps pipe's
    std::optional<std::string> stdin_data;  // bytes fed to the child's stdin; nullopt is /dev/null
    std::chrono::milliseconds timeout{0};   // kill the child's process group after this; zero is none
    OutputSink sink;                        // live output lines, secret_env values masked; empty: capture only
};

// The environment the child sees: parent (when inherited) minus unset_env, plus env, plus
// secret_env (secrets win over env, env wins over unset_env). Pure, so it is testable.
Environment child_environment(const Command& command, const Environment& parent);

// One word quoted for a POSIX shell so that pasting it gives back exactly that argument; plain
// words (letters, digits, and _@%+=:,./-) stay unquoted.
std::string shell_quote(std::string_view word);

// The command as a line a user can paste into a shell, for --dry-run and --verbose:
// `cd DIR && env -u NAME NAME=value SECRET=*** argv...`, with `env` only when something must be
// unset, and a trailing `# stdin: provided by pipe` note when data is fed to stdin (whose content
// is never shown, as it may be a credential).
std::string describe(const Command& command);

}  // namespace pipeline::proc
