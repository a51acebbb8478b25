#include <pipe/state/build_record.h>

#include <fmt/format.h>

namespace pipeline::state {
namespace {

Error bad_field(const std::string& where, const std::string& field) {
    Error error = usage_error(fmt::format("the build record's '{}' is missing or mistyped", field),
                              "run 'pipe build' again; it rewrites the record");
    error.where = where;
    return error;
}

}  // namespace

nlohmann::json to_json(const BuildRecord& record) {
    return nlohmann::json{{"image", record.image},
                          {"local_name", record.local_name},
                          {"image_id", record.image_id},
                          {"manifest_list", record.manifest_list},
                          {"tags", record.tags},
                          {"references", record.references},
                          {"platforms", record.platforms},
                          {"started_at", record.started_at},
                          {"finished_at", record.finished_at},
                          {"duration_ms", record.duration_ms},
                          {"inputs_digest", record.inputs_digest},
                          {"reused", record.reused}};
}

Result<BuildRecord> parse_build_record(const nlohmann::json& section, const std::string& where) {
    if (!section.is_object()) {
        return bad_field(where, k_build_section);
    }
    BuildRecord record;
    const std::vector<std::pair<const char*, std::string*>> strings{
        {"image", &record.image},           {"local_name", &record.local_name},   {"image_id", &record.image_id},
        {"started_at", &record.started_at}, {"finished_at", &record.finished_at},
    };
    for (const auto& [key, target] : strings) {
        if (!section.contains(key) || !section[key].is_string()) {
            return bad_field(where, key);
        }
        *target = section[key].get<std::string>();
    }
    const std::vector<std::pair<const char*, std::vector<std::string>*>> lists{
        {"tags", &record.tags}, {"references", &record.references}, {"platforms", &record.platforms}};
    for (const auto& [key, target] : lists) {
        if (!section.contains(key) || !section[key].is_array()) {
            return bad_field(where, key);
        }
        for (const nlohmann::json& item : section[key]) {
            if (!item.is_string()) {
                return bad_field(where, key);
            }
            target->push_back(item.get<std::string>());
        }
    }
    if (!section.contains("manifest_list") || !section["manifest_list"].is_boolean()) {
        return bad_field(where, "manifest_list");
    }
    record.manifest_list = section["manifest_list"].get<bool>();
    if (!section.contains("duration_ms") || !section["duration_ms"].is_number_integer()) {
        return bad_field(where, "duration_ms");
    }
    record.duration_ms = section["duration_ms"].get<std::int64_t>();
    if (section.contains("inputs_digest")) {
        if (!section["inputs_digest"].is_string()) {
            return bad_field(where, "inputs_digest");
        }
        record.inputs_digest = section["inputs_digest"].get<std::string>();
    }
    if (section.contains("reused")) {
        if (!section["reused"].is_object()) {
            return bad_field(where, "reused");
        }
        for (const auto& [repository, digest] : section["reused"].items()) {
            if (!digest.is_string()) {
                return bad_field(where, "reused");
            }
            record.reused[repository] = digest.get<std::string>();
        }
    }
    return record;
}

}  // namespace pipeline::state
