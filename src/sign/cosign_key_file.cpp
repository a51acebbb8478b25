#include "encoding.h"

#include <pipe/oci/credentials.h>
#include <pipe/sign/cosign_key_file.h>

#include <fmt/format.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include <array>

namespace pipeline::sign {
namespace {

constexpr std::string_view k_kdf_name = "scrypt";
constexpr std::string_view k_cipher_name = "nacl/secretbox";
constexpr std::size_t k_salt_size = 32;
const nlohmann::json k_null;

// A secretbox key that is zeroed when it goes out of scope.
struct BoxKey {
    std::array<unsigned char, crypto_secretbox_KEYBYTES> bytes{};
    BoxKey() = default;
    ~BoxKey() { sodium_memzero(bytes.data(), bytes.size()); }
    BoxKey(const BoxKey&) = delete;
    BoxKey& operator=(const BoxKey&) = delete;
    BoxKey(BoxKey&&) = delete;
    BoxKey& operator=(BoxKey&&) = delete;
};

Result<void> ensure_sodium() {
    static const int status = sodium_init();
    if (status < 0) {
        return runtime_error("libsodium could not be initialised", "check that the system's random source works");
    }
    return {};
}

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

Result<void> derive_key(const Secret& password, std::string_view salt, const ScryptParams& params, BoxKey& key) {
    const std::string& pass = password.reveal();
    if (crypto_pwhash_scryptsalsa208sha256_ll(bytes_of(pass), pass.size(), bytes_of(salt), salt.size(), params.n,
                                              params.r, params.p, key.bytes.data(), key.bytes.size()) != 0) {
        return runtime_error(fmt::format("scrypt (N={}, r={}, p={}) failed", params.n, params.r, params.p),
                             "scrypt needs about 128*N*r bytes of memory; check the memory limit");
    }
    return {};
}

Error document_error(std::string_view origin, std::string_view what) {
    return usage_error(fmt::format("{} is not a readable cosign key: {}", origin, what),
                       "give the .key file written by `cosign generate-key-pair`");
}

// A non-negative integer member, or nullopt.
std::optional<std::uint64_t> unsigned_member(const nlohmann::json& object, const char* key) {
    const nlohmann::json* value = detail::member(object, key);
    if (value == nullptr || !value->is_number_unsigned()) {
        return std::nullopt;
    }
    return value->get<std::uint64_t>();
}

// A base64 member decoded, or nullopt when missing or not base64.
std::optional<std::string> base64_member(const nlohmann::json& object, const char* key) {
    const std::string* text = detail::string_member(object, key);
    if (text == nullptr) {
        return std::nullopt;
    }
    return oci::decode_base64(*text);
}

}  // namespace

bool supported_scrypt_params(const ScryptParams& params) {
    return (params.n == 32768 || params.n == 65536 || params.n == 131072) && params.r == 8 && params.p == 1;
}

Result<std::string> decrypt_key_document(std::string_view json, const Secret& password, std::string_view origin) {
    const nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return document_error(origin, "its PEM body is not a JSON object");
    }
    const nlohmann::json* kdf_member = detail::member(doc, "kdf");
    const nlohmann::json* cipher_member = detail::member(doc, "cipher");
    const nlohmann::json& kdf = kdf_member != nullptr ? *kdf_member : k_null;
    const nlohmann::json& cipher = cipher_member != nullptr ? *cipher_member : k_null;
    const std::string* kdf_name = detail::string_member(kdf, "name");
    if (kdf_name == nullptr || *kdf_name != k_kdf_name) {
        return document_error(origin, fmt::format("kdf.name is {}, not \"scrypt\"",
                                                  kdf_name == nullptr ? "missing" : detail::json_quote(*kdf_name)));
    }
    const std::string* cipher_name = detail::string_member(cipher, "name");
    if (cipher_name == nullptr || *cipher_name != k_cipher_name) {
        return document_error(origin,
                              fmt::format("cipher.name is {}, not \"nacl/secretbox\"",
                                          cipher_name == nullptr ? "missing" : detail::json_quote(*cipher_name)));
    }
    const nlohmann::json* params_member = detail::member(kdf, "params");
    const nlohmann::json& params_json = params_member != nullptr ? *params_member : k_null;
    const std::optional<std::uint64_t> n = unsigned_member(params_json, "N");
    const std::optional<std::uint64_t> r = unsigned_member(params_json, "r");
    const std::optional<std::uint64_t> p = unsigned_member(params_json, "p");
    if (!n || !r || !p) {
        return document_error(origin, "kdf.params needs the integers N, r and p");
    }
    const ScryptParams params{*n, static_cast<std::uint32_t>(*r), static_cast<std::uint32_t>(*p)};
    if (*r != params.r || *p != params.p || !supported_scrypt_params(params)) {
        return usage_error(fmt::format("{} uses unsupported scrypt parameters N={}, r={}, p={}", origin, *n, *r, *p),
                           "cosign reads only N=32768, 65536 or 131072 with r=8, p=1; re-create the key with cosign "
                           "generate-key-pair");
    }
    const std::optional<std::string> salt = base64_member(kdf, "salt");
    if (!salt || salt->empty()) {
        return document_error(origin, "kdf.salt is missing or not base64");
    }
    const std::optional<std::string> nonce = base64_member(cipher, "nonce");
    if (!nonce || nonce->size() != crypto_secretbox_NONCEBYTES) {
        return document_error(origin, fmt::format("cipher.nonce is missing or not {} base64 bytes",
                                                  static_cast<std::size_t>(crypto_secretbox_NONCEBYTES)));
    }
    const std::optional<std::string> ciphertext = base64_member(doc, "ciphertext");
    if (!ciphertext || ciphertext->size() < crypto_secretbox_MACBYTES) {
        return document_error(origin, "ciphertext is missing, not base64 or shorter than the secretbox tag");
    }
    if (Result<void> ready = ensure_sodium(); !ready) {
        return ready.error();
    }
    BoxKey key;
    if (Result<void> derived = derive_key(password, *salt, params, key); !derived) {
        return derived.error();
    }
    std::string plaintext(ciphertext->size() - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()), bytes_of(*ciphertext),
                                   ciphertext->size(), bytes_of(*nonce), key.bytes.data()) != 0) {
        sodium_memzero(plaintext.data(), plaintext.size());
        return usage_error(fmt::format("wrong password for cosign key {} (COSIGN_PASSWORD)", origin),
                           "set COSIGN_PASSWORD to the password the key was created with (it may be empty); "
                           "if it is right, the key file is damaged");
    }
    return plaintext;
}

