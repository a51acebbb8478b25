#include <pipe/git/known_hosts.h>

#include <pipe/oci/credentials.h>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <optional>
#include <sstream>
#include <string>

namespace pipeline::git {
namespace {

// Whether a hashed pattern "|1|salt|hmac" stands for name.
bool hashed_match(std::string_view pattern, const std::string& name) {
    constexpr std::string_view prefix = "|1|";
    if (pattern.substr(0, prefix.size()) != prefix) {
        return false;
    }
    pattern.remove_prefix(prefix.size());
    const std::size_t bar = pattern.find('|');
    if (bar == std::string_view::npos) {
        return false;
    }
    const std::optional<std::string> salt = oci::decode_base64(pattern.substr(0, bar));
    const std::optional<std::string> expected = oci::decode_base64(pattern.substr(bar + 1));
    if (!salt || !expected) {
        return false;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
             reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest.data(), &length) == nullptr) {
        return false;
    }
    return std::string_view(reinterpret_cast<const char*>(digest.data()), length) == *expected;
}

// Whether a host field (comma-separated patterns, or one hashed pattern) names name.
bool hosts_match(std::string_view field, const std::string& name) {
    if (field.substr(0, 1) == "|") {
        return hashed_match(field, name);
    }
    while (!field.empty()) {
        const std::size_t comma = field.find(',');
        if (field.substr(0, comma) == name) {
            return true;
        }
        field = comma == std::string_view::npos ? std::string_view() : field.substr(comma + 1);
    }
    return false;
}

}  // namespace

bool known_host(std::string_view text, std::string_view host, int port, std::string_view key_blob) {
    const std::string name = port == 22 ? std::string(host) : fmt::format("[{}]:{}", host, port);
    bool known = false;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string first;
        std::string hosts;
        std::string type;
        std::string key;
        fields >> first;
        const bool revoked = first == "@revoked";
        if (first.empty() || first.front() == '#' || (first.front() == '@' && !revoked)) {
            continue;
        }
        if (revoked) {
            fields >> hosts;
        } else {
            hosts = first;
        }
        fields >> type >> key;
        const std::optional<std::string> blob = oci::decode_base64(key);
        if (!blob || *blob != key_blob || !hosts_match(hosts, name)) {
            continue;
        }
        if (revoked) {
            return false;
        }
        known = true;
    }
    return known;
}

}  // namespace pipeline::git
