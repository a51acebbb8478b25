// Fuzzes the deploy gate's image finder over arbitrary YAML: nothing may crash or hang (alias
// cycles, deep nesting), errors are config errors located in the file, and every reference it
// reports parses and has a 1-based position, whether the text is read as a manifest or a kustomization.
#include "fuzz_check.h"

#include <pipe/deploy/manifest_images.h>
#include <pipe/oci/reference.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

using pipeline::fuzz::require;

namespace {

void check(std::string_view text, const char* origin) {
    pipeline::Result<std::vector<pipeline::deploy::FoundImage>> found =
        pipeline::deploy::find_images_in_text(text, origin);
    if (!found) {
        require(found.error().kind == pipeline::ErrorKind::config);
        require(!found.error().message.empty());
        require(found.error().where.rfind(origin, 0) == 0);
        return;
    }
    for (const pipeline::deploy::FoundImage& image : *found) {
        require(pipeline::oci::parse_reference(image.reference).has_value());
        require(image.line >= 1 && image.column >= 1);
        require(image.file == origin);
        require(!image.context.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check(text, "deploy.yaml");
    check(text, "kustomization.yaml");
    return 0;
}
