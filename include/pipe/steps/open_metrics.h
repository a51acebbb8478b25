// The run record as OpenMetrics text, for a node-exporter textfile collector or a Pushgateway:
// gauges with units in their names (pipe_step_duration_seconds, pipe_step_success,
// pipe_scan_findings), HELP/TYPE/UNIT metadata and the closing `# EOF`.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// A label value escaped for the exposition format: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

// The metrics of record's steps, one sample per step and service (a step handles every selected
// service at once, so they share its duration and success), plus the scan counts per severity.
std::string render_open_metrics(const nlohmann::json& record, const std::vector<std::string>& services);

}  // namespace pipeline::steps
