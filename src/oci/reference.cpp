#include <pipe/oci/reference.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace pipeline::oci {
namespace {

constexpr std::size_t k_max_name_length = 255;
constexpr std::size_t k_max_tag_length = 128;
constexpr std::size_t k_max_ipv6_groups = 8;
constexpr std::size_t k_max_ipv6_group_digits = 4;
constexpr unsigned k_max_port = 65535;
constexpr std::string_view k_legacy_docker_hub = "index.docker.io";
constexpr std::string_view k_docker_hub_api_host = "registry-1.docker.io";
constexpr std::string_view k_official_prefix = "library/";
constexpr std::string_view k_localhost = "localhost";
constexpr std::string_view k_default_tag = "latest";

constexpr std::string_view k_reference_hint =
    "an image reference looks like [registry[:port]/]repository[:tag][@sha256:<64 hex>], "
    "e.g. \"ghcr.io/acme/app:1.2.3\"";
constexpr std::string_view k_repository_hint =
    "an image repository looks like [registry[:port]/]path, e.g. \"ghcr.io/acme/app\"";
constexpr std::string_view k_tag_hint =
    "a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'";
constexpr std::string_view k_digest_hint = "a digest looks like sha256:<64 lowercase hex characters>";

// A digest algorithm pipe can verify, with the length of its hex encoding.
struct DigestAlgorithm {
    std::string_view name;
    std::size_t hex_length;
};

constexpr std::array<DigestAlgorithm, 3> k_digest_algorithms{{{"sha256", 64}, {"sha384", 96}, {"sha512", 128}}};

// Where and why a scan stopped: position is a byte offset into the scanned text (its size meaning "at the end").
struct Failure {
    std::size_t position = 0;
    std::string problem;
    std::string hint;
};

using Check = std::optional<Failure>;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}

bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

bool is_alpha(char c) {
    return is_lower(c) || is_upper(c);
}

bool is_alnum(char c) {
    return is_alpha(c) || is_digit(c);
}

bool is_lower_alnum(char c) {
    return is_lower(c) || is_digit(c);
}

bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_lower_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

bool is_word(char c) {
    return is_alnum(c) || c == '_';
}

bool is_printable(char c) {
    return c >= ' ' && c <= '~';
}

