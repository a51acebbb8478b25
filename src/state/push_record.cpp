#include <pipe/state/push_record.h>

#include <fmt/format.h>

namespace pipeline::state {

nlohmann::json to_json(const PushRecord& record) {
    return nlohmann::json{{"digest", record.digest},          {"pinned", record.pinned},
                          {"references", record.references},  {"repositories", record.repositories},
                          {"platforms", record.platforms},    {"pushed_at", record.pushed_at},
                          {"duration_ms", record.duration_ms}};
}

Result<PushRecord> parse_push_record(const nlohmann::json& section, const std::string& where) {
    PushRecord record;
    try {
        record.digest = section.at("digest").get<std::string>();
        record.pinned = section.at("pinned").get<std::string>();
        record.references = section.at("references").get<std::vector<std::string>>();
        record.repositories = section.at("repositories").get<std::map<std::string, std::string>>();
        record.platforms = section.value("platforms", std::map<std::string, std::string>{});
        record.pushed_at = section.at("pushed_at").get<std::string>();
        record.duration_ms = section.at("duration_ms").get<std::int64_t>();
    } catch (const nlohmann::json::exception&) {
        Error error =
            usage_error("the push record is incomplete or mistyped", "run 'pipe push' again; it rewrites the record");
        error.where = where;
        return error;
    }
    return record;
}

}  // namespace pipeline::state
