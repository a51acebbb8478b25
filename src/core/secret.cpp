#include <pipe/core/secret.h>

#include <nlohmann/json.hpp>

#include <ostream>

namespace pipeline {

std::ostream& operator<<(std::ostream& out, const Secret&) {
    return out << k_masked;
}

void to_json(nlohmann::json& out, const Secret&) {
    out = k_masked;
}

std::string redact(std::string text, const std::vector<Secret>& secrets) {
    for (const Secret& secret : secrets) {
        const std::string& value = secret.reveal();
        if (value.empty()) {
            continue;
        }
        for (std::size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + k_masked.size())) {
            text.replace(at, value.size(), k_masked);
        }
    }
    return text;
}

}  // namespace pipeline
