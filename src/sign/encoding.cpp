#include "encoding.h"

#include <pipe/oci/credentials.h>

#include <nlohmann/json.hpp>

namespace pipeline::sign::detail {

std::string json_quote(std::string_view text) {
    return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> decode_base64_any(std::string_view text) {
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        }
    }
    return oci::decode_base64(standard);
}

std::string hex(std::string_view bytes) {
    static constexpr std::string_view k_digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char byte : bytes) {
        const auto value = static_cast<unsigned char>(byte);
        out += k_digits[value >> 4U];
        out += k_digits[value & 0x0fU];
    }
    return out;
}

const nlohmann::json* member(const nlohmann::json& json, const char* key) {
    if (!json.is_object()) {
        return nullptr;
    }
    const auto found = json.find(key);
    return found == json.end() ? nullptr : &*found;
}

const std::string* string_member(const nlohmann::json& json, const char* key) {
    const nlohmann::json* value = member(json, key);
    return value != nullptr && value->is_string() ? value->get_ptr<const std::string*>() : nullptr;
}

nlohmann::json parse_document(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > k_max_json_depth) {
                return nlohmann::json::value_t::discarded;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

}  // namespace pipeline::sign::detail
