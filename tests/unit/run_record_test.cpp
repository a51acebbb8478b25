// The run record: a new commit starts a new record, a step's outcome replaces its earlier one
// and keeps run order, the services come from the state file (never from another commit's),
// bump results join their service, and the file is written atomically under .pipe/.
#include "temp_dir.h"

#include <pipe/steps/run_record.h>

#include <catch2/catch.hpp>

using pipeline::steps::add_step;
using pipeline::steps::continue_record;
using pipeline::steps::derive_services;
using pipeline::steps::record_step_outcome;
using pipeline::steps::RunSource;
using pipeline::steps::StepOutcome;
using pipeline::testing::TempDir;

namespace {

const std::string k_commit = "0123456789012345678901234567890123456789";
const std::string k_other = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

std::vector<std::string> step_names(const nlohmann::json& record) {
    std::vector<std::string> names;
    for (const nlohmann::json& entry : record["steps"]) {
        names.push_back(entry["step"]);
    }
    return names;
}

nlohmann::json state_json(const std::string& commit, const std::string& root) {
    return nlohmann::json{
        {"schema", 1},
        {"commit", commit},
        {"fingerprint", ""},
        {"services",
         {{"api",
           {{"build",
             {{"image", "r/acme/api"},
              {"local_name", "localhost/x"},
              {"image_id", "sha256:aa"},
              {"tags", {"main"}},
              {"references", {"r/acme/api:main"}},
              {"platforms", nlohmann::json::array()},
              {"duration_ms", 5}}},
            {"push",
             {{"digest", "sha256:bb"}, {"pinned", "r/acme/api@sha256:bb"}, {"references", {"r/acme/api:main"}}}},
            {"scan",
             {{"counts", {{"CRITICAL", 0}}},
              {"passed", true},
              {"report", root + "/.pipe/scan/bb.json"},
              {"sbom", "/elsewhere/sbom.json"},
              {"scanned_at", "2026-11-27T10:00:00Z"}}},
            {"sign", {{"method", "native"}, {"stored_at", "r/acme/api:sha256-bb.sig"}, {"signed_at", "x"}}}}}}},
        {"repository",
         {{"test",
           {{"runner", "go"},
            {"passed", true},
            {"duration_ms", 9},
            {"coverage", {{"path", root + "/coverage.out"}, {"sha256", "sha256:cc"}}}}}}}};
}

}  // namespace

TEST_CASE("run record: a new commit starts a new record, the same commit continues", "[unit][run]") {
    nlohmann::json old = continue_record(std::nullopt, RunSource{k_other, ""});
    add_step(old, StepOutcome{"build", 0, 1.0, "t", nullptr});
    nlohmann::json fresh = continue_record(old, RunSource{k_commit, "feedfeed"});
    CHECK(fresh["commit"] == k_commit);
    CHECK(fresh["pull_request_head_sha"] == "feedfeed");
    CHECK(fresh["steps"].empty());
    nlohmann::json same = continue_record(old, RunSource{k_other, ""});
    CHECK(step_names(same) == std::vector<std::string>{"build"});
    nlohmann::json other_schema = old;
    other_schema["schema"] = 99;
    CHECK(continue_record(other_schema, RunSource{k_other, ""})["steps"].empty());
}

TEST_CASE("run record: a step replaces its earlier outcome and steps stay in run order", "[unit][run]") {
    nlohmann::json record = continue_record(std::nullopt, RunSource{k_commit, ""});
    add_step(record, StepOutcome{"scan", 1, 2.0, "t1", nullptr});
    add_step(record, StepOutcome{"build", 0, 3.0, "t0", nullptr});
    add_step(record, StepOutcome{"push", 0, 1.0, "t2", nullptr});
    add_step(record, StepOutcome{"scan", 0, 2.5, "t3", nullptr});
    CHECK(step_names(record) == std::vector<std::string>{"build", "push", "scan"});
    CHECK(record["steps"][2]["exit_code"] == 0);
    CHECK(record["steps"][2]["passed"] == true);
    CHECK(record["steps"][2]["duration_seconds"] == 2.5);
    CHECK_FALSE(record["steps"][2].contains("result"));
}

TEST_CASE("run record: services come from the state of the same commit", "[unit][run]") {
    nlohmann::json record = continue_record(std::nullopt, RunSource{k_commit, ""});
    add_step(
        record,
        StepOutcome{"bump", 0, 1.0, "t",
                    nlohmann::json{{"services",
                                    {{{"name", "api"},
                                      {"changed", true},
                                      {"pull_request", {{"url", "https://x/pull/1"}, {"operation", "opened"}}}}}}}});
    derive_services(record, state_json(k_commit, "/repo"), "/repo");
    REQUIRE(record["services"].size() == 1);
    const nlohmann::json& api = record["services"][0];
    CHECK(api["name"] == "api");
    CHECK(api["build"] == nlohmann::json{{"image", "r/acme/api"},
                                         {"tags", {"main"}},
                                         {"references", {"r/acme/api:main"}},
                                         {"platforms", nlohmann::json::array()}});
    CHECK(api["push"]["pinned"] == "r/acme/api@sha256:bb");
    CHECK(api["scan"]["report"] == ".pipe/scan/bb.json");
    CHECK(api["scan"]["sbom"] == "/elsewhere/sbom.json");
    CHECK_FALSE(api["scan"].contains("scanned_at"));
    CHECK(api["sign"] == nlohmann::json{{"method", "native"}, {"stored_at", "r/acme/api:sha256-bb.sig"}});
    CHECK(api["bump"][0]["pull_request"]["operation"] == "opened");
    CHECK(record["test"] == nlohmann::json{{"runner", "go"},
                                           {"passed", true},
                                           {"coverage", {{"path", "coverage.out"}, {"sha256", "sha256:cc"}}}});

    derive_services(record, state_json(k_other, "/repo"), "/repo");
    CHECK_FALSE(record.contains("test"));
    REQUIRE(record["services"].size() == 1);
    CHECK(record["services"][0] == nlohmann::json{{"name", "api"}, {"bump", record["services"][0]["bump"]}});
}

TEST_CASE("run record: record_step_outcome writes .pipe/run.json and continues it", "[unit][run]") {
    TempDir dir;
    dir.write(".pipe/state.json", state_json(k_commit, dir.path().string()).dump());
    auto first = record_step_outcome(dir.path(), RunSource{k_commit, ""}, StepOutcome{"push", 0, 1.0, "t", nullptr});
    REQUIRE(first);
    auto second = record_step_outcome(dir.path(), RunSource{k_commit, ""}, StepOutcome{"build", 3, 2.0, "t", nullptr});
    REQUIRE(second);
    const nlohmann::json written = nlohmann::json::parse(pipeline::testing::read_file(dir.path() / ".pipe/run.json"));
    CHECK(written == *second);
    CHECK(step_names(written) == std::vector<std::string>{"build", "push"});
    CHECK(written["services"][0]["push"]["digest"] == "sha256:bb");
    CHECK(written["services"][0]["scan"]["report"] == ".pipe/scan/bb.json");
    auto next = record_step_outcome(dir.path(), RunSource{k_other, ""}, StepOutcome{"build", 0, 1.0, "t", nullptr});
    REQUIRE(next);
    CHECK(step_names(*next) == std::vector<std::string>{"build"});
    CHECK((*next)["services"].empty());
}
