// OpenSSH known_hosts files: git mode checks an ssh server's host key itself, because libgit2 1.5
// accepts any host key unless its caller checks one.
#pragma once

#include <string_view>

namespace pipeline::git {

// Whether text (a known_hosts file) lists key_blob (the raw public key that the line's base64 key
// field decodes to) for host at port. Host patterns are "host" for port 22 and "[host]:port"
// otherwise, in comma-separated lists or hashed ("|1|salt|hmac", HMAC-SHA1 of the pattern, as
// `ssh-keygen -H` writes them). A matching @revoked line makes the key unknown; @cert-authority
// lines, wildcards and negations never match, so a key they would allow is refused (fail closed).
bool known_host(std::string_view text, std::string_view host, int port, std::string_view key_blob);

}  // namespace pipeline::git
