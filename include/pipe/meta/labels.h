// The `labels` output: eight OCI annotations describing the source (created, description,
// licenses, revision, source, title, url, version), then the user's key=value lines, which
// override them because the last occurrence of a key wins.
#pragma once

#include <pipe/meta/source_context.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// time as JavaScript's Date.toISOString() prints it: 2020-01-10T00:30:00.000Z.
std::string iso_timestamp(std::chrono::system_clock::time_point time);

// The eight default lines ("org.opencontainers.image.version=<version>", ...).
std::vector<std::string> default_label_lines(const SourceContext& context, std::string_view version);

// Merges key=value lines in order: the key is the text before the first '=', the value the rest
// (which may contain '='); a later line replaces an earlier key; lines without '=' are dropped.
std::map<std::string, std::string> merge_labels(const std::vector<std::string>& lines);

}  // namespace pipeline::meta
