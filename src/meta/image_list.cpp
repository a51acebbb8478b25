#include <pipe/meta/image_list.h>

#include <pipe/meta/csv_record.h>

#include "js_string.h"

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::meta {
namespace {

// The action splits an image field at every '=' and keeps the first two pieces.
struct Field {
    std::string key;  // empty for a bare name
    std::string value;
    bool has_key = false;
};

Field split_field(const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos) {
        return Field{{}, js_trim(text), false};
    }
    const std::size_t next = text.find('=', eq + 1);
    const std::string_view rest =
        std::string_view(text).substr(eq + 1, next == std::string::npos ? std::string::npos : next - eq - 1);
    return Field{js_lower(js_trim(std::string_view(text).substr(0, eq))), js_trim(rest), true};
}

Result<std::vector<std::string>> fields_of(const InputEntry& entry) {
    const std::string where = fmt::format("image[{}]", entry.line);
    Result<std::vector<CsvRecord>> records = parse_csv(entry.text, CsvOptions{});
    if (!records) {
        return config_error(where, fmt::format("{} in \"{}\"", records.error().message, entry.text));
    }
    if (records->empty()) {
        return config_error(where, "empty image entry", "remove the line or write e.g. ghcr.io/acme/app");
    }
    return std::move(records->front());
}

}  // namespace

Result<std::vector<ImageEntry>> parse_image_list(const std::vector<InputEntry>& entries) {
    std::vector<ImageEntry> images;
    if (entries.size() == 1) {
        Result<std::vector<std::string>> fields = fields_of(entries.front());
        if (!fields) {
            return fields.error();
        }
        const bool bare_names = std::none_of(fields->begin(), fields->end(),
                                             [](const std::string& field) { return split_field(field).has_key; });
        if (bare_names) {
            for (const std::string& field : *fields) {
                images.push_back(ImageEntry{js_trim(field), true});
            }
            return images;
        }
    }
    for (const InputEntry& entry : entries) {
        const std::string where = fmt::format("image[{}]", entry.line);
        Result<std::vector<std::string>> fields = fields_of(entry);
        if (!fields) {
            return fields.error();
        }
        ImageEntry image;
        for (const std::string& text : *fields) {
            const Field field = split_field(text);
            if (!field.has_key || field.key == "name") {
                image.name = field.value;
            } else if (field.key == "enable") {
                if (field.value != "true" && field.value != "false") {
                    return config_error(where,
                                        fmt::format("invalid enable value \"{}\" in \"{}\"", field.value, entry.text),
                                        "use enable=true or enable=false");
                }
                image.enable = field.value == "true";
            } else {
                return config_error(where,
                                    fmt::format("unknown image attribute \"{}\" in \"{}\"", field.key, entry.text),
                                    "image lines accept name=<repository> and enable=<true|false>");
            }
        }
        if (image.name.empty()) {
            return config_error(where, fmt::format("image name is empty in \"{}\"", entry.text),
                                "write e.g. name=ghcr.io/acme/app");
        }
        images.push_back(std::move(image));
    }
    return images;
}

std::vector<std::string> enabled_image_names(const std::vector<ImageEntry>& images) {
    std::vector<std::string> names;
    for (const ImageEntry& image : images) {
        if (image.enable) {
            names.push_back(js_lower(image.name));
        }
    }
    return names;
}

}  // namespace pipeline::meta
