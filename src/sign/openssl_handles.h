// Internal to src/sign: RAII owners for the OpenSSL objects the signing code uses, so every
// path (including early error returns) frees them, plus the few helpers all key code shares.
#pragma once

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace pipeline::sign::detail {

// Frees an EVP_PKEY.
struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyHandle = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Frees an EVP_MD_CTX.
struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxHandle = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Frees a PKCS8_PRIV_KEY_INFO (OpenSSL cleanses the key octets on free).
struct Pkcs8Deleter {
    void operator()(PKCS8_PRIV_KEY_INFO* info) const { PKCS8_PRIV_KEY_INFO_free(info); }
};
using Pkcs8Handle = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Deleter>;

// Overwrites a string's bytes when the scope ends, for decrypted key material.
class WipeOnExit {
public:
    explicit WipeOnExit(std::string& bytes) : m_bytes(&bytes) {}
    ~WipeOnExit() { OPENSSL_cleanse(m_bytes->data(), m_bytes->size()); }
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    WipeOnExit(WipeOnExit&&) = delete;
    WipeOnExit& operator=(WipeOnExit&&) = delete;

private:
    std::string* m_bytes;
};

// The pending OpenSSL error queue as one line (and the queue emptied), for runtime messages.
std::string openssl_error_text();

// True for the key types pipe signs and verifies with: ECDSA, RSA and Ed25519.
bool supported_key_type(const EVP_PKEY* key);

// The digest a signature with key uses: SHA-256 (as cosign) or nullptr for Ed25519, which hashes
// internally.
const EVP_MD* signature_digest(const EVP_PKEY* key);

// A short name of the key type for messages: "ECDSA P-256", "RSA-2048", "Ed25519".
std::string key_type_name(const EVP_PKEY* key);

// The SubjectPublicKeyInfo DER of key's public half; empty when OpenSSL cannot encode it.
std::string spki_der(EVP_PKEY* key);

// The raw 32-byte SHA-256 of bytes.
std::string sha256_bytes(std::string_view bytes);

}  // namespace pipeline::sign::detail
