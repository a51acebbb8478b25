// Reads pipe.yaml strictly (unknown keys, wrong types and bad YAML are errors with
// file:line:column and a suggestion) and layers PIPE_* environment variables over it.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/environment.h>
#include <pipe/core/result.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace pipeline::config {

// Parses YAML text; display_name is used in error locations (normally the file path).
// default_name names the single service of a file without `services:`.
Result<Config> parse_config(std::string_view text, const std::string& display_name, const std::string& default_name);

// Loads path when given (it must exist), else <root>/pipe.yaml if present, else an empty config.
Result<Config> load_config(const std::filesystem::path& explicit_path, const std::filesystem::path& root,
                           const std::string& default_name);

// Applies PIPE_IMAGE, PIPE_TAGS, PIPE_FLAVOR, PIPE_LABELS, PIPE_CONTEXT, PIPE_FILE and the buildah
// settings PIPE_STORAGE_DRIVER, PIPE_ISOLATION, PIPE_BUILDAH_ROOT and PIPE_BUILDAH_RUNROOT (empty
// values ignored) to every service. List variables take one entry per line (PIPE_IMAGE also
// accepts commas).
Result<void> apply_environment(Config& config, const Environment& env);

// Checks one `build:` value the way the loader does, so flags and variables get the same rules:
// isolation and storage_driver must be known choices (with "did you mean"), platforms os/arch[/variant],
// annotations key=value, target/root/runroot non-empty. key is the name under `build:`; the
// error (kind config) is located at where.
Result<void> validate_build_value(const std::string& key, const std::string& value, const std::string& where);

// Keeps only the named services (in the order given); an unknown name is a usage error.
Result<void> select_services(Config& config, const std::vector<std::string>& names);

// Splits a metadata-action style list: one entry per line, blank lines and # comments dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace pipeline::config
