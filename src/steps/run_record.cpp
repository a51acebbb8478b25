#include <pipe/steps/run_record.h>

#include <pipe/core/atomic_file.h>
#include <pipe/core/file_text.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/run_plan.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

std::ptrdiff_t run_order(const std::string& step) {
    return std::find(k_run_steps.begin(), k_run_steps.end(), step) - k_run_steps.begin();
}

// A path under root as relative to root; anything else unchanged.
std::string relative_to(const std::string& path, const std::filesystem::path& root) {
    if (path.empty()) {
        return path;
    }
    const std::filesystem::path given(path);
    if (!given.is_absolute()) {
        return path;
    }
    std::filesystem::path relative = given.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
        return path;
    }
    return relative.string();
}

// The fields of section named in keys, where present.
nlohmann::json pick(const nlohmann::json& section, std::initializer_list<const char*> keys) {
    nlohmann::json picked = nlohmann::json::object();
    for (const char* key : keys) {
        if (section.contains(key)) {
            picked[key] = section[key];
        }
    }
    return picked;
}

nlohmann::json service_record(const std::string& name, const nlohmann::json& sections,
                              const std::filesystem::path& root) {
    nlohmann::json service{{"name", name}};
    if (sections.contains("build") && sections["build"].is_object()) {
        service["build"] = pick(sections["build"], {"image", "tags", "references", "platforms"});
    }
    if (sections.contains("push") && sections["push"].is_object()) {
        service["push"] = pick(sections["push"], {"digest", "pinned", "references", "repositories", "platforms"});
    }
    if (sections.contains("scan") && sections["scan"].is_object()) {
        nlohmann::json scan = pick(sections["scan"], {"image", "digest", "counts", "failing", "passed", "trivy_version",
                                                      "report", "sbom", "sbom_format"});
        for (const char* key : {"report", "sbom"}) {
            if (scan.contains(key) && scan[key].is_string()) {
                scan[key] = relative_to(scan[key].get<std::string>(), root);
            }
        }
        service["scan"] = scan;
    }
    if (sections.contains("sign") && sections["sign"].is_object()) {
        service["sign"] = pick(sections["sign"], {"image", "digest", "method", "signed_digests", "attestations",
                                                  "stored_at", "verify_command"});
    }
    return service;
}

std::optional<nlohmann::json> read_json(const std::filesystem::path& path) {
    std::optional<std::string> text = read_file_text(path);
    if (!text) {
        return std::nullopt;
    }
    nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return std::nullopt;
    }
    return doc;
}

}  // namespace

std::filesystem::path run_record_path(const std::filesystem::path& root) {
    return state::state_path(root).parent_path() / "run.json";
}

nlohmann::json continue_record(const std::optional<nlohmann::json>& existing, const RunSource& source) {
    if (existing && existing->is_object() && existing->value("schema", 0) == k_run_record_schema &&
        existing->value("commit", "") == source.commit) {
        nlohmann::json record = *existing;
        if (!source.pull_request_head_sha.empty()) {
            record["pull_request_head_sha"] = source.pull_request_head_sha;
        }
        return record;
    }
    nlohmann::json record{{"schema", k_run_record_schema},
                          {"commit", source.commit},
                          {"services", nlohmann::json::array()},
                          {"steps", nlohmann::json::array()}};
    if (!source.pull_request_head_sha.empty()) {
        record["pull_request_head_sha"] = source.pull_request_head_sha;
    }
    return record;
}

void add_step(nlohmann::json& record, const StepOutcome& outcome) {
    nlohmann::json steps = nlohmann::json::array();
    if (record.contains("steps") && record["steps"].is_array()) {
        for (const nlohmann::json& entry : record["steps"]) {
            if (entry.is_object() && entry.value("step", "") != outcome.step) {
                steps.push_back(entry);
            }
        }
    }
    nlohmann::json entry{{"step", outcome.step},
                         {"exit_code", outcome.exit_code},
                         {"passed", outcome.exit_code == 0},
                         {"duration_seconds", outcome.duration_seconds},
                         {"finished_at", outcome.finished_at}};
    if (!outcome.result.is_null()) {
        entry["result"] = outcome.result;
    }
    steps.push_back(std::move(entry));
    std::stable_sort(steps.begin(), steps.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return run_order(a.value("step", "")) < run_order(b.value("step", ""));
    });
    record["steps"] = std::move(steps);
}

void derive_services(nlohmann::json& record, const nlohmann::json& state, const std::filesystem::path& root) {
    nlohmann::json services = nlohmann::json::array();
    const bool same_commit = state.is_object() && state.value("commit", "") == record.value("commit", "");
    if (same_commit && state.contains("services") && state["services"].is_object()) {
        for (const auto& [name, sections] : state["services"].items()) {
            services.push_back(service_record(name, sections, root));
        }
    }
    const nlohmann::json steps = record.value("steps", nlohmann::json::array());
    const nlohmann::json* bumped = nullptr;
    for (const nlohmann::json& entry : steps) {
        if (entry.value("step", "") == "bump" && entry.contains("result")) {
            bumped = &entry["result"];
        }
    }
    if (bumped != nullptr && bumped->contains("services") && (*bumped)["services"].is_array()) {
        for (const nlohmann::json& result : (*bumped)["services"]) {
            const std::string name = result.value("name", "");
            auto service = std::find_if(services.begin(), services.end(),
                                        [&](const nlohmann::json& s) { return s.value("name", "") == name; });
            if (service == services.end()) {
                services.push_back(nlohmann::json{{"name", name}});
                service = services.end() - 1;
            }
            (*service)["bump"].push_back(result);
        }
    }
    record["services"] = std::move(services);
    record.erase("test");
    if (same_commit && state.contains("repository") && state["repository"].is_object() &&
        state["repository"].contains("test") && state["repository"]["test"].is_object()) {
        nlohmann::json test =
            pick(state["repository"]["test"], {"runner", "commands", "passed", "exit_code", "status", "coverage"});
        if (test.contains("coverage") && test["coverage"].is_object() && test["coverage"].contains("path")) {
            test["coverage"]["path"] = relative_to(test["coverage"].value("path", ""), root);
        }
        record["test"] = std::move(test);
    }
}

Result<nlohmann::json> record_step_outcome(const std::filesystem::path& root, const RunSource& source,
                                           const StepOutcome& outcome) {
    if (auto made = state::pipe_directory(root); !made) {
        return made.error();
    }
    const std::filesystem::path path = run_record_path(root);
    nlohmann::json record = continue_record(read_json(path), source);
    add_step(record, outcome);
    derive_services(record, read_json(state::state_path(root)).value_or(nlohmann::json()), root);
    if (auto written = write_file_atomically(path, record.dump(2) + "\n"); !written) {
        return written.error();
    }
    return record;
}

}  // namespace pipeline::steps
