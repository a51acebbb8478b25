#include <pipe/core/atomic_file.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace pipeline {
namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

// Closes a file descriptor when it goes out of scope.
class FdCloser {
public:
    explicit FdCloser(int fd) : m_fd(fd) {}
    ~FdCloser() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;

    // Closes now, reporting the error a late write-back failure shows up as.
    int close() {
        int rc = ::close(m_fd);
        m_fd = -1;
        return rc;
    }

private:
    int m_fd;
};

Result<void> write_all(int fd, std::string_view text, const std::string& path) {
    while (!text.empty()) {
        ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written < 0) {
            return runtime_error(fmt::format("cannot write {}: {}", path, errno_text(errno)),
                                 "check free disk space and permissions");
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

Result<void> sync_directory(const std::filesystem::path& directory) {
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return runtime_error(fmt::format("cannot open {}: {}", directory.string(), errno_text(errno)));
    }
    FdCloser closer(fd);
    if (::fsync(fd) != 0 && errno != EINVAL) {
        return runtime_error(fmt::format("cannot sync {}: {}", directory.string(), errno_text(errno)));
    }
    return {};
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view text, unsigned mode) {
    std::filesystem::path directory = path.parent_path();
    if (directory.empty()) {
        directory = ".";
    }
    std::string temp = (directory / (path.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return runtime_error(
            fmt::format("cannot create a temporary file in {}: {}", directory.string(), errno_text(errno)),
            "check that the directory exists and is writable");
    }
    FdCloser closer(fd);
    auto fail = [&](Error error) -> Result<void> {
        ::unlink(temp.c_str());
        return error;
    };
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
        return fail(runtime_error(fmt::format("cannot set the mode of {}: {}", temp, errno_text(errno))));
    }
    if (auto written = write_all(fd, text, temp); !written) {
        return fail(written.error());
    }
    if (::fsync(fd) != 0) {
        return fail(runtime_error(fmt::format("cannot sync {}: {}", temp, errno_text(errno)), "check free disk space"));
    }
    if (closer.close() != 0) {
        return fail(runtime_error(fmt::format("cannot close {}: {}", temp, errno_text(errno))));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        return fail(runtime_error(fmt::format("cannot replace {}: {}", path.string(), errno_text(errno)),
                                  "check the permissions of the directory"));
    }
    return sync_directory(directory);
}

}  // namespace pipeline
