#include <pipe/http/form_encoding.h>

#include <cctype>

namespace pipeline::http {

std::string percent_encode(std::string_view text) {
    static constexpr std::string_view k_hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[byte >> 4U];
            out += k_hex[byte & 0x0fU];
        }
    }
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) {
            out += '&';
        }
        out += percent_encode(name) + '=' + percent_encode(value);
    }
    return out;
}

}  // namespace pipeline::http
