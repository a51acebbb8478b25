#include <pipe/oci/credentials.h>
#include <pipe/sign/pem.h>

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace pipeline::sign {
namespace {

constexpr std::string_view k_begin = "-----BEGIN ";
constexpr std::string_view k_end = "-----END ";
constexpr std::string_view k_dashes = "-----";
constexpr std::size_t k_line_length = 64;

Error pem_error(std::string_view origin, std::string_view what) {
    return usage_error(fmt::format("{} is not a usable PEM file: {}", origin, what),
                       "give a key written by `cosign generate-key-pair` or a PEM key written by openssl");
}

}  // namespace

Result<PemBlock> parse_pem(std::string_view text, std::string_view origin) {
    const std::size_t begin = text.find(k_begin);
    if (begin == std::string_view::npos) {
        return pem_error(origin, "no \"-----BEGIN ...-----\" line");
    }
    const std::size_t type_start = begin + k_begin.size();
    const std::size_t type_end = text.find(k_dashes, type_start);
    const std::size_t line_end = text.find('\n', type_start);
    if (type_end == std::string_view::npos || (line_end != std::string_view::npos && type_end > line_end)) {
        return pem_error(origin, "the BEGIN line is not closed by \"-----\"");
    }
    PemBlock block;
    block.type = std::string(text.substr(type_start, type_end - type_start));
    const std::size_t body_start = type_end + k_dashes.size();
    const std::string end_line = fmt::format("{}{}{}", k_end, block.type, k_dashes);
    const std::size_t body_end = text.find(end_line, body_start);
    if (body_end == std::string_view::npos) {
        return pem_error(origin, fmt::format("no \"{}\" line", end_line));
    }
    const std::string_view body = text.substr(body_start, body_end - body_start);
    if (body.find(':') != std::string_view::npos) {
        return pem_error(origin, "the block has headers (an old OpenSSL-encrypted key); convert it to PKCS#8");
    }
    std::string compact;
    compact.reserve(body.size());
    for (const char c : body) {
        if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
            compact += c;
        }
    }
    std::optional<std::string> decoded = oci::decode_base64(compact);
    OPENSSL_cleanse(compact.data(), compact.size());
    if (!decoded) {
        return pem_error(origin, fmt::format("the {} block is not valid base64", block.type));
    }
    block.body = std::move(*decoded);
    return block;
}

std::string pem_encode(std::string_view type, std::string_view body) {
    const std::string encoded = oci::encode_base64(body);
    std::string out = fmt::format("{}{}{}\n", k_begin, type, k_dashes);
    for (std::size_t offset = 0; offset < encoded.size(); offset += k_line_length) {
        out += encoded.substr(offset, k_line_length);
        out += '\n';
    }
    out += fmt::format("{}{}{}\n", k_end, type, k_dashes);
    return out;
}

}  // namespace pipeline::sign
