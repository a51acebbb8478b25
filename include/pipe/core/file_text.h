// Reading a whole file into memory, the one way pipe does it (configuration, state, auth files,
// reports, ids tools write), so callers only decide what a missing file means.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pipeline {

// The file's bytes, or nullopt when it cannot be opened (errno tells why).
std::optional<std::string> read_file_text(const std::filesystem::path& path);

}  // namespace pipeline
