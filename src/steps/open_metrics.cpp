#include <pipe/steps/open_metrics.h>

#include <fmt/format.h>

namespace pipeline::steps {
namespace {

void family(std::string& text, std::string_view name, std::string_view help, std::string_view unit) {
    text += fmt::format("# TYPE {} gauge\n", name);
    if (!unit.empty()) {
        text += fmt::format("# UNIT {} {}\n", name, unit);
    }
    text += fmt::format("# HELP {} {}\n", name, help);
}

std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    std::string text;
    for (const auto& [name, value] : pairs) {
        text += fmt::format("{}{}=\"{}\"", text.empty() ? "" : ",", name, escape_label_value(value));
    }
    return "{" + text + "}";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    for (char c : value) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '"') {
            escaped += "\\\"";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string render_open_metrics(const nlohmann::json& record, const std::vector<std::string>& services) {
    const nlohmann::json steps = record.value("steps", nlohmann::json::array());
    std::string text;
    family(text, "pipe_step_duration_seconds", "Wall time of the pipe step that handled the service.", "seconds");
    for (const nlohmann::json& step : steps) {
        for (const std::string& service : services) {
            text += fmt::format("pipe_step_duration_seconds{} {}\n",
                                labels({{"step", step.value("step", "")}, {"service", service}}),
                                step.value("duration_seconds", 0.0));
        }
    }
    family(text, "pipe_step_success", "1 when the step succeeded, 0 when it failed.", "");
    for (const nlohmann::json& step : steps) {
        for (const std::string& service : services) {
            text += fmt::format("pipe_step_success{} {}\n",
                                labels({{"step", step.value("step", "")}, {"service", service}}),
                                step.value("exit_code", 1) == 0 ? 1 : 0);
        }
    }
    bool scanned = false;
    for (const nlohmann::json& service : record.value("services", nlohmann::json::array())) {
        if (!service.contains("scan") || !service["scan"].contains("counts")) {
            continue;
        }
        if (!scanned) {
            family(text, "pipe_scan_findings", "Findings of the scan of the pushed image, per severity.", "");
            scanned = true;
        }
        for (const auto& [severity, count] : service["scan"]["counts"].items()) {
            text += fmt::format("pipe_scan_findings{} {}\n",
                                labels({{"service", service.value("name", "")}, {"severity", severity}}),
                                count.is_number() ? count.get<long long>() : 0);
        }
    }
    return text + "# EOF\n";
}

}  // namespace pipeline::steps
