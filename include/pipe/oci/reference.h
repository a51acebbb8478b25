// Image references (`[registry[:port]/]repository[:tag][@digest]`), parsed strictly by a
// hand-written scanner with Docker Hub normalisation, so that pipe, docker and the registries agree
// on what a name means and a typo is reported at the character that caused it.
#pragma once

#include <pipe/core/result.h>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::oci {

// The registry that names without a registry part refer to (Docker Hub).
inline constexpr std::string_view k_docker_hub = "docker.io";

// A normalized image reference: every field is already valid, so string() parses back to an equal value.
struct ImageReference {
    std::string registry;               // host[:port]: "ghcr.io", "127.0.0.1:5000", "[::1]:5000", "docker.io"
    std::string repository;             // path inside the registry: "acme/app", "library/alpine"
    std::optional<std::string> tag;     // "1.2.3", "latest"
    std::optional<std::string> digest;  // "sha256:<64 lowercase hex>"

    // "registry/repository" without tag or digest, e.g. "docker.io/library/alpine".
    std::string name() const;

    // The full normalized form name[:tag][@digest]; parse_reference() reads it back unchanged.
    std::string string() const;

    // The short form docker prints ("alpine:3.19", "acme/app"): Docker Hub's registry and a lone
    // library/ are dropped, unless the rest would then read as a registry name.
    std::string familiar() const;

    // A copy with the tag replaced (any digest kept); a tag outside the grammar is a usage error.
    Result<ImageReference> with_tag(std::string_view new_tag) const;

    // A copy with the digest replaced (any tag kept); an invalid digest is a usage error.
    Result<ImageReference> with_digest(std::string_view new_digest) const;

    // The host[:port] that serves the registry API, which for Docker Hub is registry-1.docker.io.
    std::string api_host() const;

    // What goes after /v2/<repository>/manifests/: the digest if any, else the tag, else "latest".
    std::string manifest_reference() const;

    friend bool operator==(const ImageReference&, const ImageReference&) = default;
};

// Parses and normalizes a reference as docker does ("alpine" -> docker.io/library/alpine). The first
// path component is a registry only when it is "localhost" or contains '.' or ':'. Errors are of kind
// usage and name the 1-based column of the offending character.
Result<ImageReference> parse_reference(std::string_view text);

// Like parse_reference() for a repository name without tag or digest (configured `image:` values,
// where pipe adds the tags itself); a tag or digest is an error.
Result<ImageReference> parse_repository(std::string_view text);

// Checks a tag against [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, for tags computed from rules.
Result<void> validate_tag(std::string_view tag);

// Checks a digest: a supported algorithm (sha256, sha384, sha512) and its exact count of lowercase hex.
Result<void> validate_digest(std::string_view digest);

}  // namespace pipeline::oci