char to_lower(char c) {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

// The text with control and non-ASCII bytes shown as \xNN, so an error message stays one clean line.
std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (is_printable(c) && c != '\\') {
            out += c;
        } else if (c == '\\') {
            out += "\\\\";
        } else {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

// "column 9 ('A')", or "column 17 (end of input)" when position is past the last character.
std::string describe_position(std::string_view text, std::size_t position) {
    if (position >= text.size()) {
        return fmt::format("column {} (end of input)", text.size() + 1);
    }
    const char c = text[position];
    if (is_printable(c)) {
        return fmt::format("column {} ('{}')", position + 1, c);
    }
    return fmt::format("column {} (byte 0x{:02x})", position + 1, static_cast<unsigned char>(c));
}

Error to_error(std::string_view what, std::string_view text, const Failure& failure, std::string_view default_hint) {
    std::string message = fmt::format("invalid {} \"{}\": {} at {}", what, printable(text), failure.problem,
                                      describe_position(text, failure.position));
    return usage_error(std::move(message), failure.hint.empty() ? std::string(default_hint) : failure.hint);
}

Failure invalid_character(std::string_view text, std::size_t position, std::string_view where) {
    if (text[position] == ' ' || text[position] == '\t') {
        return Failure{position, fmt::format("whitespace is not allowed in {}", where), {}};
    }
    return Failure{position, fmt::format("invalid character in {}", where), {}};
}

// One domain name (labels of letters, digits and inner '-', separated by '.'), ending at ':' or end.
Check check_domain_name(std::string_view text, std::size_t begin, std::size_t end, std::size_t& host_end) {
    std::size_t i = begin;
    while (true) {
        if (i == end || !is_alnum(text[i])) {
            if (i < end && text[i] != '.' && text[i] != ':' && text[i] != '-') {
                return invalid_character(text, i, "the registry host");
            }
            return Failure{i, "a registry host label must start with a letter or digit", {}};
        }
        while (i < end && (is_alnum(text[i]) || text[i] == '-')) {
            ++i;
        }
        if (text[i - 1] == '-') {
            return Failure{i - 1, "a registry host label must not end with '-'", {}};
        }
        if (i < end && text[i] == '.') {
            ++i;
            continue;
        }
        if (i < end && text[i] != ':') {
            return invalid_character(text, i, "the registry host");
        }
        host_end = i;
        return std::nullopt;
    }
}

// An IPv6 address between the brackets at [begin, end): hex groups of at most four digits, eight of
// them or fewer with a single "::". Zone identifiers and embedded IPv4 are not accepted.
Check check_ipv6(std::string_view text, std::size_t begin, std::size_t end) {
    std::size_t i = begin;
    std::size_t groups = 0;
    bool compressed = false;
    if (text.substr(i, 2) == "::" && i + 2 <= end) {
        compressed = true;
        i += 2;
    } else if (i < end && text[i] == ':') {
        return Failure{i, "an IPv6 address must not start with a single ':'", {}};
    }
    while (i < end) {
        const std::size_t group_start = i;
        while (i < end && is_hex(text[i])) {
            ++i;
        }
        if (i == group_start) {
            return invalid_character(text, i, "the IPv6 address");
        }
        if (i - group_start > k_max_ipv6_group_digits) {
            return Failure{group_start + k_max_ipv6_group_digits, "an IPv6 group has at most 4 hex digits", {}};
        }
        ++groups;
        if (i == end) {
            break;
        }
        if (text[i] != ':') {
            return invalid_character(text, i, "the IPv6 address");
        }
        ++i;
        if (i < end && text[i] == ':') {
            if (compressed) {
                return Failure{i, "'::' may appear only once in an IPv6 address", {}};
            }
            compressed = true;
            ++i;
        } else if (i == end) {
            return Failure{i - 1, "an IPv6 address must not end with a single ':'", {}};
        }
    }
    if (i == begin || (compressed ? groups >= k_max_ipv6_groups : groups != k_max_ipv6_groups)) {
        return Failure{end, "an IPv6 address needs 8 groups, or fewer with '::'", {}};
    }
    return std::nullopt;
}

// The registry part [0, end): a domain name or bracketed IPv6 address, then an optional :port.
Check check_registry(std::string_view text, std::size_t end) {
    std::size_t host_end = 0;
    if (text[0] == '[') {
        const std::size_t close = text.substr(0, end).find(']');
        if (close == std::string_view::npos) {
            return Failure{end, "the IPv6 address has no closing ']'", {}};
        }
        if (Check failure = check_ipv6(text, 1, close)) {
            return failure;
        }
        host_end = close + 1;
        if (host_end < end && text[host_end] != ':') {
            return invalid_character(text, host_end, "the registry (expected ':port' or '/')");
        }
    } else if (Check failure = check_domain_name(text, 0, end, host_end)) {
        return failure;
    }
    if (host_end == end) {
        return std::nullopt;
    }
    const std::size_t port_begin = host_end + 1;
    if (port_begin == end) {
        return Failure{port_begin, "the registry port is empty", {}};
    }
    unsigned port = 0;
    for (std::size_t i = port_begin; i < end; ++i) {
        if (!is_digit(text[i])) {
            return Failure{i, "the registry port must be a number", {}};
        }
        port = std::min(port * 10 + static_cast<unsigned>(text[i] - '0'), k_max_port + 1);
    }
    if (port == 0 || port > k_max_port) {
        return Failure{port_begin, "the registry port must be between 1 and 65535", {}};
    }
    return std::nullopt;
}

// The text with its repository part [begin, end) lowercased: the suggestion for an uppercase name.
std::string lowercase_suggestion(std::string_view text, std::size_t begin) {
    std::string out(text);
    const std::size_t end = std::min(out.find_first_of(":@", begin), out.size());
    std::transform(out.begin() + static_cast<std::ptrdiff_t>(begin), out.begin() + static_cast<std::ptrdiff_t>(end),
                   out.begin() + static_cast<std::ptrdiff_t>(begin), to_lower);
    return out;
}

Failure uppercase_failure(std::string_view text, std::size_t path_begin, std::size_t position) {
    return Failure{
        position, "repository must be lowercase",
        fmt::format("repository names are lowercase: use \"{}\"", printable(lowercase_suggestion(text, path_begin)))};
}

bool ends_path(char c) {
    return c == '/' || c == ':' || c == '@';
}

// The repository path from begin: components of [a-z0-9]+ joined by '.', '_', '__' or runs of '-',
// separated by '/'. Stops at ':', '@' or the end and stores that position in path_end.
Check check_path(std::string_view text, std::size_t begin, std::size_t& path_end) {
    std::size_t i = begin;
    while (true) {
        if (i == text.size() || ends_path(text[i])) {
            const bool empty = i == begin && (i == text.size() || text[i] != '/');
            return Failure{i, empty ? "the repository is empty" : "empty path component in the repository", {}};
        }
        while (true) {
            if (is_upper(text[i])) {
                return uppercase_failure(text, begin, i);
            }
            if (!is_lower_alnum(text[i])) {
                if (text[i] == '.' || text[i] == '_' || text[i] == '-') {
                    return Failure{i, "a path component must start with a lowercase letter or digit", {}};
                }
                return invalid_character(text, i, "the repository");
            }
            while (i < text.size() && is_lower_alnum(text[i])) {
                ++i;
            }
            if (i == text.size() || ends_path(text[i])) {
                break;
            }
            const std::size_t separator = i;
            if (text[i] == '.') {
                ++i;
            } else if (text[i] == '_') {
                i += text.substr(i, 2) == "__" ? 2 : 1;
            } else if (text[i] == '-') {
                while (i < text.size() && text[i] == '-') {
                    ++i;
                }
            } else if (is_upper(text[i])) {
                return uppercase_failure(text, begin, i);
            } else {
                return invalid_character(text, i, "the repository");
            }
            if (i == text.size() || ends_path(text[i])) {
                return Failure{separator, "a path component must end with a lowercase letter or digit", {}};
            }
            if (text[i] == '.' || text[i] == '_' || text[i] == '-') {
                return Failure{i, "invalid separator in the repository",
                               "separate words with one '.', one or two '_', or any number of '-'"};
            }
        }
        if (i < text.size() && text[i] == '/') {
            ++i;
            continue;
        }
        path_end = i;
        return std::nullopt;
    }
}

// A tag at [begin, end) of text.
Check check_tag(std::string_view text, std::size_t begin, std::size_t end) {
    if (begin == end) {
        return Failure{begin, "the tag is empty", {}};
    }
    if (!is_word(text[begin])) {
        if (text[begin] == '.' || text[begin] == '-') {
            return Failure{begin, "a tag must start with a letter, digit or '_'", {}};
        }
        return invalid_character(text, begin, "the tag");
    }
    for (std::size_t i = begin + 1; i < end; ++i) {
        if (!is_word(text[i]) && text[i] != '.' && text[i] != '-') {
            return invalid_character(text, i, "the tag");
        }
    }
    if (end - begin > k_max_tag_length) {
        return Failure{begin + k_max_tag_length, "a tag has at most 128 characters", {}};
    }
    return std::nullopt;
}

// A digest at [begin, end) of text: algorithm components [A-Za-z][A-Za-z0-9]* joined by [+._-],
// ':', then exactly the algorithm's number of lowercase hex characters.
Check check_digest(std::string_view text, std::size_t begin, std::size_t end) {
    if (begin == end) {
        return Failure{begin, "the digest is empty", {}};
    }
    std::size_t i = begin;
    while (true) {
        if (i == end) {
            return Failure{i, "the digest has no ':' after its algorithm", {}};
        }
        if (!is_alpha(text[i])) {
            return Failure{i, "a digest algorithm component must start with a letter", {}};
        }
        while (i < end && is_alnum(text[i])) {
            ++i;
        }
        if (i < end && text[i] == ':') {
            break;
        }
        if (i < end && (text[i] == '+' || text[i] == '.' || text[i] == '_' || text[i] == '-')) {
            ++i;
            continue;
        }
        if (i < end) {
            return invalid_character(text, i, "the digest algorithm");
        }
    }
    const std::string_view algorithm = text.substr(begin, i - begin);
    const auto* known = std::find_if(k_digest_algorithms.begin(), k_digest_algorithms.end(),
                                     [&](const DigestAlgorithm& candidate) { return candidate.name == algorithm; });
    if (known == k_digest_algorithms.end()) {
        return Failure{begin, fmt::format("unsupported digest algorithm '{}'", printable(algorithm)),
                       "pipe accepts sha256, sha384 and sha512 digests"};
    }
    const std::size_t hex_begin = i + 1;
    for (std::size_t j = hex_begin; j < end; ++j) {
        if (j - hex_begin == known->hex_length) {
            return Failure{
                j, fmt::format("a {} digest has exactly {} hex characters", known->name, known->hex_length), {}};
        }
        if (is_hex(text[j]) && !is_lower_hex(text[j])) {
            return Failure{j, "a digest must be lowercase hex", {}};
        }
        if (!is_lower_hex(text[j])) {
            return invalid_character(text, j, "the digest");
        }
    }
    if (end - hex_begin < known->hex_length) {
        return Failure{end,
                       fmt::format("a {} digest has exactly {} hex characters, this one has {}", known->name,
                                   known->hex_length, end - hex_begin),
                       {}};
    }
    return std::nullopt;
}

bool is_image_id(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), is_lower_hex);
}

