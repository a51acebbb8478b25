// PEM armour: pipe reads it itself because a cosign key file's body is JSON, not DER, so each
// caller decides what the body means from the block type.
#pragma once

#include <pipe/core/result.h>

#include <string>
#include <string_view>

namespace pipeline::sign {

// One PEM block: its type ("PUBLIC KEY") and its base64-decoded body.
struct PemBlock {
    std::string type;
    std::string body;
};

// The first PEM block in text. A usage error naming origin when there is none, its END line is
// missing or names another type, it carries RFC 1421 headers (old OpenSSL encryption) or its body
// is not base64.
Result<PemBlock> parse_pem(std::string_view text, std::string_view origin);

// body as a PEM block of type: base64 in 64-character lines, ending in a newline, as Go's
// encoding/pem and OpenSSL write it.
std::string pem_encode(std::string_view type, std::string_view body);

}  // namespace pipeline::sign
