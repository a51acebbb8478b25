// Credential data: host normalisation, base64, and the auth file parser and key matching.
#include <pipe/oci/credentials.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <tuple>
#include <utility>

namespace pipeline::oci {
namespace {

constexpr std::array<std::string_view, 3> k_docker_hub_aliases{"docker.io", "index.docker.io", "registry-1.docker.io"};
constexpr std::string_view k_token_username = "<token>";  // the user docker records next to a bare identity token
constexpr std::string_view k_base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view k_fix_hint =
    "fix the file (log in again with `buildah login` or `docker login` to rewrite it), or point "
    "REGISTRY_AUTH_FILE / DOCKER_CONFIG elsewhere";

char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (to_lower(text[i]) != prefix[i]) {
            return false;
        }
    }
    return true;
}

// A key or host with control and non-ASCII bytes escaped, for one-line messages.
std::string printable(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
            out += c;
        } else {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

// An `auths` or `credHelpers` key taken apart: normalized host, path inside it, and whether it
// was URL-shaped (scheme present, so the path is an API path like /v1/ and is ignored).
struct KeyParts {
    std::string host;
    std::string path;
    bool url = false;
};

std::string normalize_host_only(std::string_view host) {
    std::string out;
    out.reserve(host.size());
    for (char c : host) {
        out += to_lower(c);
    }
    if (std::find(k_docker_hub_aliases.begin(), k_docker_hub_aliases.end(), out) != k_docker_hub_aliases.end()) {
        return std::string(k_docker_hub);
    }
    return out;
}

KeyParts split_key(std::string_view key) {
    key = trim(key);
    KeyParts parts;
    for (std::string_view scheme : {std::string_view("https://"), std::string_view("http://")}) {
        if (starts_with_ignoring_case(key, scheme)) {
            key.remove_prefix(scheme.size());
            parts.url = true;
            break;
        }
    }
    const std::size_t slash = key.find('/');
    parts.host = normalize_host_only(key.substr(0, slash));
    if (!parts.url && slash != std::string_view::npos) {
        std::string_view path = key.substr(slash + 1);
        while (!path.empty() && path.back() == '/') {
            path.remove_suffix(1);
        }
        parts.path = std::string(path);
    }
    return parts;
}

std::size_t path_depth(std::string_view path) {
    return path.empty() ? 0 : static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')) + 1;
}

// Whether a key's path covers repository: equal, or a prefix ending at a component boundary.
bool path_covers(std::string_view path, std::string_view repository) {
    if (path.empty()) {
        return true;
    }
    if (repository.size() < path.size() || repository.substr(0, path.size()) != path) {
        return false;
    }
    return repository.size() == path.size() || repository[path.size()] == '/';
}

std::string json_type(const nlohmann::json& value) {
    return value.type_name();
}

// nlohmann's description of a syntax error without the "last read: '...'" part, which quotes
// file content and so could quote a password.
std::string syntax_problem(std::string_view what) {
    constexpr std::string_view k_marker = "syntax error while parsing";
    const std::size_t begin = what.find(k_marker);
    if (begin == std::string_view::npos) {
        return "invalid JSON";
    }
    std::string_view problem = what.substr(begin);
    problem = problem.substr(0, problem.find("; last read"));
    return "invalid JSON: " + std::string(problem);
}

// "path:line:column" for a byte offset (nlohmann counts the character it stopped at, from 1).
std::string position(const std::filesystem::path& path, std::string_view text, std::size_t byte) {
    const std::size_t offset = std::min(byte > 0 ? byte - 1 : 0, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
    const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    return fmt::format("{}:{}:{}", path.string(), line, offset - line_start + 1);
}

Result<std::string> string_field(const std::filesystem::path& path, const nlohmann::json& object,
                                 std::string_view field, const std::string& what) {
    const auto found = object.find(field);
    if (found == object.end() || found->is_null()) {
        return std::string();
    }
    if (!found->is_string()) {
        return config_error(path.string(),
                            fmt::format("{}.{} must be a string, not {}", what, field, json_type(*found)),
                            std::string(k_fix_hint));
    }
    return found->get<std::string>();
}

Result<AuthEntry> decode_entry(const std::filesystem::path& path, const std::string& key, const nlohmann::json& value,
                               const std::string& map_name) {
    const std::string what = fmt::format("{}[\"{}\"]", map_name, printable(key));
    if (!value.is_object()) {
        return config_error(path.string(), fmt::format("{} must be an object, not {}", what, json_type(value)),
                            std::string(k_fix_hint));
    }
    Result<std::string> auth = string_field(path, value, "auth", what);
    Result<std::string> username = string_field(path, value, "username", what);
    Result<std::string> password = string_field(path, value, "password", what);
    Result<std::string> identity_token = string_field(path, value, "identitytoken", what);
    for (const Result<std::string>* field : {&auth, &username, &password, &identity_token}) {
        if (!field->has_value()) {
            return field->error();
        }
    }

    AuthEntry entry;
    entry.identity_token = Secret(std::move(*identity_token));
    if (auth->empty()) {
        entry.username = std::move(*username);
        entry.password = Secret(std::move(*password));
        return entry;
    }
    std::optional<std::string> decoded = decode_base64(*auth);
    if (!decoded) {
        return config_error(path.string(), fmt::format("{}.auth is not valid base64", what),
                            "`auth` holds base64(\"username:password\"); " + std::string(k_fix_hint));
    }
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) {
        return config_error(path.string(), fmt::format("{}.auth does not decode to \"username:password\"", what),
                            "`auth` holds base64(\"username:password\"); " + std::string(k_fix_hint));
    }
    entry.username = decoded->substr(0, colon);
    if (entry.username == k_token_username && !entry.identity_token.empty()) {
        entry.username.clear();
    }
    std::string secret = decoded->substr(colon + 1);
    const std::size_t first = secret.find_first_not_of('\0');
    const std::size_t last = secret.find_last_not_of('\0');
    secret = first == std::string::npos ? std::string() : secret.substr(first, last - first + 1);
    entry.password = Secret(std::move(secret));
    return entry;
}

// A helper suffix becomes part of a program name looked up on PATH, so it must stay a plain word.
bool is_valid_helper_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    }) && name.front() != '.';
}

