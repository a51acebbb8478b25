// Headers: the header fields of an HTTP response, in arrival order. Names compare
// case-insensitively, and a name may repeat (WWW-Authenticate, Link, Warning), so lookups
// return the first value or all of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::http {

// One header field as received: name as the server spelled it, value without surrounding spaces.
struct HeaderField {
    std::string name;
    std::string value;

    friend bool operator==(const HeaderField&, const HeaderField&) = default;
};

// An ordered, multi-valued, case-insensitive collection of response header fields.
class Headers {
public:
    // Appends a field; earlier fields with the same name are kept.
    void add(std::string name, std::string value);

    // The value of the first field with this name, or nullopt when there is none.
    std::optional<std::string_view> find(std::string_view name) const;

    // The values of every field with this name, in arrival order.
    std::vector<std::string_view> find_all(std::string_view name) const;

    // Every field in arrival order.
    const std::vector<HeaderField>& fields() const { return m_fields; }

    friend bool operator==(const Headers&, const Headers&) = default;

private:
    std::vector<HeaderField> m_fields;
};

// True when two header names are equal ignoring ASCII case.
bool header_name_equal(std::string_view a, std::string_view b);

}  // namespace pipeline::http
