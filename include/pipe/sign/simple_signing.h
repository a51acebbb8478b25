// cosign's legacy "simple signing" payload: the JSON that a tag-based (.sig) signature signs,
// naming the image digest. pipe writes its bytes itself so the key order is cosign's.
#pragma once

#include <pipe/core/result.h>

#include <map>
#include <string>
#include <string_view>

namespace pipeline::sign {

// The critical.type every simple-signing payload must carry.
inline constexpr std::string_view k_simple_signing_type = "cosign container image signature";

// The layer media type of a simple-signing payload in a .sig manifest.
inline constexpr std::string_view k_simple_signing_media_type = "application/vnd.dev.cosign.simplesigning.v1+json";

// The compact payload JSON: critical (identity.docker-reference, image.docker-manifest-digest,
// type) then optional (the annotations, or null when there are none), keys in cosign's order.
// docker_reference is registry/repository without tag or digest; digest is "sha256:<hex>".
std::string simple_signing_payload(std::string_view docker_reference, std::string_view digest,
                                   const std::map<std::string, std::string>& annotations);

// What a simple-signing payload claims.
struct SimpleSigningClaims {
    std::string docker_reference;                 // may be empty; verifiers ignore it, as cosign does
    std::string digest;                           // critical.image.docker-manifest-digest
    std::map<std::string, std::string> optional;  // annotations; non-string values as compact JSON
};

// Reads a payload; runtime error for malformed JSON, a critical.type other than exactly
// k_simple_signing_type, or a missing or malformed ("<algorithm>:<hex>") digest.
Result<SimpleSigningClaims> parse_simple_signing(std::string_view payload);

}  // namespace pipeline::sign