// Docker's rule for whether the first component names a registry rather than a repository path.
bool looks_like_registry(std::string_view component) {
    return component == k_localhost || component.find_first_of(".:") != std::string_view::npos;
}

enum class Mode { reference, repository };

Result<ImageReference> parse(std::string_view text, Mode mode) {
    const std::string_view what = mode == Mode::reference ? "image reference" : "image repository";
    const std::string_view hint = mode == Mode::reference ? k_reference_hint : k_repository_hint;
    auto fail = [&](const Failure& failure) { return to_error(what, text, failure, hint); };

    if (text.empty()) {
        return usage_error(fmt::format("invalid {} \"\": it is empty", what), std::string(hint));
    }
    if (is_image_id(text)) {
        return fail(Failure{0, "a 64-character hex string is an image ID, not a name",
                            "to pin content use name@sha256:<digest>, e.g. \"alpine@sha256:...\""});
    }

    const std::size_t slash = text.find('/');
    const std::size_t at = text.find('@');
    const bool has_registry =
        slash != std::string_view::npos && slash < at && looks_like_registry(text.substr(0, slash));
    if (has_registry) {
        if (Check failure = check_registry(text, slash)) {
            return fail(*failure);
        }
    }

    const std::size_t path_begin = has_registry ? slash + 1 : 0;
    std::size_t path_end = 0;
    if (Check failure = check_path(text, path_begin, path_end)) {
        return fail(*failure);
    }

    ImageReference reference;
    std::size_t i = path_end;
    if (i < text.size() && text[i] == ':') {
        if (mode == Mode::repository) {
            return fail(Failure{i, "a tag is not allowed here",
                                "give only the repository (e.g. \"ghcr.io/acme/app\"): pipe computes the tags"});
        }
        const std::size_t tag_end = std::min(text.find('@', i + 1), text.size());
        if (Check failure = check_tag(text, i + 1, tag_end)) {
            return fail(*failure);
        }
        reference.tag = std::string(text.substr(i + 1, tag_end - i - 1));
        i = tag_end;
    }
    if (i < text.size()) {
        if (mode == Mode::repository) {
            return fail(
                Failure{i, "a digest is not allowed here", "give only the repository, e.g. \"ghcr.io/acme/app\""});
        }
        if (Check failure = check_digest(text, i + 1, text.size())) {
            return fail(*failure);
        }
        reference.digest = std::string(text.substr(i + 1));
    }

    reference.registry = has_registry ? std::string(text.substr(0, slash)) : std::string(k_docker_hub);
    if (reference.registry == k_legacy_docker_hub) {
        reference.registry = k_docker_hub;
    }
    reference.repository = std::string(text.substr(path_begin, path_end - path_begin));
    if (reference.registry == k_docker_hub && reference.repository.find('/') == std::string::npos) {
        reference.repository.insert(0, k_official_prefix);
    }

    const std::size_t name_length = reference.registry.size() + 1 + reference.repository.size();
    if (name_length > k_max_name_length) {
        // Point at the input character that the 256th character of the normalized name came from.
        const auto added = static_cast<std::ptrdiff_t>(name_length) - static_cast<std::ptrdiff_t>(path_end);
        const std::ptrdiff_t position = static_cast<std::ptrdiff_t>(k_max_name_length) - added;
        return fail(Failure{static_cast<std::size_t>(
                                std::clamp<std::ptrdiff_t>(position, 0, static_cast<std::ptrdiff_t>(path_end) - 1)),
                            fmt::format("the name is {} characters long once normalized, more than 255", name_length),
                            "shorten the repository path"});
    }
    return reference;
}

}  // namespace

