#include <pipe/ci/workflow_commands.h>

namespace pipeline::ci {

std::string escape_command_data(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        if (c == '%') {
            escaped += "%25";
        } else if (c == '\r') {
            escaped += "%0D";
        } else if (c == '\n') {
            escaped += "%0A";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string group_start(std::string_view title) {
    return "::group::" + escape_command_data(title);
}

std::string group_end() {
    return "::endgroup::";
}

std::string error_annotation(std::string_view title, std::string_view message) {
    std::string property;
    for (char c : escape_command_data(title)) {
        if (c == ':') {
            property += "%3A";
        } else if (c == ',') {
            property += "%2C";
        } else {
            property += c;
        }
    }
    return "::error title=" + property + "::" + escape_command_data(message);
}

}  // namespace pipeline::ci