Result<void> check_helper_name(const std::filesystem::path& path, std::string_view name, const std::string& what) {
    if (is_valid_helper_name(name)) {
        return {};
    }
    return config_error(path.string(),
                        fmt::format("{} names an invalid credential helper \"{}\"", what, printable(name)),
                        "a helper is given by its suffix: \"ecr-login\" runs docker-credential-ecr-login");
}

Result<AuthFile> parse_config_sections(AuthFile file, const nlohmann::json& document) {
    const std::filesystem::path& path = file.path;
    if (const auto helpers = document.find("credHelpers"); helpers != document.end() && !helpers->is_null()) {
        if (!helpers->is_object()) {
            return config_error(path.string(),
                                fmt::format("credHelpers must be an object, not {}", json_type(*helpers)),
                                std::string(k_fix_hint));
        }
        for (const auto& [key, value] : helpers->items()) {
            const std::string what = fmt::format("credHelpers[\"{}\"]", printable(key));
            if (!value.is_string()) {
                return config_error(path.string(), fmt::format("{} must be a string, not {}", what, json_type(value)),
                                    std::string(k_fix_hint));
            }
            std::string helper = value.get<std::string>();
            if (helper.empty()) {
                continue;
            }
            if (Result<void> valid = check_helper_name(path, helper, what); !valid) {
                return valid.error();
            }
            file.cred_helpers.emplace(key, std::move(helper));
        }
    }
    if (const auto store = document.find("credsStore"); store != document.end() && !store->is_null()) {
        if (!store->is_string()) {
            return config_error(path.string(), fmt::format("credsStore must be a string, not {}", json_type(*store)),
                                std::string(k_fix_hint));
        }
        file.creds_store = store->get<std::string>();
        if (!file.creds_store.empty()) {
            if (Result<void> valid = check_helper_name(path, file.creds_store, "credsStore"); !valid) {
                return valid.error();
            }
        }
    }
    return file;
}

}  // namespace

std::string describe(const Credentials& credentials) {
    if (credentials.anonymous()) {
        return credentials.source;
    }
    const std::string who = credentials.username.empty() ? std::string("no username")
                                                         : fmt::format("user \"{}\"", printable(credentials.username));
    const char* kind = credentials.identity_token.empty() ? "password" : "identity token";
    return fmt::format("{} with {} {} from {}", who, kind, k_masked, credentials.source);
}

std::string normalize_registry_host(std::string_view text) {
    return split_key(text).host;
}

std::string docker_server_url(std::string_view registry) {
    std::string host = normalize_registry_host(registry);
    return host == k_docker_hub ? std::string(k_docker_hub_auth_key) : host;
}

