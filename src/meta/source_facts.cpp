#include "source_facts.h"

#include <pipe/meta/js_number.h>

#include <fmt/format.h>

#include <cmath>
#include <regex>

namespace pipeline::meta {
namespace {

using Clock = std::chrono::system_clock;

// Reads 2024-11-13T13:42:28Z or 2020-08-06T20:24:23+02:00 (fraction allowed), as the payload's
// commit timestamps are written.
std::optional<Clock::time_point> parse_timestamp(const std::string& text) {
    static const std::regex k_timestamp(
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$)");
    std::smatch m;
    if (text.size() > 40 || !std::regex_match(text, m, k_timestamp)) {
        return std::nullopt;
    }
    const auto number = [&](std::size_t i) { return std::stoi(m[i].str()); };
    const std::chrono::year_month_day day{std::chrono::year{number(1)},
                                          std::chrono::month{static_cast<unsigned>(number(2))},
                                          std::chrono::day{static_cast<unsigned>(number(3))}};
    if (!day.ok()) {
        return std::nullopt;
    }
    Clock::time_point time = std::chrono::sys_days{day} + std::chrono::hours{number(4)} +
                             std::chrono::minutes{number(5)} + std::chrono::seconds{number(6)};
    if (m[7].matched) {
        const std::string millis = (m[7].str() + "00").substr(0, 3);
        time += std::chrono::milliseconds{std::stoi(millis)};
    }
    if (m[9].matched) {
        const std::chrono::minutes offset = std::chrono::hours{number(10)} + std::chrono::minutes{number(11)};
        time += m[9].str() == "+" ? -offset : offset;
    }
    return time;
}

std::optional<Clock::time_point> payload_commit_time(const nlohmann::json& payload, const std::string& sha) {
    const auto timestamp_of = [&](const nlohmann::json& commit) -> std::optional<Clock::time_point> {
        if (!commit.is_object() || commit.value("id", nlohmann::json()) != sha) {
            return std::nullopt;
        }
        const nlohmann::json timestamp = commit.value("timestamp", nlohmann::json());
        return timestamp.is_string() ? parse_timestamp(timestamp.get<std::string>()) : std::nullopt;
    };
    if (payload.contains("commits") && payload["commits"].is_array()) {
        for (const nlohmann::json& commit : payload["commits"]) {
            if (std::optional<Clock::time_point> time = timestamp_of(commit)) {
                return time;
            }
        }
    }
    if (payload.contains("head_commit")) {
        return timestamp_of(payload["head_commit"]);
    }
    return std::nullopt;
}

// The string at pointer, or nullopt when missing, null or not a string.
std::optional<std::string> payload_string(const nlohmann::json& payload, const nlohmann::json::json_pointer& pointer) {
    if (!payload.contains(pointer)) {
        return std::nullopt;
    }
    const nlohmann::json& value = payload.at(pointer);
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<long long>());
    }
    return std::nullopt;
}

std::string base_ref(const SourceContext& context) {
    if (context.ref.rfind("refs/tags/", 0) == 0) {
        if (std::optional<std::string> ref =
                payload_string(context.payload, nlohmann::json::json_pointer("/base_ref"))) {
            return ref_suffix(*ref, "refs/heads/").value_or(*ref);
        }
    }
    if (context.ref.rfind("refs/pull/", 0) == 0) {
        if (std::optional<std::string> ref =
                payload_string(context.payload, nlohmann::json::json_pointer("/pull_request/base/ref"))) {
            return *ref;
        }
    }
    return {};
}

bool is_default_branch(const SourceContext& context) {
    const std::string branch = ref_suffix(context.ref, "refs/heads/").value_or(context.ref);
    if (branch.empty()) {
        return false;
    }
    if (default_branch(context) == branch) {
        return true;
    }
    // These events always run for the last commit of the default branch.
    for (std::string_view event : {"create", "discussion", "issues", "schedule"}) {
        if (context.event_name.find(event) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::optional<std::string> ref_suffix(std::string_view ref, std::string_view prefix) {
    if (ref.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    return std::string(ref.substr(prefix.size()));
}

Result<std::string> short_sha(const std::string& sha, const Environment& env) {
    double length = 7;
    const std::string configured = value_or(env, "DOCKER_METADATA_SHORT_SHA_LENGTH", "");
    if (!configured.empty()) {
        std::optional<double> number = js_to_number(configured);
        if (!number) {
            return config_error("DOCKER_METADATA_SHORT_SHA_LENGTH",
                                fmt::format("\"{}\" is not a valid number", configured),
                                "set it to the number of sha characters to keep, e.g. 12");
        }
        length = *number;
    }
    if (length >= static_cast<double>(sha.size())) {
        return sha;
    }
    const double kept = std::max(0.0, std::trunc(length));
    return sha.substr(0, static_cast<std::size_t>(kept));
}

Clock::time_point commit_date(const SourceContext& context) {
    if (std::optional<Clock::time_point> time = payload_commit_time(context.payload, context.sha)) {
        return *time;
    }
    return context.commit_time.value_or(context.now);
}

std::string default_branch(const SourceContext& context) {
    return payload_string(context.payload, nlohmann::json::json_pointer("/repository/default_branch")).value_or("");
}

TemplateScope global_scope(const SourceContext& context, const Result<std::string>& sha) {
    TemplateScope scope;
    const bool on_default = is_default_branch(context);
    scope.functions.emplace("branch", ref_suffix(context.ref, "refs/heads/").value_or(""));
    scope.functions.emplace("tag", ref_suffix(context.ref, "refs/tags/").value_or(""));
    scope.functions.emplace("sha", sha);
    scope.functions.emplace("base_ref", base_ref(context));
    scope.functions.emplace("is_default_branch", std::string(on_default ? "true" : "false"));
    scope.functions.emplace("is_not_default_branch", std::string(on_default ? "false" : "true"));
    scope.dates.emplace("date", context.now);
    scope.dates.emplace("commit_date", commit_date(context));
    return scope;
}

TemplateScope schedule_scope(const SourceContext& context) {
    TemplateScope scope;
    scope.dates.emplace("date", context.now);
    scope.dates.emplace("commit_date", commit_date(context));
    return scope;
}

}  // namespace pipeline::meta
