// A private temporary directory for files a step hands to a tool (--iidfile, --digestfile,
// CA certificates), removed with its content when the step returns, also on error or Ctrl-C.
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <string>

namespace pipeline::steps {

// Owns one directory (mode 0700) created on demand.
class ScratchDirectory {
public:
    ScratchDirectory() = default;
    ~ScratchDirectory();
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    ScratchDirectory(ScratchDirectory&&) = delete;
    ScratchDirectory& operator=(ScratchDirectory&&) = delete;

    // Creates pipe-<purpose>-XXXXXX under TMPDIR (or /tmp); a runtime error names the path.
    Result<std::filesystem::path> create(const std::string& purpose);

    // What a dry run shows for a directory that only a real run creates.
    static std::filesystem::path placeholder(const std::string& purpose);

private:
    std::filesystem::path m_path;
};

}  // namespace pipeline::steps
