#include <pipe/http/headers.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace pipeline::http {

bool header_name_equal(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

void Headers::add(std::string name, std::string value) {
    m_fields.push_back(HeaderField{std::move(name), std::move(value)});
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
    for (const HeaderField& field : m_fields) {
        if (header_name_equal(field.name, name)) {
            return field.value;
        }
    }
    return std::nullopt;
}

std::vector<std::string_view> Headers::find_all(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const HeaderField& field : m_fields) {
        if (header_name_equal(field.name, name)) {
            values.emplace_back(field.value);
        }
    }
    return values;
}

}  // namespace pipeline::http
