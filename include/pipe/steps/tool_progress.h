// How a step reports a tool's live progress (buildah's output while building or pushing each
// service), so the command decides how to show it: plain stderr, or a GitHub Actions group.
#pragma once

#include <pipe/proc/command.h>

#include <functional>
#include <string>

namespace pipeline::steps {

// Callbacks around the tool commands of each service; any may be empty.
struct ToolProgress {
    std::function<void(const std::string& service)> started;   // before a service's first command
    proc::OutputSink output;                                   // each line the tool prints
    std::function<void(const std::string& service)> finished;  // after its last command, even on failure
};

}  // namespace pipeline::steps
