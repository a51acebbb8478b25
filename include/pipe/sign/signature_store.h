// Where cosign keeps signatures and attestations in a registry, read and written through pipe's
// own registry client: the legacy tags `sha256-<hex>.sig` / `.att` (one layer per signature, new
// ones appended by read-modify-write) and cosign v3's Sigstore bundles attached as OCI 1.1
// referrers, found through the referrers API or its `sha256-<hex>` fallback tag.
#pragma once

#include <pipe/core/result.h>
#include <pipe/oci/reference.h>
#include <pipe/oci/registry_client.h>
#include <pipe/sign/dsse.h>
#include <pipe/sign/sigstore_bundle.h>
#include <pipe/sign/simple_signing.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::sign {

inline constexpr std::string_view k_signature_annotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view k_certificate_annotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view k_chain_annotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view k_rekor_bundle_annotation = "dev.sigstore.cosign/bundle";
inline constexpr std::string_view k_predicate_type_annotation = "predicateType";

// Which legacy tag an attachment lives under.
enum class Attachment { signature, attestation };

// "sha256-<hex>.sig" or "sha256-<hex>.att" for an image digest.
std::string attachment_tag(std::string_view digest, Attachment kind);

// "sha256-<hex>": the OCI referrers fallback tag of a digest.
std::string referrers_fallback_tag(std::string_view digest);

// One layer of an attachment manifest with its content.
struct StoredLayer {
    std::string media_type;
    std::string digest;
    std::string content;  // the blob: a simple-signing payload or a DSSE envelope
    std::map<std::string, std::string> annotations;
};

// The layers of image's legacy attachment (image must carry a digest); empty when the tag does
// not exist. A malformed attachment manifest or blob is a runtime error.
Result<std::vector<StoredLayer>> read_attachment(oci::RegistryClient& client, const oci::ImageReference& image,
                                                 Attachment kind);

// What append_attachment did.
struct Appended {
    std::string reference;   // repo:sha256-<hex>.sig
    std::string manifest;    // digest of the attachment manifest now under the tag
    std::size_t layers = 0;  // signatures (or attestations) now stored
    bool already = false;    // an identical layer was there; nothing was written
};

// Adds layer to image's legacy attachment, keeping every existing layer: reads the manifest,
// uploads the blob and a new config, and PUTs the manifest unless the tag moved meanwhile (then
// starts over, a bounded number of times); then waits for concurrent writers that read the tag
// before this PUT to land and checks the layer is still there, else appends it again.
Result<Appended> append_attachment(oci::RegistryClient& client, const oci::ImageReference& image, Attachment kind,
                                   const StoredLayer& layer);

// The Sigstore bundles (cosign v3) attached to image's digest, as JSON texts: through the
// referrers API, else the fallback tag's index. Empty when there are none.
Result<std::vector<std::string>> read_bundles(oci::RegistryClient& client, const oci::ImageReference& image);

}  // namespace pipeline::sign
