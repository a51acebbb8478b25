// Manifests as pipe reads them: the exact bytes (the digest is over them, so they are never
// re-serialised), the media type, and the descriptors they point at, which a push must find
// in the registry before any tag may point at the manifest.
#pragma once

#include <pipe/core/result.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::oci {

// A reference to content by digest: a blob (config, layer) or, in an index, a manifest.
struct Descriptor {
    std::string media_type;
    std::string digest;
    std::int64_t size = 0;
    std::string platform;                            // "os/arch[/variant]" for index entries that name one; else empty
    std::string artifact_type;                       // OCI 1.1 artifactType (referrers), else empty
    std::map<std::string, std::string> annotations;  // string annotations (signatures live here)
};

// One manifest or index, as served.
struct Manifest {
    std::string media_type;             // the JSON's mediaType, else the Content-Type it came with
    std::string digest;                 // sha256 of bytes
    std::string bytes;                  // exactly as served
    std::vector<Descriptor> blobs;      // config first, then layers (single-image manifests)
    std::vector<Descriptor> manifests;  // entries of an index or manifest list
    std::string artifact_type;          // OCI 1.1 artifactType, else empty
    std::optional<Descriptor> subject;  // OCI 1.1 subject: the manifest this one refers to
    std::map<std::string, std::string> annotations;

    // True for an OCI index or Docker manifest list.
    bool is_index() const;
};

// Parses manifest bytes served with content_type. Malformed JSON, an unknown media type or a
// descriptor without a valid digest is a runtime error naming where (the registry and name).
Result<Manifest> parse_manifest(std::string bytes, std::string_view content_type, std::string_view where);

// The `config.Labels` of an image configuration blob; a malformed blob is a runtime error.
Result<std::vector<std::pair<std::string, std::string>>> parse_config_labels(std::string_view bytes,
                                                                             std::string_view where);

}  // namespace pipeline::oci