std::string encode_base64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned group = (static_cast<unsigned char>(bytes[i]) << 16U) |
                               (static_cast<unsigned char>(bytes[i + 1]) << 8U) |
                               static_cast<unsigned char>(bytes[i + 2]);
        out += k_base64_alphabet[(group >> 18U) & 0x3FU];
        out += k_base64_alphabet[(group >> 12U) & 0x3FU];
        out += k_base64_alphabet[(group >> 6U) & 0x3FU];
        out += k_base64_alphabet[group & 0x3FU];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned group = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
        if (rest == 2) {
            group |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
        }
        out += k_base64_alphabet[(group >> 18U) & 0x3FU];
        out += k_base64_alphabet[(group >> 12U) & 0x3FU];
        out += rest == 2 ? k_base64_alphabet[(group >> 6U) & 0x3FU] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
    std::size_t padding = 0;
    while (!text.empty() && text.back() == '=' && padding < 2) {
        text.remove_suffix(1);
        ++padding;
    }
    if (text.size() % 4 == 1 || (padding > 0 && (text.size() + padding) % 4 != 0)) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned buffer = 0;
    unsigned bits = 0;
    for (char c : text) {
        const std::size_t value = k_base64_alphabet.find(c);
        if (value == std::string_view::npos) {
            return std::nullopt;
        }
        buffer = (buffer << 6U) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFFU);
        }
    }
    return out;
}

Result<AuthFile> parse_auth_file(std::string_view text, const std::filesystem::path& path, AuthFileFormat format) {
    AuthFile file;
    file.path = path;
    if (trim(text).empty()) {
        return file;
    }
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        return config_error(
            position(path, text, e.byte), syntax_problem(e.what()),
            "fix the JSON syntax (`python3 -m json.tool FILE` shows it), or log in again to rewrite it");
    } catch (const nlohmann::json::exception&) {
        return config_error(path.string(), "invalid JSON", std::string(k_fix_hint));
    }
    if (!document.is_object()) {
        return config_error(path.string(), fmt::format("expected a JSON object, found {}", json_type(document)),
                            std::string(k_fix_hint));
    }

    const nlohmann::json* auths = &document;
    std::string map_name = "entry";
    if (format == AuthFileFormat::config) {
        const auto found = document.find("auths");
        auths = found == document.end() || found->is_null() ? nullptr : &*found;
        map_name = "auths";
        if (auths != nullptr && !auths->is_object()) {
            return config_error(path.string(), fmt::format("auths must be an object, not {}", json_type(*auths)),
                                std::string(k_fix_hint));
        }
    }
    if (auths != nullptr) {
        for (const auto& [key, value] : auths->items()) {
            Result<AuthEntry> entry = decode_entry(path, key, value, map_name);
            if (!entry) {
                return entry.error();
            }
            file.auths.emplace(key, std::move(*entry));
        }
    }
    if (format == AuthFileFormat::legacy) {
        return file;
    }
    return parse_config_sections(std::move(file), document);
}

std::optional<std::string> find_auth_key(const AuthFile& file, std::string_view registry, std::string_view repository) {
    const std::string host = normalize_registry_host(registry);
    std::optional<std::string> best;
    std::tuple<std::size_t, bool, bool> best_rank{};
    for (const auto& [key, entry] : file.auths) {
        if (!entry.has_credentials()) {
            continue;
        }
        const KeyParts parts = split_key(key);
        if (parts.host != host || !path_covers(parts.path, repository)) {
            continue;
        }
        const std::tuple<std::size_t, bool, bool> rank{path_depth(parts.path), !parts.url, key == registry};
        if (!best || rank > best_rank) {
            best = key;
            best_rank = rank;
        }
    }
    return best;
}

std::optional<HelperChoice> find_credential_helper(const AuthFile& file, std::string_view registry) {
    const std::string host = normalize_registry_host(registry);
    std::optional<HelperChoice> found;
    for (const auto& [key, helper] : file.cred_helpers) {
        const KeyParts parts = split_key(key);
        if (parts.host != host || !parts.path.empty()) {
            continue;
        }
        if (!found || key == registry) {
            found = HelperChoice{helper, fmt::format("credHelpers[\"{}\"]", printable(key))};
        }
    }
    if (!found && !file.creds_store.empty()) {
        found = HelperChoice{file.creds_store, "credsStore"};
    }
    return found;
}

}  // namespace pipeline::oci
