// A per-test scratch directory, removed when the test passes and kept (path printed) when it
// fails, so a failure can be inspected afterwards.
#pragma once

#include <filesystem>
#include <string>

namespace pipeline::testing {

// Creates a fresh directory under $TMPDIR (or /tmp); removal depends on the test's outcome.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }

    // Writes text to a file relative to the directory, creating parent folders.
    std::filesystem::path write(const std::string& relative, const std::string& text) const;

private:
    std::filesystem::path m_path;
};

// The whole content of a file, or "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// True once any assertion of the running test case has failed (set by a Catch2 listener).
bool current_test_failed();

}  // namespace pipeline::testing
