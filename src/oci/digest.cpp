#include <pipe/oci/digest.h>

#include <openssl/evp.h>

#include <array>

namespace pipeline::oci {

std::string sha256_digest(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), hash.data(), &length, EVP_sha256(), nullptr);
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string digest = "sha256:";
    for (unsigned int i = 0; i < length; ++i) {
        digest += k_hex[hash[i] >> 4U];
        digest += k_hex[hash[i] & 0x0fU];
    }
    return digest;
}

}  // namespace pipeline::oci