std::string ImageReference::name() const {
    return registry + "/" + repository;
}

std::string ImageReference::string() const {
    std::string out = name();
    if (tag) {
        out += ":" + *tag;
    }
    if (digest) {
        out += "@" + *digest;
    }
    return out;
}

std::string ImageReference::familiar() const {
    std::string out;
    if (registry == k_docker_hub) {
        std::string_view path = repository;
        const std::string_view official = path.substr(std::min(k_official_prefix.size(), path.size()));
        if (path.substr(0, k_official_prefix.size()) == k_official_prefix &&
            official.find('/') == std::string_view::npos && !is_image_id(official)) {
            path = official;
        }
        // A first component that reads as a registry, or a lone image ID, would parse differently.
        const std::string_view first = path.substr(0, path.find('/'));
        const bool ambiguous = path.find('/') != std::string_view::npos && looks_like_registry(first);
        out = ambiguous ? name() : std::string(path);
    } else {
        out = name();
    }
    if (tag) {
        out += ":" + *tag;
    }
    if (digest) {
        out += "@" + *digest;
    }
    return out;
}

Result<ImageReference> ImageReference::with_tag(std::string_view new_tag) const {
    Result<void> valid = validate_tag(new_tag);
    if (!valid) {
        return valid.error();
    }
    ImageReference copy = *this;
    copy.tag = std::string(new_tag);
    return copy;
}

Result<ImageReference> ImageReference::with_digest(std::string_view new_digest) const {
    Result<void> valid = validate_digest(new_digest);
    if (!valid) {
        return valid.error();
    }
    ImageReference copy = *this;
    copy.digest = std::string(new_digest);
    return copy;
}

std::string ImageReference::api_host() const {
    return registry == k_docker_hub ? std::string(k_docker_hub_api_host) : registry;
}

std::string ImageReference::manifest_reference() const {
    if (digest) {
        return *digest;
    }
    return tag ? *tag : std::string(k_default_tag);
}

Result<ImageReference> parse_reference(std::string_view text) {
    return parse(text, Mode::reference);
}

Result<ImageReference> parse_repository(std::string_view text) {
    return parse(text, Mode::repository);
}

Result<void> validate_tag(std::string_view tag) {
    if (Check failure = check_tag(tag, 0, tag.size())) {
        return to_error("tag", tag, *failure, k_tag_hint);
    }
    return {};
}

Result<void> validate_digest(std::string_view digest) {
    if (Check failure = check_digest(digest, 0, digest.size())) {
        return to_error("digest", digest, *failure, k_digest_hint);
    }
    return {};
}

}  // namespace pipeline::oci
