// Finding a program on PATH before running it, for steps that choose between a tool and a
// built-in path (pipe sign uses cosign when it is installed, its own signer when not).
#pragma once

#include <pipe/core/environment.h>

#include <filesystem>
#include <optional>
#include <string_view>

namespace pipeline::proc {

// The executable file name resolves to on env's PATH (name itself when it has a '/'), or
// nullopt when there is none.
std::optional<std::filesystem::path> find_executable(std::string_view name, const Environment& env);

}  // namespace pipeline::proc
