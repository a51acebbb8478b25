// Replacing a file so readers see either the old or the new content, never a torn one: the
// state file, the run record and metrics files a collector may read at any moment.
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <string_view>

namespace pipeline {

// Writes text to a temporary file next to path, syncs it, gives it mode, renames it over path
// and syncs the directory. The directory must exist; a failure leaves path untouched.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view text, unsigned mode = 0644);

}  // namespace pipeline
