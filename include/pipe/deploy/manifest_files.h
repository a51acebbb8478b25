// Which files `pipe verify -f` reads: the deploy gate must see the same YAML files in the same
// order on every machine, so folders are walked recursively and the result is sorted.
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <vector>

namespace pipeline::deploy {

// The files to scan for image references: a given file as is (any extension), a given folder
// walked recursively for *.yaml/*.yml (hidden folders skipped, files of a folder sorted by path).
// A path that does not exist is a usage error; a folder that cannot be read is a runtime error.
Result<std::vector<std::filesystem::path>> manifest_files(const std::vector<std::filesystem::path>& paths);

// True for a file inside the templates/ folder of a Helm chart (a folder holding Chart.yaml):
// Go templates rather than YAML, so the deploy gate reads the chart's values files instead.
bool in_chart_templates(const std::filesystem::path& file);

}  // namespace pipeline::deploy
