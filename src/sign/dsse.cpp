#include "encoding.h"

#include <pipe/oci/credentials.h>
#include <pipe/sign/dsse.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pipeline::sign {
namespace {

Error envelope_error(std::string_view what) {
    return runtime_error(fmt::format("malformed DSSE envelope: {}", what),
                         "the attestation was not made by cosign or pipe, or it was altered");
}

}  // namespace

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
    return fmt::format("DSSEv1 {} {} {} {}", payload_type.size(), payload_type, payload.size(), payload);
}

Result<DsseEnvelope> parse_dsse_envelope(const nlohmann::json& json) {
    if (!json.is_object()) {
        return envelope_error("not a JSON object");
    }
    DsseEnvelope envelope;
    const std::string* payload_type = detail::string_member(json, "payloadType");
    if (payload_type == nullptr) {
        return envelope_error("no string \"payloadType\"");
    }
    envelope.payload_type = *payload_type;
    const std::string* payload = detail::string_member(json, "payload");
    std::optional<std::string> decoded = payload == nullptr ? std::nullopt : detail::decode_base64_any(*payload);
    if (!decoded) {
        return envelope_error("\"payload\" is missing or not base64");
    }
    envelope.payload = std::move(*decoded);
    const nlohmann::json* signatures = detail::member(json, "signatures");
    if (signatures == nullptr || !signatures->is_array()) {
        return envelope_error("no \"signatures\" array");
    }
    for (const nlohmann::json& entry : *signatures) {
        DsseSignature signature;
        const std::string* sig = detail::string_member(entry, "sig");
        std::optional<std::string> sig_bytes = sig == nullptr ? std::nullopt : detail::decode_base64_any(*sig);
        if (!sig_bytes) {
            return envelope_error("a signature's \"sig\" is missing or not base64");
        }
        signature.sig = std::move(*sig_bytes);
        if (const std::string* keyid = detail::string_member(entry, "keyid")) {
            signature.keyid = *keyid;
        }
        envelope.signatures.push_back(std::move(signature));
    }
    if (envelope.signatures.empty()) {
        return envelope_error("\"signatures\" is empty");
    }
    return envelope;
}

Result<DsseEnvelope> parse_dsse_envelope(std::string_view json) {
    const nlohmann::json doc = detail::parse_document(json);
    if (doc.is_discarded()) {
        return envelope_error("not JSON");
    }
    return parse_dsse_envelope(doc);
}

std::string dsse_envelope_json(const DsseEnvelope& envelope) {
    std::string signatures;
    for (const DsseSignature& signature : envelope.signatures) {
        if (!signatures.empty()) {
            signatures += ',';
        }
        signatures += fmt::format(R"({{"keyid":{},"sig":"{}"}})", detail::json_quote(signature.keyid),
                                  oci::encode_base64(signature.sig));
    }
    return fmt::format(R"({{"payloadType":{},"payload":"{}","signatures":[{}]}})",
                       detail::json_quote(envelope.payload_type), oci::encode_base64(envelope.payload), signatures);
}

}  // namespace pipeline::sign
