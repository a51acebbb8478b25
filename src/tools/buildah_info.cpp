#include <pipe/tools/buildah_info.h>

#include <nlohmann/json.hpp>

namespace pipeline::tools {

Result<BuildahInfo> parse_buildah_info(std::string_view json) {
    const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("store") || !doc["store"].is_object()) {
        return runtime_error("`buildah info` printed something pipe cannot read",
                             "run `buildah info` yourself; pipe needs buildah 1.28 or later");
    }
    BuildahInfo info;
    const nlohmann::json& store = doc["store"];
    if (store.contains("GraphDriverName") && store["GraphDriverName"].is_string()) {
        info.driver = store["GraphDriverName"].get<std::string>();
    }
    if (store.contains("GraphRoot") && store["GraphRoot"].is_string()) {
        info.graph_root = store["GraphRoot"].get<std::string>();
    }
    if (doc.contains("host") && doc["host"].is_object()) {
        const nlohmann::json& host = doc["host"];
        if (host.contains("rootless") && host["rootless"].is_boolean()) {
            info.rootless = host["rootless"].get<bool>();
        }
        if (host.contains("OCIRuntime") && host["OCIRuntime"].is_string()) {
            info.oci_runtime = host["OCIRuntime"].get<std::string>();
        }
    }
    return info;
}

}  // namespace pipeline::tools
