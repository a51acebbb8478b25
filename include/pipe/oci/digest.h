// Content digests: a manifest's digest is the sha256 of its exact bytes, so pipe computes it
// itself to check what a registry says and what a tool wrote to --digestfile.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::oci {

// "sha256:<64 lowercase hex>" of bytes.
std::string sha256_digest(std::string_view bytes);

}  // namespace pipeline::oci
