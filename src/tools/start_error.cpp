#include <pipe/tools/start_error.h>

#include <fmt/format.h>

#include <string>

namespace pipeline::tools {

Error start_error(std::string_view doing, Error error, std::string_view install_hint) {
    if (error.kind == ErrorKind::interrupted) {
        return error;
    }
    const bool missing =
        error.message.find("not found") != std::string::npos || error.message.find("No such file") != std::string::npos;
    Error failed = runtime_error(fmt::format("{}: {}", doing, error.message), error.hint);
    if (missing) {
        failed.hint = std::string(install_hint);
    }
    return failed;
}

}  // namespace pipeline::tools
