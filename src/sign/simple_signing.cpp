#include "encoding.h"

#include <pipe/sign/simple_signing.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace pipeline::sign {
namespace {

Error payload_error(std::string_view what) {
    return runtime_error(fmt::format("malformed cosign signature payload: {}", what),
                         "the signature was not made by cosign or pipe, or it was altered");
}

// "<algorithm>:<lowercase hex>", the shape of an OCI digest.
bool is_digest(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
        return false;
    }
    const std::string_view hex = text.substr(colon + 1);
    return std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string simple_signing_payload(std::string_view docker_reference, std::string_view digest,
                                   const std::map<std::string, std::string>& annotations) {
    std::string optional = "null";
    if (!annotations.empty()) {
        optional = "{";
        for (const auto& [key, value] : annotations) {
            if (optional.size() > 1) {
                optional += ',';
            }
            optional += detail::json_quote(key) + ':' + detail::json_quote(value);
        }
        optional += '}';
    }
    return fmt::format(R"({{"critical":{{"identity":{{"docker-reference":{}}},"image":{{"docker-manifest-digest":{}}},)"
                       R"("type":{}}},"optional":{}}})",
                       detail::json_quote(docker_reference), detail::json_quote(digest),
                       detail::json_quote(k_simple_signing_type), optional);
}

Result<SimpleSigningClaims> parse_simple_signing(std::string_view payload) {
    const nlohmann::json doc = detail::parse_document(payload);
    if (doc.is_discarded() || !doc.is_object()) {
        return payload_error("not a JSON object");
    }
    const nlohmann::json* critical = detail::member(doc, "critical");
    if (critical == nullptr || !critical->is_object()) {
        return payload_error("no \"critical\" object");
    }
    const std::string* type = detail::string_member(*critical, "type");
    if (type == nullptr || *type != k_simple_signing_type) {
        return payload_error(fmt::format("critical.type is {}, not \"{}\"",
                                         type == nullptr ? "missing" : detail::json_quote(*type),
                                         k_simple_signing_type));
    }
    SimpleSigningClaims claims;
    const nlohmann::json* image = detail::member(*critical, "image");
    const std::string* digest = image == nullptr ? nullptr : detail::string_member(*image, "docker-manifest-digest");
    if (digest == nullptr || !is_digest(*digest)) {
        return payload_error("critical.image.docker-manifest-digest is missing or not a digest");
    }
    claims.digest = *digest;
    if (const nlohmann::json* identity = detail::member(*critical, "identity"); identity != nullptr) {
        if (const std::string* reference = detail::string_member(*identity, "docker-reference")) {
            claims.docker_reference = *reference;
        }
    }
    const nlohmann::json* optional = detail::member(doc, "optional");
    if (optional != nullptr && !optional->is_null()) {
        if (!optional->is_object()) {
            return payload_error("\"optional\" is neither an object nor null");
        }
        for (const auto& [key, value] : optional->items()) {
            claims.optional[key] = value.is_string()
                                       ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
    }
    return claims;
}

}  // namespace pipeline::sign
