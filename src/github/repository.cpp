#include <pipe/github/repository.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::github {
namespace {

constexpr std::size_t k_max_part = 100;

bool is_name_char(char c, bool dot_allowed) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           (dot_allowed && c == '.');
}

bool valid_owner(std::string_view owner) {
    return !owner.empty() && owner.size() <= k_max_part && owner.front() != '-' &&
           std::all_of(owner.begin(), owner.end(), [](char c) { return is_name_char(c, false); });
}

bool valid_name(std::string_view name) {
    return !name.empty() && name.size() <= k_max_part && name != "." && name != ".." &&
           std::all_of(name.begin(), name.end(), [](char c) { return is_name_char(c, true); });
}

}  // namespace

std::string Repository::full() const {
    return owner + "/" + name;
}

Result<Repository> parse_repository(std::string_view owner_slash_name) {
    const std::size_t slash = owner_slash_name.find('/');
    const std::string_view owner = owner_slash_name.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? std::string_view() : owner_slash_name.substr(slash + 1);
    if (name.ends_with(".git") && name.size() > 4) {
        name.remove_suffix(4);
    }
    if (!valid_owner(owner) || !valid_name(name)) {
        return usage_error(fmt::format("'{}' is not a GitHub repository", owner_slash_name),
                           "write it as owner/name, e.g. acme/app-deploy");
    }
    return Repository{std::string(owner), std::string(name)};
}

}  // namespace pipeline::github
