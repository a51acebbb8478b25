// Trivy's ignore files, read by pipe itself so that it decides the gate the way Trivy would
// filter: `.trivyignore` (one ID per line, optional `exp:YYYY-MM-DD`) and the YAML form
// (`vulnerabilities`, `secrets`, `misconfigurations` lists with id, paths, purls, expired_at,
// statement). Unlike Trivy, a named ignore file that does not exist is an error.
#pragma once

#include <pipe/core/result.h>
#include <pipe/scan/report.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::scan {

// One ignore entry.
struct IgnoreEntry {
    std::optional<FindingKind> kind;  // nullopt: any scanner (the plain format)
    std::string id;
    std::vector<std::string> paths;  // globs on the package path or file; empty: anywhere
    std::vector<std::string> purls;  // package URLs (vulnerabilities); empty: any package
    std::string expires;             // YYYY-MM-DD; empty: never
    std::string statement;           // why it is ignored
    std::string where;               // file:line for messages
};

// Parses the plain format. A malformed exp: date is a config error at file:line.
Result<std::vector<IgnoreEntry>> parse_plain_ignore(std::string_view text, const std::string& file);

// Parses the YAML format; errors carry file:line:column.
Result<std::vector<IgnoreEntry>> parse_yaml_ignore(std::string_view text, const std::string& file);

// Reads path, choosing the format by its extension (.yml/.yaml: YAML). A missing or unreadable file
// is a config error naming it.
Result<std::vector<IgnoreEntry>> load_ignore_file(const std::filesystem::path& path, const std::string& shown);

// True when entry (regardless of expiry) covers finding.
bool ignore_matches(const IgnoreEntry& entry, const Finding& finding);

}  // namespace pipeline::scan
