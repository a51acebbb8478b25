#include "encoding.h"
#include "openssl_handles.h"

#include <pipe/oci/credentials.h>
#include <pipe/oci/digest.h>
#include <pipe/sign/pem.h>
#include <pipe/sign/public_key.h>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

namespace pipeline::sign {
namespace {

constexpr std::string_view k_public_key_type = "PUBLIC KEY";

// Parses SPKI DER; nullptr when it is not exactly one well-formed key.
detail::PkeyHandle parse_spki(std::string_view der) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    detail::PkeyHandle key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
    if (!key || cursor != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
        ERR_clear_error();
        return nullptr;
    }
    return key;
}

}  // namespace

Result<PublicKey> PublicKey::from_pem(std::string_view pem, std::string_view origin) {
    Result<PemBlock> block = parse_pem(pem, origin);
    if (!block) {
        return block.error();
    }
    if (block->type != k_public_key_type) {
        return usage_error(fmt::format("{} holds a \"{}\" PEM block, not a public key", origin, block->type),
                           "give the \"PUBLIC KEY\" file written by `cosign generate-key-pair` (cosign.pub)");
    }
    detail::PkeyHandle key = parse_spki(block->body);
    if (!key) {
        return usage_error(fmt::format("{} holds a malformed public key", origin),
                           "give the cosign.pub written by `cosign generate-key-pair`");
    }
    if (!detail::supported_key_type(key.get())) {
        return usage_error(fmt::format("{} holds a {} public key", origin, detail::key_type_name(key.get())),
                           "pipe verifies ECDSA, RSA and Ed25519 keys");
    }
    return PublicKey(std::shared_ptr<evp_pkey_st>(key.release(), detail::PkeyDeleter()));
}

Result<PublicKey> PublicKey::from_der(std::string_view spki_der, std::string_view origin) {
    detail::PkeyHandle key = parse_spki(spki_der);
    if (!key) {
        return runtime_error(fmt::format("{} holds a malformed public key", origin));
    }
    if (!detail::supported_key_type(key.get())) {
        return runtime_error(fmt::format("{} holds a {} public key", origin, detail::key_type_name(key.get())),
                             "pipe verifies ECDSA, RSA and Ed25519 keys");
    }
    return PublicKey(std::shared_ptr<evp_pkey_st>(key.release(), detail::PkeyDeleter()));
}

bool PublicKey::verify(std::string_view data, std::string_view signature) const {
    const detail::MdCtxHandle ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_ctx = nullptr;
    bool valid = ctx && EVP_DigestVerifyInit(ctx.get(), &key_ctx, detail::signature_digest(m_key.get()), nullptr,
                                             m_key.get()) == 1;
    if (valid && EVP_PKEY_get_base_id(m_key.get()) == EVP_PKEY_RSA) {
        valid = EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PADDING) == 1;
    }
    valid =
        valid && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                  reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    ERR_clear_error();
    return valid;
}

std::string PublicKey::fingerprint() const {
    return oci::sha256_digest(spki_der());
}

std::string PublicKey::hint() const {
    return oci::encode_base64(detail::sha256_bytes(spki_der()));
}

std::string PublicKey::spki_der() const {
    return detail::spki_der(m_key.get());
}

std::string PublicKey::pem() const {
    return pem_encode(k_public_key_type, spki_der());
}

std::string PublicKey::type_name() const {
    return detail::key_type_name(m_key.get());
}

}  // namespace pipeline::sign
