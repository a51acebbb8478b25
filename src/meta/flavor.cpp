#include <pipe/meta/flavor.h>

#include <pipe/core/suggest.h>
#include <pipe/meta/csv_record.h>

#include "js_string.h"

#include <fmt/format.h>

#include <optional>

namespace pipeline::meta {
namespace {

// The action splits a flavor field at every '=' and keeps only the first two pieces.
std::vector<std::string> split_at_equals(const std::string& field) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t eq = field.find('='); eq != std::string::npos; eq = field.find('=', start)) {
        parts.push_back(js_trim(std::string_view(field).substr(start, eq - start)));
        start = eq + 1;
    }
    parts.push_back(js_trim(std::string_view(field).substr(start)));
    return parts;
}

}  // namespace

Result<Flavor> parse_flavor(const std::vector<InputEntry>& entries) {
    Flavor flavor;
    for (const InputEntry& entry : entries) {
        const std::string where = fmt::format("flavor[{}]", entry.line);
        Result<std::vector<CsvRecord>> records = parse_csv(entry.text, CsvOptions{});
        if (!records) {
            return config_error(where, fmt::format("{} in \"{}\"", records.error().message, entry.text));
        }
        if (records->empty()) {
            return config_error(where, "empty flavor entry", "remove the line or write e.g. latest=false");
        }
        enum class Target { none, prefix, suffix } on_latest_target = Target::none;
        for (const std::string& field : records->front()) {
            const std::vector<std::string> parts = split_at_equals(field);
            if (parts.size() == 1) {
                return config_error(where,
                                    fmt::format("flavor field \"{}\" is not key=value in \"{}\"", field, entry.text),
                                    "e.g. latest=false, prefix=dev-,onlatest=true");
            }
            const std::string key = js_lower(parts[0]);
            const std::string& value = parts[1];
            if (key == "latest") {
                if (value == "auto") {
                    flavor.latest = LatestMode::automatic;
                } else if (value == "true") {
                    flavor.latest = LatestMode::always;
                } else if (value == "false") {
                    flavor.latest = LatestMode::never;
                } else {
                    return config_error(where, fmt::format("invalid latest value \"{}\" in \"{}\"", value, entry.text),
                                        "use latest=auto, latest=true or latest=false");
                }
            } else if (key == "prefix") {
                flavor.prefix = value;
                on_latest_target = Target::prefix;
            } else if (key == "suffix") {
                flavor.suffix = value;
                on_latest_target = Target::suffix;
            } else if (key == "onlatest") {
                if (value != "true" && value != "false") {
                    return config_error(where,
                                        fmt::format("invalid onlatest value \"{}\" in \"{}\"", value, entry.text),
                                        "use onlatest=true or onlatest=false");
                }
                if (on_latest_target == Target::prefix) {
                    flavor.prefix_on_latest = value == "true";
                } else if (on_latest_target == Target::suffix) {
                    flavor.suffix_on_latest = value == "true";
                }
            } else {
                const std::vector<std::string> keys{"latest", "prefix", "suffix", "onlatest"};
                std::string hint;
                if (std::optional<std::string> guess = closest_match(key, keys)) {
                    hint = fmt::format("did you mean \"{}\"? ", *guess);
                }
                return config_error(where, fmt::format("unknown flavor entry \"{}\" in \"{}\"", key, entry.text),
                                    hint + "keys: latest, prefix, suffix, onlatest");
            }
        }
    }
    return flavor;
}

}  // namespace pipeline::meta
