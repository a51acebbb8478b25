#include <pipe/meta/js_number.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace pipeline::meta {
namespace {

bool is_js_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim_js_space(std::string_view text) {
    while (!text.empty() && is_js_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_js_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Value of a digit in base, or -1.
int digit_value(char c, int base) {
    int value = -1;
    if (is_digit(c)) {
        value = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        value = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        value = c - 'A' + 10;
    }
    return value < base ? value : -1;
}

// 0x1F, 0o17, 0b101 (no sign allowed, as in JavaScript).
std::optional<double> non_decimal_integer(std::string_view text) {
    int base = 0;
    const char marker = text[1];
    if (marker == 'x' || marker == 'X') {
        base = 16;
    } else if (marker == 'o' || marker == 'O') {
        base = 8;
    } else if (marker == 'b' || marker == 'B') {
        base = 2;
    } else {
        return std::nullopt;
    }
    text.remove_prefix(2);
    if (text.empty()) {
        return std::nullopt;
    }
    double value = 0;
    for (char c : text) {
        const int digit = digit_value(c, base);
        if (digit < 0) {
            return std::nullopt;
        }
        value = value * base + digit;
    }
    return value;
}

// [+-] (digits [. digits?] | . digits) [(e|E) [+-] digits]
bool is_decimal_literal(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        ++i;
    }
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i])) {
        ++i;
        ++digits;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && is_digit(text[i])) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            ++i;
        }
        std::size_t exponent_digits = 0;
        while (i < text.size() && is_digit(text[i])) {
            ++i;
            ++exponent_digits;
        }
        if (exponent_digits == 0) {
            return false;
        }
    }
    return i == text.size();
}

}  // namespace

std::optional<double> js_to_number(std::string_view text) {
    text = trim_js_space(text);
    if (text.empty()) {
        return 0.0;
    }
    if (text == "Infinity" || text == "+Infinity") {
        return std::numeric_limits<double>::infinity();
    }
    if (text == "-Infinity") {
        return -std::numeric_limits<double>::infinity();
    }
    if (text.size() > 2 && text[0] == '0' && !is_digit(text[1]) && text[1] != '.' && text[1] != 'e' && text[1] != 'E') {
        return non_decimal_integer(text);
    }
    if (!is_decimal_literal(text)) {
        return std::nullopt;
    }
    const bool negative = text.front() == '-';
    if (text.front() == '+' || text.front() == '-') {
        text.remove_prefix(1);
    }
    double value = 0;
    const std::from_chars_result parsed = std::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec == std::errc::result_out_of_range) {
        // from_chars reports overflow and underflow without a value; JavaScript rounds them.
        const std::string copy(text);
        value = std::strtod(copy.c_str(), nullptr);
    }
    return negative ? -value : value;
}

std::string js_number_text(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
        return "0";
    }
    std::string sign = value < 0 ? "-" : "";
    char buffer[64];
    const std::to_chars_result printed =
        std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value), std::chars_format::scientific);
    const std::string scientific(buffer, printed.ptr);
    const std::size_t e = scientific.find('e');
    std::string digits = scientific.substr(0, e);
    if (digits.size() > 1) {
        digits.erase(1, 1);  // the '.' after the first digit
    }
    // to_chars writes the exponent as e+XX or e-XX.
    const std::size_t exponent_at = scientific[e + 1] == '+' ? e + 2 : e + 1;
    int exponent = 0;
    std::from_chars(scientific.data() + exponent_at, scientific.data() + scientific.size(), exponent);
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // value = 0.digits * 10^n
    if (k <= n && n <= 21) {
        return sign + digits + std::string(static_cast<std::size_t>(n - k), '0');
    }
    if (0 < n && n <= 21) {
        return sign + digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
    }
    if (-6 < n && n <= 0) {
        return sign + "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    }
    std::string mantissa = digits.substr(0, 1);
    if (k > 1) {
        mantissa += "." + digits.substr(1);
    }
    const int shown = n - 1;
    return sign + mantissa + "e" + (shown >= 0 ? "+" : "-") + std::to_string(std::abs(shown));
}

std::string js_digits_text(std::string_view digits) {
    return js_number_text(js_to_number(digits).value_or(0));
}

}  // namespace pipeline::meta
