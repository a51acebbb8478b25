#include <pipe/state/test_record.h>

namespace pipeline::state {

nlohmann::json to_json(const TestRecord& record) {
    nlohmann::json doc{{"runner", record.runner},
                       {"commands", record.commands},
                       {"passed", record.passed},
                       {"exit_code", record.exit_code ? nlohmann::json(*record.exit_code) : nlohmann::json(nullptr)},
                       {"status", record.status},
                       {"finished_at", record.finished_at},
                       {"duration_ms", record.duration_ms}};
    doc["coverage"] = record.coverage
                          ? nlohmann::json{{"path", record.coverage->path}, {"sha256", record.coverage->sha256}}
                          : nlohmann::json(nullptr);
    return doc;
}

}  // namespace pipeline::state
