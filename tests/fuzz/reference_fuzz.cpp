// Fuzzes the image reference parser: any input must parse or fail cleanly, and whatever parses must
// come back unchanged from its normalized and familiar forms, with a name that parse_repository accepts.
#include "fuzz_check.h"

#include <pipe/oci/reference.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using pipeline::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    pipeline::Result<pipeline::oci::ImageReference> parsed = pipeline::oci::parse_reference(text);
    pipeline::Result<pipeline::oci::ImageReference> repository = pipeline::oci::parse_repository(text);
    if (!parsed) {
        require(!repository.has_value());
        require(!parsed.error().message.empty() && !parsed.error().hint.empty());
        return 0;
    }
    if (repository) {
        require(*repository == *parsed);
    }

    pipeline::Result<pipeline::oci::ImageReference> normalized = pipeline::oci::parse_reference(parsed->string());
    require(normalized.has_value() && *normalized == *parsed);

    pipeline::Result<pipeline::oci::ImageReference> familiar = pipeline::oci::parse_reference(parsed->familiar());
    require(familiar.has_value() && *familiar == *parsed);

    pipeline::Result<pipeline::oci::ImageReference> name = pipeline::oci::parse_repository(parsed->name());
    require(name.has_value() && name->name() == parsed->name());
    return 0;
}
