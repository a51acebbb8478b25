// Fuzzes the WWW-Authenticate parser: any input must parse or fail cleanly with a column inside the
// input, and whatever parses must come back unchanged from its canonical form, one challenge at a
// time and all together.
#include "fuzz_check.h"

#include <pipe/http/www_authenticate.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using pipeline::fuzz::require;

namespace {

bool is_lowercase(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const pipeline::Result<std::vector<pipeline::http::Challenge>> parsed =
        pipeline::http::parse_www_authenticate(text);
    if (!parsed) {
        require(parsed.error().kind == pipeline::ErrorKind::runtime);
        require(parsed.error().message.find("at column ") != std::string::npos && !parsed.error().hint.empty());
        return 0;
    }
    require(!parsed->empty());

    std::string joined;
    for (const pipeline::http::Challenge& challenge : *parsed) {
        require(!challenge.scheme.empty() && is_lowercase(challenge.scheme));
        require(!challenge.token68 || challenge.params.empty());
        for (const auto& [name, value] : challenge.params) {
            require(!name.empty() && is_lowercase(name));
            require(challenge.param(name).has_value() && *challenge.param(name) == value);
        }
        const std::string canonical = pipeline::http::describe(challenge);
        const pipeline::Result<std::vector<pipeline::http::Challenge>> again =
            pipeline::http::parse_www_authenticate(canonical);
        require(again.has_value() && again->size() == 1 && again->front() == challenge);
        joined += joined.empty() ? canonical : ", " + canonical;
    }
    const pipeline::Result<std::vector<pipeline::http::Challenge>> all = pipeline::http::parse_www_authenticate(joined);
    require(all.has_value() && *all == *parsed);
    return 0;
}
