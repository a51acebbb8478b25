#include "openssl_handles.h"

#include <pipe/sign/cosign_key_file.h>
#include <pipe/sign/pem.h>
#include <pipe/sign/private_key.h>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

namespace pipeline::sign {
namespace detail {

void PrivateKeyDeleter::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

}  // namespace detail

namespace {

// A PKCS#8 PrivateKeyInfo DER as a key; nullptr when malformed.
detail::PkeyHandle parse_pkcs8(std::string_view der) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    const detail::Pkcs8Handle info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, static_cast<long>(der.size())));
    if (!info) {
        ERR_clear_error();
        return nullptr;
    }
    detail::PkeyHandle key(EVP_PKCS82PKEY(info.get()));
    if (!key) {
        ERR_clear_error();
    }
    return key;
}

// A type-specific private key DER (SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY"); nullptr when malformed.
detail::PkeyHandle parse_traditional(int type, std::string_view der) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    detail::PkeyHandle key(d2i_PrivateKey(type, nullptr, &cursor, static_cast<long>(der.size())));
    if (!key) {
        ERR_clear_error();
    }
    return key;
}

Error malformed_key(std::string_view origin, std::string_view what) {
    return usage_error(fmt::format("{} holds a malformed private key ({})", origin, what),
                       "give the .key file written by `cosign generate-key-pair`");
}

}  // namespace

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem, const Secret& password, std::string_view origin) {
    Result<PemBlock> block = parse_pem(pem, origin);
    if (!block) {
        return block.error();
    }
    const detail::WipeOnExit wipe_body(block->body);
    const std::string& type = block->type;
    detail::PkeyHandle key;
    if (type == k_sigstore_private_key_type || type == k_legacy_cosign_private_key_type) {
        Result<std::string> der = decrypt_key_document(block->body, password, origin);
        if (!der) {
            return der.error();
        }
        const detail::WipeOnExit wipe_der(*der);
        key = parse_pkcs8(*der);
        if (!key) {
            return malformed_key(origin, "the decrypted key is not PKCS#8");
        }
    } else if (type == "PRIVATE KEY") {
        key = parse_pkcs8(block->body);
        if (!key) {
            return malformed_key(origin, "not PKCS#8");
        }
    } else if (type == "EC PRIVATE KEY" || type == "RSA PRIVATE KEY") {
        key = parse_traditional(type == "EC PRIVATE KEY" ? EVP_PKEY_EC : EVP_PKEY_RSA, block->body);
        if (!key) {
            return malformed_key(origin, fmt::format("not a valid {}", type));
        }
    } else {
        return usage_error(fmt::format("{} holds a \"{}\" PEM block, not a private key pipe can use", origin, type),
                           fmt::format("accepted PEM types: {}", k_accepted_private_key_types));
    }
    if (!detail::supported_key_type(key.get())) {
        return usage_error(fmt::format("{} holds a {} key", origin, detail::key_type_name(key.get())),
                           "pipe signs with ECDSA (cosign's default), RSA and Ed25519 keys");
    }
    return PrivateKey(key.release());
}

Result<PrivateKey> PrivateKey::generate_p256() {
    detail::PkeyHandle key(EVP_EC_gen("P-256"));
    if (!key) {
        return runtime_error(fmt::format("cannot generate an ECDSA P-256 key: {}", detail::openssl_error_text()));
    }
    return PrivateKey(key.release());
}

Result<std::string> PrivateKey::sign(std::string_view data) const {
    const detail::MdCtxHandle ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_ctx = nullptr;
    if (!ctx ||
        EVP_DigestSignInit(ctx.get(), &key_ctx, detail::signature_digest(m_key.get()), nullptr, m_key.get()) != 1) {
        return runtime_error(fmt::format("cannot sign with the {} key: {}", type_name(), detail::openssl_error_text()));
    }
    if (EVP_PKEY_get_base_id(m_key.get()) == EVP_PKEY_RSA &&
        EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PADDING) != 1) {
        return runtime_error(fmt::format("cannot select RSA PKCS#1 v1.5 padding: {}", detail::openssl_error_text()));
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
        return runtime_error(fmt::format("cannot sign with the {} key: {}", type_name(), detail::openssl_error_text()));
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes, data.size()) !=
        1) {
        return runtime_error(fmt::format("cannot sign with the {} key: {}", type_name(), detail::openssl_error_text()));
    }
    signature.resize(length);
    return signature;
}

std::string PrivateKey::public_pem() const {
    return pem_encode("PUBLIC KEY", detail::spki_der(m_key.get()));
}

Result<PublicKey> PrivateKey::public_key() const {
    return PublicKey::from_der(detail::spki_der(m_key.get()), "the private key's public half");
}

Result<std::string> PrivateKey::encrypted_pem(const Secret& password) const {
    const detail::Pkcs8Handle info(EVP_PKEY2PKCS8(m_key.get()));
    if (!info) {
        return runtime_error(
            fmt::format("cannot encode the {} key as PKCS#8: {}", type_name(), detail::openssl_error_text()));
    }
    unsigned char* buffer = nullptr;
    const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &buffer);
    if (length <= 0) {
        return runtime_error(
            fmt::format("cannot encode the {} key as PKCS#8: {}", type_name(), detail::openssl_error_text()));
    }
    std::string der(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
    OPENSSL_clear_free(buffer, static_cast<std::size_t>(length));
    const detail::WipeOnExit wipe_der(der);
    Result<std::string> document = encrypt_key_document(der, password);
    if (!document) {
        return document.error();
    }
    return pem_encode(k_sigstore_private_key_type, *document);
}

std::string PrivateKey::type_name() const {
    return detail::key_type_name(m_key.get());
}

}  // namespace pipeline::sign
