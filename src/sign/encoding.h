// Internal to src/sign: the JSON and base64 spellings shared by the signature formats, which
// pipe writes by hand so that key order and bytes are fixed (the bytes are what gets signed).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::sign::detail {

// text as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string json_quote(std::string_view text);

// Standard base64, or the URL-safe alphabet the DSSE spec also allows; padding optional.
std::optional<std::string> decode_base64_any(std::string_view text);

// Lowercase hex of bytes.
std::string hex(std::string_view bytes);

// The string member key of a JSON object, or nullptr when json is no object, the member is
// missing or it is not a string.
const std::string* string_member(const nlohmann::json& json, const char* key);

// The member key of a JSON object, or nullptr when json is no object or has no such member.
const nlohmann::json* member(const nlohmann::json& json, const char* key);

// How deep a signature document from a registry may nest: copying or printing deeper JSON
// recurses, and anyone who can push a signature could otherwise exhaust pipe's stack.
inline constexpr int k_max_json_depth = 64;

// text parsed as JSON, or a discarded value when it is no JSON or nests deeper than
// k_max_json_depth (checked on the text before parsing).
nlohmann::json parse_document(std::string_view text);

}  // namespace pipeline::sign::detail
