#include <pipe/steps/scratch_directory.h>

#include <fmt/format.h>

#include <cstdlib>

namespace pipeline::steps {
namespace {

std::filesystem::path temp_base() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    return ec ? std::filesystem::path("/tmp") : base;
}

}  // namespace

ScratchDirectory::~ScratchDirectory() {
    if (!m_path.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
}

Result<std::filesystem::path> ScratchDirectory::create(const std::string& purpose) {
    std::string pattern = placeholder(purpose).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return runtime_error(fmt::format("cannot create a temporary directory {}", pattern),
                             "check that TMPDIR (or /tmp) exists and is writable");
    }
    m_path = pattern;
    return m_path;
}

std::filesystem::path ScratchDirectory::placeholder(const std::string& purpose) {
    return temp_base() / fmt::format("pipe-{}-XXXXXX", purpose);
}

}  // namespace pipeline::steps
