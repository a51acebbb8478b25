// The error for a tool that could not be started: what pipe was doing and why, and when the
// program is missing, how to install it. Shared by every tool wrapper.
#pragma once

#include <pipe/core/error.h>

#include <string_view>

namespace pipeline::tools {

// error (from a Runner that could not start the tool) as a runtime error prefixed with doing;
// install_hint replaces the hint when the executable was not found. Interrupts pass unchanged.
Error start_error(std::string_view doing, Error error, std::string_view install_hint);

}  // namespace pipeline::tools
