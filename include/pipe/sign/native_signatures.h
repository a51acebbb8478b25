// Key-based signing and verification without cosign, in cosign's formats: a simple-signing
// payload signed with the key and appended to the `.sig` tag (what `cosign verify --key`
// accepts), attestations as DSSE envelopes in the `.att` tag, and, when verifying, also the
// key-based Sigstore bundles cosign v3 attaches as referrers. Used with --native or when cosign
// is not installed.
#pragma once

#include <pipe/core/result.h>
#include <pipe/oci/reference.h>
#include <pipe/oci/registry_client.h>
#include <pipe/sign/private_key.h>
#include <pipe/sign/public_key.h>
#include <pipe/sign/signature_store.h>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::sign {

// The predicate type URI for a cosign shorthand (spdxjson, cyclonedx, slsaprovenance1, ...) or
// a URI given as is; nullopt for anything else.
std::optional<std::string> predicate_type_uri(std::string_view type);

// One signature (or attestation) that verified with the key.
struct VerifiedSignature {
    std::string format;  // "cosign .sig", "cosign .att" or "sigstore bundle"
    std::string docker_reference;
    std::string predicate_type;  // attestations
    std::map<std::string, std::string> annotations;
};

// What verification found for one image digest.
struct NativeVerification {
    std::size_t found = 0;  // signatures or attestations present
    std::vector<VerifiedSignature> verified;
    std::vector<std::string> rejected;  // why each other one was rejected
};

// Verifies the signatures attached to image (by digest): the `.sig` layers, then, when none of
// them verified, cosign v3 bundles.
Result<NativeVerification> verify_signatures(oci::RegistryClient& client, const oci::ImageReference& image,
                                             const PublicKey& key);

// Verifies the attestations of predicate_type (a URI) attached to image (by digest).
Result<NativeVerification> verify_attestations(oci::RegistryClient& client, const oci::ImageReference& image,
                                               const PublicKey& key, std::string_view predicate_type);

// Signs image (by digest) and appends the signature to its `.sig` tag.
Result<Appended> sign_image(oci::RegistryClient& client, const oci::ImageReference& image, const PrivateKey& key,
                            const std::map<std::string, std::string>& annotations);

// Attests predicate of predicate_type (a URI) about image (by digest) into its `.att` tag.
Result<Appended> attest_image(oci::RegistryClient& client, const oci::ImageReference& image, const PrivateKey& key,
                              std::string_view predicate_type, const nlohmann::json& predicate);

}  // namespace pipeline::sign
