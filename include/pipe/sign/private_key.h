// A signing key loaded from a cosign key file (or a plain PEM key) or freshly generated; it signs
// as cosign does and writes itself back in cosign's encrypted format.
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>
#include <pipe/sign/public_key.h>

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace pipeline::sign {

// The PEM types a private key file may have, for messages listing them.
inline constexpr std::string_view k_accepted_private_key_types =
    "ENCRYPTED SIGSTORE PRIVATE KEY, ENCRYPTED COSIGN PRIVATE KEY, PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY";

// The PEM type current cosign writes for its encrypted key files.
inline constexpr std::string_view k_sigstore_private_key_type = "ENCRYPTED SIGSTORE PRIVATE KEY";

// The PEM type older cosign wrote; still read, never written.
inline constexpr std::string_view k_legacy_cosign_private_key_type = "ENCRYPTED COSIGN PRIVATE KEY";

namespace detail {
// Frees the OpenSSL key (defined where OpenSSL is included).
struct PrivateKeyDeleter {
    void operator()(evp_pkey_st* key) const;
};
}  // namespace detail

// An ECDSA, RSA or Ed25519 private key; movable, never copied, freed (and cleansed) by OpenSSL.
class PrivateKey {
public:
    // Reads a private key file's text; origin names the file in messages. Encrypted cosign keys
    // are decrypted with password; for plain PEM keys the password is ignored. Usage errors for an
    // unknown PEM type (listing the accepted ones), a wrong password or an unsupported key type;
    // no message ever contains the password.
    static Result<PrivateKey> from_pem(std::string_view pem, const Secret& password, std::string_view origin);

    // A new random ECDSA P-256 key, cosign's default.
    static Result<PrivateKey> generate_p256();

    // The signature of data: ASN.1 DER ECDSA over SHA-256, RSA PKCS#1 v1.5 over SHA-256, or Ed25519.
    Result<std::string> sign(std::string_view data) const;

    // The public half as PEM "PUBLIC KEY" (what cosign writes to cosign.pub).
    std::string public_pem() const;

    // The public half as a key that can verify (an error only if OpenSSL cannot encode it).
    Result<PublicKey> public_key() const;

    // This key as an "ENCRYPTED SIGSTORE PRIVATE KEY" PEM (scrypt N=65536) that cosign reads.
    Result<std::string> encrypted_pem(const Secret& password) const;

    // A short name of the key type for messages: "ECDSA P-256", "RSA-2048", "Ed25519".
    std::string type_name() const;

private:
    explicit PrivateKey(evp_pkey_st* key) : m_key(key) {}

    std::unique_ptr<evp_pkey_st, detail::PrivateKeyDeleter> m_key;
};

}  // namespace pipeline::sign
