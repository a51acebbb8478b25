#include <pipe/core/error.h>

#include <utility>

namespace pipeline {

Error usage_error(std::string message, std::string hint) {
    return Error{ErrorKind::usage, std::move(message), {}, std::move(hint)};
}

Error config_error(std::string where, std::string message, std::string hint) {
    return Error{ErrorKind::config, std::move(message), std::move(where), std::move(hint)};
}

Error runtime_error(std::string message, std::string hint) {
    return Error{ErrorKind::runtime, std::move(message), {}, std::move(hint)};
}

Error located_error(std::string origin, std::string message, std::string hint) {
    const ErrorKind kind = origin.rfind("--", 0) == 0 ? ErrorKind::usage : ErrorKind::config;
    return Error{kind, std::move(message), std::move(origin), std::move(hint)};
}

Error interrupted_error(int signal) {
    return Error{ErrorKind::interrupted, "interrupted", {}, {}, signal};
}

int exit_code_for(const Error& error) {
    switch (error.kind) {
        case ErrorKind::usage:
        case ErrorKind::config:
            return 2;
        case ErrorKind::runtime:
            return 3;
        case ErrorKind::interrupted:
            return 128 + error.signal;
    }
    return 3;
}

std::string describe(const Error& error) {
    if (error.where.empty()) {
        return error.message;
    }
    return error.where + ": " + error.message;
}

}  // namespace pipeline
