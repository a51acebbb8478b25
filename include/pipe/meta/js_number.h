// JavaScript number conversions. metadata-action compares priorities, checks match groups, reads
// DOCKER_METADATA_SHORT_SHA_LENGTH and prints PEP 440 numbers through JavaScript's Number(), so
// matching its output means converting the way Number() and String() do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::meta {

// Number(text): surrounding whitespace ignored, empty text is 0, decimal literals with sign,
// fraction and exponent, 0x/0o/0b integers and Infinity; nullopt where JavaScript gives NaN.
std::optional<double> js_to_number(std::string_view text);

// String(value): shortest round-trip digits, exponent form outside [1e-6, 1e21), "NaN",
// "Infinity"; negative zero prints as "0".
std::string js_number_text(double value);

// The decimal digits of a run of digits as JavaScript prints Number(digits): leading zeros
// dropped and precision lost beyond 2^53 exactly as a double loses it.
std::string js_digits_text(std::string_view digits);

}  // namespace pipeline::meta
