#include <pipe/meta/js_number.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using pipeline::meta::js_digits_text;
using pipeline::meta::js_number_text;
using pipeline::meta::js_to_number;

TEST_CASE("js_to_number reads what Number() reads", "[tags]") {
    CHECK(js_to_number("") == 0.0);
    CHECK(js_to_number("  12 ") == 12.0);
    CHECK(js_to_number("-5") == -5.0);
    CHECK(js_to_number("1e3") == 1000.0);
    CHECK(js_to_number(".5") == 0.5);
    CHECK(js_to_number("5.") == 5.0);
    CHECK(js_to_number("0x10") == 16.0);
    CHECK(js_to_number("0b101") == 5.0);
    CHECK(js_to_number("0o17") == 15.0);
    CHECK(std::isinf(*js_to_number("Infinity")));
    for (const std::string text : {"abc", "1_000", "-0x10", "0x", "1e", "12px", "infinity", "."}) {
        CAPTURE(text);
        CHECK_FALSE(js_to_number(text).has_value());
    }
}

TEST_CASE("js_number_text prints what String() prints", "[tags]") {
    CHECK(js_number_text(0) == "0");
    CHECK(js_number_text(-0.0) == "0");
    CHECK(js_number_text(7) == "7");
    CHECK(js_number_text(1.5) == "1.5");
    CHECK(js_number_text(1e21) == "1e+21");
    CHECK(js_number_text(123456789012345680000.0) == "123456789012345680000");
    CHECK(js_number_text(0.000001) == "0.000001");
    CHECK(js_number_text(1e-7) == "1e-7");
    CHECK(js_digits_text("0007") == "7");
    CHECK(js_digits_text("12345678901234567890") == "12345678901234567000");
}