Result<std::string> encrypt_key_document(std::string_view pkcs8_der, const Secret& password, ScryptParams params) {
    if (!supported_scrypt_params(params)) {
        return usage_error(fmt::format("scrypt parameters N={}, r={}, p={} would make a key cosign cannot read",
                                       params.n, params.r, params.p),
                           "use N=32768, 65536 or 131072 with r=8, p=1");
    }
    if (Result<void> ready = ensure_sodium(); !ready) {
        return ready.error();
    }
    std::string salt(k_salt_size, '\0');
    std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    BoxKey key;
    if (Result<void> derived = derive_key(password, salt, params, key); !derived) {
        return derived.error();
    }
    std::string ciphertext(pkcs8_der.size() + crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_easy(reinterpret_cast<unsigned char*>(ciphertext.data()), bytes_of(pkcs8_der),
                              pkcs8_der.size(), bytes_of(nonce), key.bytes.data()) != 0) {
        return runtime_error("NaCl secretbox encryption failed");
    }
    return fmt::format(R"({{"kdf":{{"name":"scrypt","params":{{"N":{},"r":{},"p":{}}},"salt":"{}"}},)"
                       R"("cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"{}"}})",
                       params.n, params.r, params.p, oci::encode_base64(salt), oci::encode_base64(nonce),
                       oci::encode_base64(ciphertext));
}

}  // namespace pipeline::sign
