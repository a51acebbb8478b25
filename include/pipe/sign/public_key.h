// A verification key (ECDSA, RSA or Ed25519) read from a PEM or SPKI DER, checking signatures the
// way cosign makes them: SHA-256 for ECDSA (DER signatures) and RSA PKCS#1 v1.5, pure Ed25519.
#pragma once

#include <pipe/core/result.h>

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace pipeline::sign {

// A public key; copies share the same immutable OpenSSL key.
class PublicKey {
public:
    // Reads a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo, what cosign writes to cosign.pub).
    // Usage error naming origin for another block type, a malformed key or an unsupported type.
    static Result<PublicKey> from_pem(std::string_view pem, std::string_view origin);

    // Reads a SubjectPublicKeyInfo DER; malformed or unsupported keys are runtime errors naming
    // origin, since DER keys come from registries and bundles.
    static Result<PublicKey> from_der(std::string_view spki_der, std::string_view origin);

    // True only when signature is a valid signature of data under this key; false for anything
    // malformed, never an error.
    bool verify(std::string_view data, std::string_view signature) const;

    // "sha256:<hex>" of the SubjectPublicKeyInfo DER, to show which key verified.
    std::string fingerprint() const;

    // base64 of the SHA-256 of the SubjectPublicKeyInfo DER: the publicKey hint sigstore-go and
    // cosign put in a key-based Sigstore bundle.
    std::string hint() const;

    // The SubjectPublicKeyInfo DER.
    std::string spki_der() const;

    // The PEM "PUBLIC KEY" text, as cosign writes cosign.pub.
    std::string pem() const;

    // A short name of the key type for messages: "ECDSA P-256", "RSA-2048", "Ed25519".
    std::string type_name() const;

private:
    explicit PublicKey(std::shared_ptr<evp_pkey_st> key) : m_key(std::move(key)) {}

    std::shared_ptr<evp_pkey_st> m_key;
};

}  // namespace pipeline::sign
