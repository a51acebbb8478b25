#include "openssl_handles.h"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>

namespace pipeline::sign::detail {

std::string openssl_error_text() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> buffer{};
        ERR_error_string_n(code, buffer.data(), buffer.size());
        if (!text.empty()) {
            text += "; ";
        }
        text += buffer.data();
    }
    return text.empty() ? std::string("unknown OpenSSL error") : text;
}

bool supported_key_type(const EVP_PKEY* key) {
    const int type = EVP_PKEY_get_base_id(key);
    return type == EVP_PKEY_EC || type == EVP_PKEY_RSA || type == EVP_PKEY_ED25519;
}

const EVP_MD* signature_digest(const EVP_PKEY* key) {
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

std::string key_type_name(const EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_EC: {
            std::array<char, 80> curve{};
            std::size_t length = 0;
            if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve.data(), curve.size(), &length) !=
                1) {
                ERR_clear_error();
                return "ECDSA";
            }
            const std::string_view name(curve.data(), length);
            return fmt::format("ECDSA {}", name == "prime256v1" ? std::string_view("P-256") : name);
        }
        case EVP_PKEY_RSA:
            return fmt::format("RSA-{}", EVP_PKEY_get_bits(key));
        case EVP_PKEY_ED25519:
            return "Ed25519";
        default:
            return fmt::format("key type {}", EVP_PKEY_get_base_id(key));
    }
}

std::string spki_der(EVP_PKEY* key) {
    unsigned char* buffer = nullptr;
    const int length = i2d_PUBKEY(key, &buffer);
    if (length <= 0) {
        ERR_clear_error();
        return {};
    }
    std::string der(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
    OPENSSL_free(buffer);
    return der;
}

std::string sha256_bytes(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), hash.data(), &length, EVP_sha256(), nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    return {reinterpret_cast<const char*>(hash.data()), length};
}

}  // namespace pipeline::sign::detail
