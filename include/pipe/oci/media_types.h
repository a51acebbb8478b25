// The manifest media types registries serve: OCI and Docker schema 2, single images and
// indexes. pipe asks for all four at once, so it sees what was pushed, not a converted copy.
#pragma once

#include <string_view>

namespace pipeline::oci {

inline constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";

// The Accept header value for manifest requests: every type above.
std::string_view manifest_accept_header();

// True for a type pipe can read (one of the four above), ignoring parameters such as charset.
bool is_manifest_type(std::string_view media_type);

// True for an OCI index or a Docker manifest list, whose entries are manifests, not blobs.
bool is_index_type(std::string_view media_type);

}  // namespace pipeline::oci
