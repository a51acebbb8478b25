#include "encoding.h"

#include <pipe/oci/credentials.h>
#include <pipe/sign/sigstore_bundle.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace pipeline::sign {
namespace {

constexpr std::string_view k_bundle_media_type_prefix = "application/vnd.dev.sigstore.bundle";

Error bundle_error(std::string_view what) {
    return runtime_error(fmt::format("malformed Sigstore bundle: {}", what),
                         "the bundle was not made by cosign or pipe, or it was altered");
}

// A proto JSON int64: a decimal string (what protojson writes) or a JSON integer.
std::optional<std::int64_t> read_int64(const nlohmann::json& json) {
    if (json.is_number_integer()) {
        return json.get<std::int64_t>();
    }
    if (!json.is_string()) {
        return std::nullopt;
    }
    const std::string& text = json.get_ref<const std::string&>();
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

// A proto JSON bytes field (base64, standard or URL-safe) at json[key]; nullopt when absent or bad.
std::optional<std::string> read_bytes(const nlohmann::json& json, const char* key) {
    const std::string* text = detail::string_member(json, key);
    return text == nullptr ? std::nullopt : detail::decode_base64_any(*text);
}

Result<void> read_verification_material(const nlohmann::json& material, SigstoreBundle& bundle) {
    if (!material.is_object()) {
        return bundle_error("\"verificationMaterial\" is missing or not an object");
    }
    if (const nlohmann::json* public_key = detail::member(material, "publicKey")) {
        if (const std::string* hint = detail::string_member(*public_key, "hint")) {
            bundle.public_key_hint = *hint;
        }
    }
    if (const nlohmann::json* certificate = detail::member(material, "certificate")) {
        std::optional<std::string> der = read_bytes(*certificate, "rawBytes");
        if (!der) {
            return bundle_error("verificationMaterial.certificate.rawBytes is missing or not base64");
        }
        bundle.certificate_der = std::move(*der);
    } else if (const nlohmann::json* chain = detail::member(material, "x509CertificateChain")) {
        const nlohmann::json* certificates = detail::member(*chain, "certificates");
        if (certificates == nullptr || !certificates->is_array() || certificates->empty()) {
            return bundle_error("verificationMaterial.x509CertificateChain has no certificates");
        }
        std::optional<std::string> der = read_bytes(certificates->front(), "rawBytes");
        if (!der) {
            return bundle_error("a chain certificate's rawBytes is missing or not base64");
        }
        bundle.certificate_der = std::move(*der);
    }
    const nlohmann::json* entries = detail::member(material, "tlogEntries");
    if (entries != nullptr && entries->is_array() && !entries->empty()) {
        const nlohmann::json& entry = entries->front();
        if (const nlohmann::json* index = detail::member(entry, "logIndex")) {
            bundle.log_index = read_int64(*index);
            if (!bundle.log_index) {
                return bundle_error("tlogEntries[0].logIndex is not an int64");
            }
        }
        if (const nlohmann::json* time = detail::member(entry, "integratedTime")) {
            bundle.integrated_time = read_int64(*time);
            if (!bundle.integrated_time) {
                return bundle_error("tlogEntries[0].integratedTime is not an int64");
            }
        }
    }
    return {};
}

Result<void> read_message_signature(const nlohmann::json& message, SigstoreBundle& bundle) {
    std::optional<std::string> signature = read_bytes(message, "signature");
    if (!signature) {
        return bundle_error("messageSignature.signature is missing or not base64");
    }
    bundle.message_signature = std::move(*signature);
    if (const nlohmann::json* digest = detail::member(message, "messageDigest")) {
        std::optional<std::string> bytes = read_bytes(*digest, "digest");
        if (!bytes) {
            return bundle_error("messageSignature.messageDigest.digest is missing or not base64");
        }
        bundle.message_digest_hex = detail::hex(*bytes);
        if (const std::string* algorithm = detail::string_member(*digest, "algorithm")) {
            bundle.message_digest_algorithm = *algorithm;
        }
    }
    return {};
}

}  // namespace

Result<SigstoreBundle> parse_sigstore_bundle(std::string_view json) {
    const nlohmann::json doc = detail::parse_document(json);
    if (doc.is_discarded() || !doc.is_object()) {
        return bundle_error("not a JSON object");
    }
    SigstoreBundle bundle;
    const std::string* media_type = detail::string_member(doc, "mediaType");
    if (media_type == nullptr || media_type->rfind(k_bundle_media_type_prefix, 0) != 0) {
        return bundle_error(fmt::format("mediaType is {}, not a Sigstore bundle's",
                                        media_type == nullptr ? "missing" : detail::json_quote(*media_type)));
    }
    bundle.media_type = *media_type;
    const nlohmann::json* material = detail::member(doc, "verificationMaterial");
    if (Result<void> read = read_verification_material(material == nullptr ? nlohmann::json() : *material, bundle);
        !read) {
        return read.error();
    }
    const nlohmann::json* envelope = detail::member(doc, "dsseEnvelope");
    const nlohmann::json* message = detail::member(doc, "messageSignature");
    if ((envelope == nullptr) == (message == nullptr)) {
        return bundle_error("it needs exactly one of \"dsseEnvelope\" and \"messageSignature\"");
    }
    if (envelope != nullptr) {
        Result<DsseEnvelope> parsed = parse_dsse_envelope(*envelope);
        if (!parsed) {
            return bundle_error(parsed.error().message);
        }
        bundle.envelope = std::move(*parsed);
    } else if (Result<void> read = read_message_signature(*message, bundle); !read) {
        return read.error();
    }
    return bundle;
}

std::string sigstore_bundle_json(const DsseEnvelope& envelope, std::string_view public_key_hint) {
    std::string signatures;
    for (const DsseSignature& signature : envelope.signatures) {
        if (!signatures.empty()) {
            signatures += ',';
        }
        signatures += fmt::format(R"({{"sig":"{}")", oci::encode_base64(signature.sig));
        if (!signature.keyid.empty()) {
            signatures += fmt::format(R"(,"keyid":{})", detail::json_quote(signature.keyid));
        }
        signatures += '}';
    }
    return fmt::format(R"({{"mediaType":{},"verificationMaterial":{{"publicKey":{{"hint":{}}}}},)"
                       R"("dsseEnvelope":{{"payload":"{}","payloadType":{},"signatures":[{}]}}}})",
                       detail::json_quote(k_sigstore_bundle_v03_media_type), detail::json_quote(public_key_hint),
                       oci::encode_base64(envelope.payload), detail::json_quote(envelope.payload_type), signatures);
}

}  // namespace pipeline::sign
