#include <pipe/oci/digest.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <fstream>

namespace pipeline::oci {
namespace {

std::string hex_digest(const unsigned char* hash, unsigned int length) {
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string digest = "sha256:";
    for (unsigned int i = 0; i < length; ++i) {
        digest += k_hex[hash[i] >> 4U];
        digest += k_hex[hash[i] & 0x0fU];
    }
    return digest;
}

}  // namespace

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
    Context() = default;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    Context(Context&&) = delete;
    Context& operator=(Context&&) = delete;
};

Sha256::Sha256() : m_context(std::make_unique<Context>()) {
    EVP_DigestInit_ex(m_context->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(m_context->ctx, bytes.data(), bytes.size());
}

std::string Sha256::finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context->ctx, hash.data(), &length);
    return hex_digest(hash.data(), length);
}

std::string sha256_digest(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), hash.data(), &length, EVP_sha256(), nullptr);
    return hex_digest(hash.data(), length);
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return runtime_error(fmt::format("cannot read {}", path.string()), "check the file's permissions");
    }
    Sha256 hash;
    std::array<char, 1U << 16U> block{};
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        hash.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) {
        return runtime_error(fmt::format("cannot read {}", path.string()), "check the file and the disk");
    }
    return hash.finish();
}

}  // namespace pipeline::oci
