// Repository: a GitHub repository named "owner/name", checked once so that API paths built from
// it need no escaping.
#pragma once

#include <pipe/core/result.h>

#include <string>
#include <string_view>

namespace pipeline::github {

// An owner (user or organisation) and a repository name.
struct Repository {
    std::string owner;
    std::string name;

    // "owner/name", as GitHub shows it and as messages name the repository.
    std::string full() const;

    friend bool operator==(const Repository&, const Repository&) = default;
};

// Parses "owner/name": an owner of letters, digits, '-' and '_' (Enterprise Managed Users carry
// "_shortcode") not starting with '-', and a name of letters, digits, '-', '_' and '.' (not "."
// or ".."), each at most 100 characters; a ".git" suffix is dropped. Anything else, a URL
// included, is a usage error saying what is expected.
Result<Repository> parse_repository(std::string_view owner_slash_name);

}  // namespace pipeline::github
