// Fuzzes pipe's JSON event reader and the Trivy report parser built on it: nothing may crash, and
// the reader must accept every document nlohmann's parser accepts (it is never stricter than
// JSON, apart from its nesting limit and NUL bytes), so a valid report is never refused.
#include "fuzz_check.h"

#include <pipe/scan/json_events.h>
#include <pipe/scan/report.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using pipeline::fuzz::require;

namespace {

// Accepts everything, wants every string: exercises the whole reader.
class Everything final : public pipeline::scan::JsonHandler {
public:
    bool start_object() override { return true; }
    bool end_object() override { return true; }
    bool start_array() override { return true; }
    bool end_array() override { return true; }
    bool key(std::string_view /*name*/) override { return true; }
    bool wants_string() const override { return true; }
    bool string(std::string_view /*value*/) override { return true; }
    bool number(double /*value*/) override { return true; }
    bool literal() override { return true; }
};

bool shallow(std::string_view text) {
    int depth = 0;
    for (char c : text) {
        depth += (c == '[' || c == '{') ? 1 : 0;
        if (depth > 400) {
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Everything handler;
    const bool ours = pipeline::scan::read_json(text, handler).empty();
    // nlohmann's lexer takes a NUL byte for the end of input; pipe's reader does not.
    if (shallow(text) && text.find('\0') == std::string_view::npos && nlohmann::json::accept(text)) {
        require(ours);
    }
    (void)pipeline::scan::parse_report(text, "fuzz");
    return 0;
}
