// Fuzzes the readers of cosign's signature formats with every input: simple-signing payloads, DSSE
// envelopes, in-toto statements, Sigstore bundles and encrypted key documents. Nothing may crash;
// failures are runtime errors (usage errors naming the key file for key documents); what parses
// has the documented shape (a "<algorithm>:<lowercase hex>" digest, at least one signature,
// subject and digest, a predicate type) and comes back unchanged from the JSON pipe writes for it.
#include "fuzz_check.h"

#include <pipe/core/secret.h>
#include <pipe/sign/cosign_key_file.h>
#include <pipe/sign/dsse.h>
#include <pipe/sign/in_toto.h>
#include <pipe/sign/sigstore_bundle.h>
#include <pipe/sign/simple_signing.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using pipeline::fuzz::require;

namespace {

// The password of tests/data/cosign/python-legacy.key, so its seed reaches the success path.
const pipeline::Secret k_password("pipe-witness-password");
constexpr std::string_view k_origin = "fuzz.key";

// Key documents longer than this are not tried; cosign's are about 600 bytes.
constexpr std::size_t k_max_key_document = 4096;

bool is_lower_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool same_envelope(const pipeline::sign::DsseEnvelope& a, const pipeline::sign::DsseEnvelope& b) {
    if (a.payload_type != b.payload_type || a.payload != b.payload || a.signatures.size() != b.signatures.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.signatures.size(); ++i) {
        if (a.signatures[i].keyid != b.signatures[i].keyid || a.signatures[i].sig != b.signatures[i].sig) {
            return false;
        }
    }
    return true;
}

void check_simple_signing(std::string_view text) {
    pipeline::Result<pipeline::sign::SimpleSigningClaims> claims = pipeline::sign::parse_simple_signing(text);
    if (!claims) {
        require(claims.error().kind == pipeline::ErrorKind::runtime && !claims.error().message.empty());
        return;
    }
    const std::size_t colon = claims->digest.find(':');
    require(colon != std::string::npos && colon > 0 && colon + 1 < claims->digest.size());
    require(is_lower_hex(std::string_view(claims->digest).substr(colon + 1)));

    pipeline::Result<pipeline::sign::SimpleSigningClaims> again = pipeline::sign::parse_simple_signing(
        pipeline::sign::simple_signing_payload(claims->docker_reference, claims->digest, claims->optional));
    require(again.has_value());
    require(again->docker_reference == claims->docker_reference && again->digest == claims->digest &&
            again->optional == claims->optional);
}

void check_dsse(std::string_view text) {
    pipeline::Result<pipeline::sign::DsseEnvelope> envelope = pipeline::sign::parse_dsse_envelope(text);
    if (!envelope) {
        require(envelope.error().kind == pipeline::ErrorKind::runtime && !envelope.error().message.empty());
        return;
    }
    require(!envelope->signatures.empty());
    pipeline::Result<pipeline::sign::DsseEnvelope> again =
        pipeline::sign::parse_dsse_envelope(pipeline::sign::dsse_envelope_json(*envelope));
    require(again.has_value() && same_envelope(*again, *envelope));
}

void check_in_toto(std::string_view text) {
    pipeline::Result<pipeline::sign::InTotoStatement> statement = pipeline::sign::parse_in_toto_statement(text);
    if (!statement) {
        require(statement.error().kind == pipeline::ErrorKind::runtime && !statement.error().message.empty());
        return;
    }
    require(!statement->subjects.empty() && !statement->predicate_type.empty());
    for (const pipeline::sign::InTotoSubject& subject : statement->subjects) {
        require(!subject.digest.empty());
    }
    pipeline::Result<pipeline::sign::InTotoStatement> again =
        pipeline::sign::parse_in_toto_statement(pipeline::sign::in_toto_statement_json(*statement));
    require(again.has_value() && again->predicate_type == statement->predicate_type);
    require(again->subjects.size() == statement->subjects.size());
    for (std::size_t i = 0; i < statement->subjects.size(); ++i) {
        require(again->subjects[i].name == statement->subjects[i].name);
        require(again->subjects[i].digest == statement->subjects[i].digest);
        require(again->subjects[i].annotations == statement->subjects[i].annotations);
    }
    // An absent predicate is written as {}.
    require(statement->predicate.is_null() ? again->predicate == nlohmann::json::object()
                                           : again->predicate == statement->predicate);
}

void check_bundle(std::string_view text) {
    pipeline::Result<pipeline::sign::SigstoreBundle> bundle = pipeline::sign::parse_sigstore_bundle(text);
    if (!bundle) {
        require(bundle.error().kind == pipeline::ErrorKind::runtime && !bundle.error().message.empty());
        return;
    }
    require(bundle->media_type.rfind("application/vnd.dev.sigstore.bundle", 0) == 0);
    require(is_lower_hex(bundle->message_digest_hex) && bundle->message_digest_hex.size() % 2 == 0);
    if (!bundle->envelope) {
        return;
    }
    require(!bundle->envelope->signatures.empty());
    require(bundle->message_signature.empty() && bundle->message_digest_hex.empty());
    pipeline::Result<pipeline::sign::SigstoreBundle> again = pipeline::sign::parse_sigstore_bundle(
        pipeline::sign::sigstore_bundle_json(*bundle->envelope, bundle->public_key_hint));
    require(again.has_value() && again->envelope.has_value());
    require(again->public_key_hint == bundle->public_key_hint);
    // Keyids survive except for empty ones, which the writer omits and the reader reads back as empty.
    require(same_envelope(*again->envelope, *bundle->envelope));
}

// True when decrypt_key_document would run scrypt with more than cosign's smallest cost (N=2^15,
// about 32 MiB and tens of milliseconds): such inputs are skipped so fuzzing stays fast. Every
// cheaper input, including all with unsupported parameters (refused before any derivation, see
// src/sign/cosign_key_file.cpp), is decrypted.
bool costly_key_document(std::string_view text) {
    const nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (!doc.is_object() || !doc.contains("kdf") || !doc["kdf"].is_object() || !doc["kdf"].contains("params")) {
        return false;
    }
    const nlohmann::json& params = doc["kdf"]["params"];
    if (!params.is_object()) {
        return false;
    }
    const auto n = params.find("N");
    return n != params.end() && n->is_number_unsigned() && n->get<std::uint64_t>() > 32768;
}

void check_key_document(std::string_view text) {
    if (text.size() > k_max_key_document || costly_key_document(text)) {
        return;
    }
    pipeline::Result<std::string> der = pipeline::sign::decrypt_key_document(text, k_password, k_origin);
    if (!der) {
        require(der.error().kind == pipeline::ErrorKind::usage);
        require(der.error().message.find(k_origin) != std::string::npos && !der.error().hint.empty());
        return;
    }
    // Only a box sealed under k_password opens: the plaintext is a PKCS#8 DER SEQUENCE.
    require(!der->empty() && static_cast<unsigned char>((*der)[0]) == 0x30);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_simple_signing(text);
    check_dsse(text);
    check_in_toto(text);
    check_bundle(text);
    check_key_document(text);
    return 0;
}
