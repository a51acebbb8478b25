#include <pipe/ci/actions_files.h>

#include <fmt/format.h>

#include <fstream>
#include <random>

namespace pipeline::ci {
namespace {

std::string random_delimiter() {
    std::random_device device;
    std::uniform_int_distribution<unsigned> digit(0, 15);
    std::string id;
    for (int i = 0; i < 32; ++i) {
        id += "0123456789abcdef"[digit(device)];
    }
    return "ghadelimiter_" + id;
}

Result<void> append_to(const std::string& path, const std::string& text, const char* variable) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
    out.flush();
    if (!out) {
        return runtime_error(fmt::format("cannot append to {} ({})", path, variable),
                             "the runner sets this file; check the step's environment");
    }
    return {};
}

}  // namespace

std::string format_step_outputs(const StepOutputs& outputs, const std::string& delimiter) {
    std::string text;
    for (const auto& [name, value] : outputs) {
        if (value.find('\n') == std::string::npos && value.find('\r') == std::string::npos) {
            text += fmt::format("{}={}\n", name, value);
        } else {
            text += fmt::format("{}<<{}\n{}\n{}\n", name, delimiter, value, delimiter);
        }
    }
    return text;
}

Result<void> write_step_outputs(const Environment& env, const StepOutputs& outputs) {
    std::string path = value_or(env, "GITHUB_OUTPUT", "");
    if (path.empty()) {
        return {};
    }
    std::string delimiter = random_delimiter();
    for (const auto& output : outputs) {
        if (output.second.find(delimiter) != std::string::npos) {
            return runtime_error(fmt::format("output '{}' contains the generated delimiter", output.first));
        }
    }
    return append_to(path, format_step_outputs(outputs, delimiter), "GITHUB_OUTPUT");
}

Result<void> append_step_summary(const Environment& env, const std::string& markdown) {
    std::string path = value_or(env, "GITHUB_STEP_SUMMARY", "");
    if (path.empty()) {
        return {};
    }
    const std::string note = "\n\n_Summary truncated: GitHub accepts at most 1 MiB per step._\n";
    if (markdown.size() <= k_step_summary_limit) {
        return append_to(path, markdown, "GITHUB_STEP_SUMMARY");
    }
    std::string cut = markdown.substr(0, k_step_summary_limit - note.size());
    cut.resize(cut.rfind('\n') == std::string::npos ? cut.size() : cut.rfind('\n'));
    return append_to(path, cut + note, "GITHUB_STEP_SUMMARY");
}

}  // namespace pipeline::ci
