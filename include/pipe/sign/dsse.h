// DSSE (Dead Simple Signing Envelope): how cosign wraps attestations and bundle statements. The
// signature covers the pre-authentication encoding (PAE) of type and payload, never the JSON.
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::sign {

// The payloadType of an in-toto statement.
inline constexpr std::string_view k_in_toto_payload_type = "application/vnd.in-toto+json";

// The layer media type of a DSSE envelope in a .att manifest.
inline constexpr std::string_view k_dsse_media_type = "application/vnd.dsse.envelope.v1+json";

// One signature of an envelope.
struct DsseSignature {
    std::string keyid;  // usually empty for cosign keys
    std::string sig;    // the decoded signature bytes
};

// A DSSE envelope with payload and signatures decoded.
struct DsseEnvelope {
    std::string payload_type;
    std::string payload;  // the decoded payload bytes
    std::vector<DsseSignature> signatures;
};

// The bytes a DSSE signature covers: "DSSEv1 <len(type)> <type> <len(payload)> <payload>", lengths
// in ASCII decimal.
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// Reads an envelope; runtime error when payloadType, payload or signatures is missing or of the
// wrong type, base64 (standard or URL-safe) does not decode, or there is no signature.
Result<DsseEnvelope> parse_dsse_envelope(const nlohmann::json& json);

// The same from JSON text; malformed JSON is a runtime error.
Result<DsseEnvelope> parse_dsse_envelope(std::string_view json);

// Overloads that keep string arguments from being ambiguous between the two above.
inline Result<DsseEnvelope> parse_dsse_envelope(const std::string& json) {
    return parse_dsse_envelope(std::string_view(json));
}
inline Result<DsseEnvelope> parse_dsse_envelope(const char* json) {
    return parse_dsse_envelope(std::string_view(json));
}

// The compact envelope JSON as cosign writes it: payloadType, payload, signatures[{keyid, sig}],
// with standard base64.
std::string dsse_envelope_json(const DsseEnvelope& envelope);

}  // namespace pipeline::sign
