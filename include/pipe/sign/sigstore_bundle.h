// Sigstore bundles (protobuf-specs Bundle as proto JSON): what cosign v3 stores as an OCI
// referrer. pipe reads key-based and keyless bundles and writes key-based ones without tlog.
#pragma once

#include <pipe/core/result.h>
#include <pipe/sign/dsse.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::sign {

// The media type of a v0.3 bundle, also the referrer's artifactType and layer media type.
inline constexpr std::string_view k_sigstore_bundle_v03_media_type = "application/vnd.dev.sigstore.bundle.v0.3+json";

// What a bundle holds, decoded. Exactly one of envelope and message_signature is set.
struct SigstoreBundle {
    std::string media_type;
    std::optional<DsseEnvelope> envelope;   // dsseEnvelope
    std::string message_signature;          // messageSignature.signature, decoded
    std::string message_digest_hex;         // messageSignature.messageDigest.digest as lowercase hex
    std::string message_digest_algorithm;   // messageSignature.messageDigest.algorithm, e.g. "SHA2_256"
    std::string public_key_hint;            // verificationMaterial.publicKey.hint
    std::string certificate_der;            // verificationMaterial.certificate, or the first of x509CertificateChain
    std::optional<std::int64_t> log_index;  // tlogEntries[0].logIndex
    std::optional<std::int64_t> integrated_time;  // tlogEntries[0].integratedTime (Unix seconds)
};

// Reads a bundle; runtime error for malformed JSON, a mediaType that is not a Sigstore bundle's,
// a missing verificationMaterial, neither or both of dsseEnvelope and messageSignature, or bad
// base64 or int64 values (proto JSON writes int64 as strings; numbers are accepted too).
Result<SigstoreBundle> parse_sigstore_bundle(std::string_view json);

// A key-based v0.3 bundle (publicKey hint, no tlog entries) holding envelope, as compact proto
// JSON with fields in proto order; an empty keyid is omitted, as protojson does.
std::string sigstore_bundle_json(const DsseEnvelope& envelope, std::string_view public_key_hint);

}  // namespace pipeline::sign
