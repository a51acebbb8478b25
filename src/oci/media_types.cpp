#include <pipe/oci/media_types.h>

#include <array>
#include <string>

namespace pipeline::oci {
namespace {

std::string_view without_parameters(std::string_view media_type) {
    std::string_view type = media_type.substr(0, media_type.find(';'));
    while (!type.empty() && type.back() == ' ') {
        type.remove_suffix(1);
    }
    return type;
}

}  // namespace

std::string_view manifest_accept_header() {
    static const std::string k_accept = std::string(k_oci_index) + ", " + std::string(k_oci_manifest) + ", " +
                                        std::string(k_docker_manifest_list) + ", " + std::string(k_docker_manifest);
    return k_accept;
}

bool is_manifest_type(std::string_view media_type) {
    const std::string_view type = without_parameters(media_type);
    constexpr std::array<std::string_view, 4> k_types{k_oci_manifest, k_oci_index, k_docker_manifest,
                                                      k_docker_manifest_list};
    for (std::string_view known : k_types) {
        if (type == known) {
            return true;
        }
    }
    return false;
}

bool is_index_type(std::string_view media_type) {
    const std::string_view type = without_parameters(media_type);
    return type == k_oci_index || type == k_docker_manifest_list;
}

}  // namespace pipeline::oci
