#include "libgit2_handles.h"

namespace pipeline::git {

void ensure_initialised() {
    static const int k_initialised = git_libgit2_init();
    (void)k_initialised;
}

std::string last_error_message() {
    const ::git_error* error = git_error_last();
    if (error == nullptr || error->message == nullptr) {
        return "unknown libgit2 error";
    }
    return error->message;
}

Error libgit2_failure(const std::string& doing) {
    return runtime_error(doing + ": " + last_error_message());
}

}  // namespace pipeline::git
