#include <pipe/oci/digest.h>
#include <pipe/oci/manifest.h>
#include <pipe/oci/media_types.h>
#include <pipe/oci/reference.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pipeline::oci {
namespace {

// The string-valued entries of an `annotations` object; other values are ignored.
std::map<std::string, std::string> string_annotations(const nlohmann::json& item) {
    std::map<std::string, std::string> annotations;
    if (!item.contains("annotations") || !item["annotations"].is_object()) {
        return annotations;
    }
    for (const auto& [key, value] : item["annotations"].items()) {
        if (value.is_string()) {
            annotations.emplace(key, value.get<std::string>());
        }
    }
    return annotations;
}

std::string string_field(const nlohmann::json& item, const char* key) {
    return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : std::string();
}

Result<Descriptor> parse_descriptor(const nlohmann::json& item, std::string_view where) {
    if (!item.is_object() || !item.contains("digest") || !item["digest"].is_string()) {
        return runtime_error(fmt::format("{}: manifest has a descriptor without a digest", where));
    }
    Descriptor descriptor;
    descriptor.digest = item["digest"].get<std::string>();
    if (auto valid = validate_digest(descriptor.digest); !valid) {
        return runtime_error(fmt::format("{}: manifest names an invalid digest '{}'", where, descriptor.digest));
    }
    descriptor.media_type = string_field(item, "mediaType");
    descriptor.artifact_type = string_field(item, "artifactType");
    descriptor.annotations = string_annotations(item);
    if (item.contains("size") && item["size"].is_number_integer()) {
        descriptor.size = item["size"].get<std::int64_t>();
    }
    if (item.contains("platform") && item["platform"].is_object()) {
        const nlohmann::json& platform = item["platform"];
        std::string os = platform.value("os", "");
        std::string arch = platform.value("architecture", "");
        std::string variant = platform.value("variant", "");
        descriptor.platform = os + "/" + arch + (variant.empty() ? "" : "/" + variant);
    }
    return descriptor;
}

}  // namespace

bool Manifest::is_index() const {
    return is_index_type(media_type);
}

Result<Manifest> parse_manifest(std::string bytes, std::string_view content_type, std::string_view where) {
    nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return runtime_error(fmt::format("{}: the registry answered a manifest that is not a JSON object", where));
    }
    Manifest manifest;
    manifest.media_type = doc.contains("mediaType") && doc["mediaType"].is_string()
                              ? doc["mediaType"].get<std::string>()
                              : std::string(content_type.substr(0, content_type.find(';')));
    if (!is_manifest_type(manifest.media_type)) {
        return runtime_error(
            fmt::format("{}: unsupported manifest type '{}'", where, manifest.media_type),
            "pipe reads OCI and Docker schema 2 manifests and indexes; re-push the image with a current tool");
    }
    const bool index = manifest.is_index();
    const char* list_key = index ? "manifests" : "layers";
    if (!doc.contains(list_key) || !doc[list_key].is_array()) {
        return runtime_error(fmt::format("{}: manifest has no '{}' list", where, list_key));
    }
    if (!index) {
        if (!doc.contains("config")) {
            return runtime_error(fmt::format("{}: manifest has no config descriptor", where));
        }
        Result<Descriptor> config = parse_descriptor(doc["config"], where);
        if (!config) {
            return config.error();
        }
        manifest.blobs.push_back(std::move(*config));
    }
    for (const nlohmann::json& item : doc[list_key]) {
        Result<Descriptor> descriptor = parse_descriptor(item, where);
        if (!descriptor) {
            return descriptor.error();
        }
        (index ? manifest.manifests : manifest.blobs).push_back(std::move(*descriptor));
    }
    if (doc.contains("subject")) {
        Result<Descriptor> subject = parse_descriptor(doc["subject"], where);
        if (!subject) {
            return subject.error();
        }
        manifest.subject = std::move(*subject);
    }
    manifest.artifact_type = string_field(doc, "artifactType");
    manifest.annotations = string_annotations(doc);
    manifest.digest = sha256_digest(bytes);
    manifest.bytes = std::move(bytes);
    return manifest;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_config_labels(std::string_view bytes,
                                                                             std::string_view where) {
    nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return runtime_error(fmt::format("{}: the image configuration is not a JSON object", where));
    }
    std::vector<std::pair<std::string, std::string>> labels;
    if (!doc.contains("config") || !doc["config"].is_object()) {
        return labels;
    }
    const nlohmann::json& config = doc["config"];
    if (!config.contains("Labels") || !config["Labels"].is_object()) {
        return labels;
    }
    for (const auto& [key, value] : config["Labels"].items()) {
        if (value.is_string()) {
            labels.emplace_back(key, value.get<std::string>());
        }
    }
    return labels;
}

}  // namespace pipeline::oci
