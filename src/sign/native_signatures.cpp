#include <pipe/sign/native_signatures.h>

#include <pipe/oci/credentials.h>
#include <pipe/sign/dsse.h>
#include <pipe/sign/in_toto.h>
#include <pipe/sign/sigstore_bundle.h>
#include <pipe/sign/simple_signing.h>

#include <fmt/format.h>

#include <array>
#include <utility>

namespace pipeline::sign {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> k_predicate_shorthands{{
    {"custom", "https://cosign.sigstore.dev/attestation/v1"},
    {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
    {"spdx", "https://spdx.dev/Document"},
    {"spdxjson", "https://spdx.dev/Document"},
    {"cyclonedx", "https://cyclonedx.org/bom"},
    {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
    {"openvex", "https://openvex.dev/ns"},
}};

std::string hex_of(std::string_view digest) {
    const std::size_t colon = digest.find(':');
    return std::string(colon == std::string_view::npos ? digest : digest.substr(colon + 1));
}

// Checks a DSSE envelope's signature with key and that its statement is about digest with
// predicate_type; the reason for a rejection, or nullopt when it holds.
std::optional<std::string> check_envelope(const DsseEnvelope& envelope, const PublicKey& key, std::string_view digest,
                                          std::string_view predicate_type, VerifiedSignature& verified) {
    if (envelope.payload_type != k_in_toto_payload_type) {
        return fmt::format("DSSE payload type '{}' is not an in-toto statement", envelope.payload_type);
    }
    const std::string pae = dsse_pae(envelope.payload_type, envelope.payload);
    bool signed_by_key = false;
    for (const DsseSignature& signature : envelope.signatures) {
        signed_by_key = signed_by_key || key.verify(pae, signature.sig);
    }
    if (!signed_by_key) {
        return std::string("no DSSE signature matches the key");
    }
    Result<InTotoStatement> statement = parse_in_toto_statement(envelope.payload);
    if (!statement) {
        return statement.error().message;
    }
    const std::string hex = hex_of(digest);
    bool about_image = false;
    for (const InTotoSubject& subject : statement->subjects) {
        auto found = subject.digest.find("sha256");
        about_image = about_image || (found != subject.digest.end() && found->second == hex);
    }
    if (!about_image) {
        return fmt::format("the signed statement is about another image, not {}", digest);
    }
    if (statement->predicate_type != predicate_type) {
        return fmt::format("predicate type is {}, not {}", statement->predicate_type, predicate_type);
    }
    verified.predicate_type = statement->predicate_type;
    if (!statement->subjects.empty()) {
        verified.docker_reference = statement->subjects.front().name;
    }
    return std::nullopt;
}

Result<void> check_bundles(oci::RegistryClient& client, const oci::ImageReference& image, const PublicKey& key,
                           std::string_view predicate_type, NativeVerification& result) {
    Result<std::vector<std::string>> bundles = read_bundles(client, image);
    if (!bundles) {
        return bundles.error();
    }
    for (const std::string& text : *bundles) {
        Result<SigstoreBundle> bundle = parse_sigstore_bundle(text);
        if (!bundle) {
            ++result.found;
            result.rejected.push_back("malformed Sigstore bundle: " + bundle.error().message);
            continue;
        }
        if (!bundle->envelope) {
            ++result.found;
            result.rejected.emplace_back("a message-signature bundle (pipe verifies DSSE bundles natively)");
            continue;
        }
        Result<InTotoStatement> statement = parse_in_toto_statement(bundle->envelope->payload);
        const bool wanted = statement && (statement->predicate_type == predicate_type);
        if (!wanted && predicate_type != k_cosign_sign_predicate_type) {
            continue;  // another kind of attestation
        }
        ++result.found;
        VerifiedSignature verified{"sigstore bundle", "", "", {}};
        if (std::optional<std::string> reason =
                check_envelope(*bundle->envelope, key, *image.digest, predicate_type, verified)) {
            result.rejected.push_back("sigstore bundle: " + *reason);
            continue;
        }
        result.verified.push_back(std::move(verified));
    }
    return {};
}

}  // namespace

std::optional<std::string> predicate_type_uri(std::string_view type) {
    for (const auto& [shorthand, uri] : k_predicate_shorthands) {
        if (type == shorthand) {
            return std::string(uri);
        }
    }
    if (type.rfind("https://", 0) == 0 || type.rfind("http://", 0) == 0) {
        return std::string(type);
    }
    return std::nullopt;
}

Result<NativeVerification> verify_signatures(oci::RegistryClient& client, const oci::ImageReference& image,
                                             const PublicKey& key) {
    NativeVerification result;
    Result<std::vector<StoredLayer>> layers = read_attachment(client, image, Attachment::signature);
    if (!layers) {
        return layers.error();
    }
    for (const StoredLayer& layer : *layers) {
        if (layer.media_type != k_simple_signing_media_type) {
            continue;
        }
        ++result.found;
        auto annotation = layer.annotations.find(std::string(k_signature_annotation));
        std::optional<std::string> signature =
            annotation == layer.annotations.end() ? std::nullopt : oci::decode_base64(annotation->second);
        if (!signature) {
            result.rejected.push_back(
                fmt::format("layer {}: no readable {} annotation", layer.digest, k_signature_annotation));
            continue;
        }
        if (!key.verify(layer.content, *signature)) {
            result.rejected.push_back(fmt::format("layer {}: the signature does not match the key", layer.digest));
            continue;
        }
        Result<SimpleSigningClaims> claims = parse_simple_signing(layer.content);
        if (!claims) {
            result.rejected.push_back(fmt::format("layer {}: {}", layer.digest, claims.error().message));
            continue;
        }
        if (claims->digest != *image.digest) {
            result.rejected.push_back(fmt::format("layer {}: the signed payload names {}, not {}", layer.digest,
                                                  claims->digest, *image.digest));
            continue;
        }
        result.verified.push_back(VerifiedSignature{"cosign .sig", claims->docker_reference, "", claims->optional});
    }
    if (!result.verified.empty()) {
        return result;  // one good signature is enough; cosign v3 bundles need not be fetched
    }
    if (auto bundles = check_bundles(client, image, key, k_cosign_sign_predicate_type, result); !bundles) {
        return bundles.error();
    }
    return result;
}

Result<NativeVerification> verify_attestations(oci::RegistryClient& client, const oci::ImageReference& image,
                                               const PublicKey& key, std::string_view predicate_type) {
    NativeVerification result;
    Result<std::vector<StoredLayer>> layers = read_attachment(client, image, Attachment::attestation);
    if (!layers) {
        return layers.error();
    }
    for (const StoredLayer& layer : *layers) {
        auto annotated = layer.annotations.find(std::string(k_predicate_type_annotation));
        if (layer.media_type != k_dsse_media_type ||
            (annotated != layer.annotations.end() && annotated->second != predicate_type)) {
            continue;
        }
        ++result.found;
        Result<DsseEnvelope> envelope = parse_dsse_envelope(layer.content);
        if (!envelope) {
            result.rejected.push_back(fmt::format("layer {}: {}", layer.digest, envelope.error().message));
            continue;
        }
        VerifiedSignature verified{"cosign .att", "", "", {}};
        if (std::optional<std::string> reason =
                check_envelope(*envelope, key, *image.digest, predicate_type, verified)) {
            result.rejected.push_back(fmt::format("layer {}: {}", layer.digest, *reason));
            continue;
        }
        result.verified.push_back(std::move(verified));
    }
    if (auto bundles = check_bundles(client, image, key, predicate_type, result); !bundles) {
        return bundles.error();
    }
    return result;
}

Result<Appended> sign_image(oci::RegistryClient& client, const oci::ImageReference& image, const PrivateKey& key,
                            const std::map<std::string, std::string>& annotations) {
    const std::string payload = simple_signing_payload(image.name(), *image.digest, annotations);
    // Like cosign's duplicate detector: the same payload already signed by this key is kept as is.
    Result<PublicKey> public_key = PublicKey::from_pem(key.public_pem(), "the signing key");
    if (!public_key) {
        return public_key.error();
    }
    Result<std::vector<StoredLayer>> existing = read_attachment(client, image, Attachment::signature);
    if (!existing) {
        return existing.error();
    }
    for (const StoredLayer& layer : *existing) {
        auto annotation = layer.annotations.find(std::string(k_signature_annotation));
        if (layer.content != payload || annotation == layer.annotations.end()) {
            continue;
        }
        if (std::optional<std::string> old = oci::decode_base64(annotation->second);
            old && public_key->verify(payload, *old)) {
            oci::ImageReference at = image;
            at.digest.reset();
            at.tag = attachment_tag(*image.digest, Attachment::signature);
            return Appended{at.string(), "", existing->size(), true};
        }
    }
    Result<std::string> signature = key.sign(payload);
    if (!signature) {
        return signature.error();
    }
    StoredLayer layer{std::string(k_simple_signing_media_type),
                      "",
                      payload,
                      {{std::string(k_signature_annotation), oci::encode_base64(*signature)}}};
    return append_attachment(client, image, Attachment::signature, layer);
}

Result<Appended> attest_image(oci::RegistryClient& client, const oci::ImageReference& image, const PrivateKey& key,
                              std::string_view predicate_type, const nlohmann::json& predicate) {
    InTotoStatement statement{
        {InTotoSubject{image.name(), {{"sha256", hex_of(*image.digest)}}, {}}}, std::string(predicate_type), predicate};
    DsseEnvelope envelope{std::string(k_in_toto_payload_type), in_toto_statement_json(statement), {}};
    Result<std::string> signature = key.sign(dsse_pae(envelope.payload_type, envelope.payload));
    if (!signature) {
        return signature.error();
    }
    envelope.signatures.push_back(DsseSignature{"", std::move(*signature)});
    StoredLayer layer{std::string(k_dsse_media_type),
                      "",
                      dsse_envelope_json(envelope),
                      {{std::string(k_predicate_type_annotation), std::string(predicate_type)}}};
    return append_attachment(client, image, Attachment::attestation, layer);
}

}  // namespace pipeline::sign
