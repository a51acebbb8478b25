// Runs every case of tests/data/tags/cases.json through compute_tags: the metadata-action suite's
// own expectations plus pipe's edge cases, each against a fixture event.
#include <pipe/meta/tag_engine.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using pipeline::Environment;
using pipeline::ErrorKind;
using pipeline::Result;
using pipeline::meta::compute_tags;
using pipeline::meta::SourceContext;
using pipeline::meta::TagInputs;
using pipeline::meta::TagResult;

namespace {

nlohmann::json load_cases() {
    const std::string path = std::string(PIPE_TEST_DATA) + "/tags/cases.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

// Reads 2020-01-10T00:30:00Z.
std::chrono::system_clock::time_point utc(const std::string& text) {
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    REQUIRE(std::sscanf(text.c_str(), "%d-%u-%uT%d:%d:%dZ", &year, &month, &day, &hour, &minute, &second) == 6);
    const std::chrono::sys_days date = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
    return date + std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second};
}

std::vector<std::string> strings(const nlohmann::json& object, const char* key) {
    return object.contains(key) ? object.at(key).get<std::vector<std::string>>() : std::vector<std::string>{};
}

// The fixture named by the case, with the case's own event/ref/sha/payload/commit_time applied.
SourceContext context_for(const nlohmann::json& doc, const nlohmann::json& test) {
    const nlohmann::json& fixture = doc.at("fixtures").at(test.at("fixture").get<std::string>());
    const auto pick = [&](const char* key) { return test.contains(key) ? test.at(key) : fixture.at(key); };
    SourceContext context;
    context.event_name = pick("event").get<std::string>();
    context.ref = pick("ref").get<std::string>();
    context.sha = pick("sha").get<std::string>();
    context.payload = pick("payload");
    context.now = utc(doc.at("defaults").at("now").get<std::string>());
    if (test.contains("commit_time")) {
        context.commit_time = utc(test.at("commit_time").get<std::string>());
    }
    const nlohmann::json& repository = doc.at("defaults").at("repository");
    context.repository.name = repository.at("name").get<std::string>();
    context.repository.html_url = repository.at("html_url").get<std::string>();
    context.repository.description = repository.at("description").get<std::string>();
    context.repository.license = repository.at("license").get<std::string>();
    return context;
}

void check_success(const nlohmann::json& expected, const SourceContext& context, const Result<TagResult>& result) {
    if (!result) {
        FAIL(describe(result.error()));
    }
    CHECK(result->version == expected.at("version").get<std::string>());
    CHECK(result->references == expected.at("tags").get<std::vector<std::string>>());
    CHECK(result->latest == expected.at("latest").get<bool>());
    if (expected.contains("tag_names")) {
        CHECK(result->tag_names == expected.at("tag_names").get<std::vector<std::string>>());
    }
    CHECK(result->labels.at("org.opencontainers.image.version") == result->version);
    if (!expected.contains("labels") || !expected.at("labels").contains("org.opencontainers.image.revision")) {
        CHECK(result->labels.at("org.opencontainers.image.revision") == context.sha);
    }
    if (expected.contains("labels")) {
        for (const auto& [key, value] : expected.at("labels").items()) {
            CAPTURE(key);
            REQUIRE(result->labels.count(key) == 1);
            CHECK(result->labels.at(key) == value.get<std::string>());
        }
    }
    for (const std::string& warning : strings(expected, "warnings")) {
        CAPTURE(warning, result->warnings);
        const bool found = std::any_of(result->warnings.begin(), result->warnings.end(),
                                       [&](const std::string& w) { return w.find(warning) != std::string::npos; });
        CHECK(found);
    }
}

void check_error(const nlohmann::json& expected, const Result<TagResult>& result) {
    if (result) {
        FAIL("expected an error, got version \"" << result->version << "\"");
    }
    CHECK(result.error().kind == ErrorKind::config);
    CHECK(result.error().where == expected.at("where").get<std::string>());
    CHECK_THAT(result.error().message, Catch::Contains(expected.at("message").get<std::string>()));
}

}  // namespace

TEST_CASE("tag engine reproduces metadata-action on every data case", "[tags]") {
    const nlohmann::json doc = load_cases();
    REQUIRE(doc.at("cases").size() >= 80);
    for (const nlohmann::json& test : doc.at("cases")) {
        const std::string name = test.at("name").get<std::string>();
        DYNAMIC_SECTION(name) {
            TagInputs inputs;
            inputs.images = strings(test, "images");
            inputs.tags = strings(test, "tags");
            inputs.flavor = strings(test, "flavor");
            inputs.labels = strings(test, "labels");
            Environment env;
            if (test.contains("env")) {
                env = test.at("env").get<Environment>();
            }
            const SourceContext context = context_for(doc, test);
            CAPTURE(inputs.tags, context.ref);
            const Result<TagResult> result = compute_tags(inputs, context, env);
            if (test.contains("error")) {
                check_error(test.at("error"), result);
            } else {
                check_success(test.at("expected"), context, result);
            }
        }
    }
}

TEST_CASE("latest_forced tells a latest asked for by flavor latest=true from an automatic one", "[tags]") {
    SourceContext context;
    context.event_name = "push";
    context.ref = "refs/heads/main";
    context.sha = "860c1904a1ce19322e91ac35af1ab07466440c37";
    TagInputs inputs{{"ghcr.io/acme/app"}, {"type=ref,event=branch"}, {"latest=true"}, {}};
    Result<TagResult> forced = compute_tags(inputs, context, {});
    REQUIRE(forced);
    CHECK(forced->latest);
    CHECK(forced->latest_forced);

    context.ref = "refs/tags/v1.2.3";
    inputs.tags = {"type=ref,event=tag"};
    inputs.flavor.clear();
    Result<TagResult> automatic = compute_tags(inputs, context, {});
    REQUIRE(automatic);
    CHECK(automatic->latest);
    CHECK_FALSE(automatic->latest_forced);
}
