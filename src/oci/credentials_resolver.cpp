// Which credentials apply to a registry: environment, auth files and their helpers, GITHUB_TOKEN,
// anonymous, in that order.
#include <pipe/core/file_text.h>
#include <pipe/oci/credentials.h>

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace pipeline::oci {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_github_registry = "ghcr.io";
constexpr std::string_view k_github_default_user = "x-access-token";

// The file's text, nullopt when it does not exist, or an error when it exists but cannot be read.
Result<std::optional<std::string>> read_if_present(const fs::path& path) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found) {
        return std::optional<std::string>();
    }
    if (error) {
        return config_error(path.string(), "cannot read the auth file: " + error.message(),
                            "fix its permissions, or point REGISTRY_AUTH_FILE / DOCKER_CONFIG elsewhere");
    }
    if (fs::is_directory(status)) {
        return config_error(path.string(), "the auth file is a directory",
                            "remove it, or point REGISTRY_AUTH_FILE / DOCKER_CONFIG elsewhere");
    }
    std::optional<std::string> text = read_file_text(path);
    if (!text) {
        return config_error(path.string(), fmt::format("cannot read the auth file: {}", std::strerror(errno)),
                            "fix its permissions, or point REGISTRY_AUTH_FILE / DOCKER_CONFIG elsewhere");
    }
    return text;
}

std::string non_empty(const Environment& env, std::string_view name) {
    return value_or(env, name, {});
}

}  // namespace

std::vector<std::pair<fs::path, AuthFileFormat>> auth_file_locations(const Environment& env) {
    std::vector<std::pair<fs::path, AuthFileFormat>> files;
    if (const std::string explicit_file = non_empty(env, "REGISTRY_AUTH_FILE"); !explicit_file.empty()) {
        files.emplace_back(explicit_file, AuthFileFormat::config);
        return files;
    }
    const std::string home = non_empty(env, "HOME");
    if (const std::string runtime_dir = non_empty(env, "XDG_RUNTIME_DIR"); !runtime_dir.empty()) {
        files.emplace_back(fs::path(runtime_dir) / "containers" / "auth.json", AuthFileFormat::config);
    } else {
        files.emplace_back(fs::path("/run/containers") / std::to_string(::getuid()) / "auth.json",
                           AuthFileFormat::config);
    }
    if (const std::string config_home = non_empty(env, "XDG_CONFIG_HOME"); !config_home.empty()) {
        files.emplace_back(fs::path(config_home) / "containers" / "auth.json", AuthFileFormat::config);
    } else if (!home.empty()) {
        files.emplace_back(fs::path(home) / ".config" / "containers" / "auth.json", AuthFileFormat::config);
    }
    if (const std::string docker_config = non_empty(env, "DOCKER_CONFIG"); !docker_config.empty()) {
        files.emplace_back(fs::path(docker_config) / "config.json", AuthFileFormat::config);
    } else if (!home.empty()) {
        files.emplace_back(fs::path(home) / ".docker" / "config.json", AuthFileFormat::config);
    }
    if (!home.empty()) {
        files.emplace_back(fs::path(home) / ".dockercfg", AuthFileFormat::legacy);
    }
    return files;
}

Result<Credentials> CredentialResolver::resolve(std::string_view registry_text, std::string_view repository) {
    const std::string registry = normalize_registry_host(registry_text);
    if (registry.empty()) {
        return usage_error("cannot look up credentials for an empty registry name",
                           "give a registry host such as \"ghcr.io\" or \"127.0.0.1:5000\"");
    }
    const std::string cache_key = registry + "/" + std::string(repository);
    if (const auto cached = m_cache.find(cache_key); cached != m_cache.end()) {
        return cached->second;
    }

    Result<std::optional<Credentials>> found = from_environment(registry);
    if (found && !found->has_value()) {
        found = from_auth_files(registry, repository);
    }
    if (!found) {
        return found.error();
    }
    Credentials credentials;
    if (found->has_value()) {
        credentials = std::move(**found);
    } else if (const std::string token = non_empty(m_env, "GITHUB_TOKEN");
               registry == k_github_registry && !token.empty()) {
        credentials.username = value_or(m_env, "GITHUB_ACTOR", std::string(k_github_default_user));
        credentials.password = Secret(token);
        credentials.source = "environment GITHUB_TOKEN";
    } else {
        credentials.source =
            fmt::format("anonymous (no credentials for {} in the environment or the auth files)", registry);
    }
    m_cache.emplace(cache_key, credentials);
    return credentials;
}

Result<std::optional<Credentials>> CredentialResolver::from_environment(const std::string& registry) const {
    const std::string username = non_empty(m_env, "PIPE_REGISTRY_USERNAME");
    const std::string password = non_empty(m_env, "PIPE_REGISTRY_PASSWORD");
    if (username.empty() && password.empty()) {
        return std::optional<Credentials>();
    }
    if (username.empty() || password.empty()) {
        return config_error("environment",
                            fmt::format("{} is set but {} is not",
                                        username.empty() ? "PIPE_REGISTRY_PASSWORD" : "PIPE_REGISTRY_USERNAME",
                                        username.empty() ? "PIPE_REGISTRY_USERNAME" : "PIPE_REGISTRY_PASSWORD"),
                            "set both PIPE_REGISTRY_USERNAME and PIPE_REGISTRY_PASSWORD, or neither");
    }
    if (const std::string scope = non_empty(m_env, "PIPE_REGISTRY");
        !scope.empty() && normalize_registry_host(scope) != registry) {
        return std::optional<Credentials>();
    }
    Credentials credentials;
    credentials.username = username;
    credentials.password = Secret(password);
    credentials.source = "environment PIPE_REGISTRY_USERNAME/PIPE_REGISTRY_PASSWORD";
    return std::optional<Credentials>(std::move(credentials));
}

Result<std::optional<Credentials>> CredentialResolver::from_auth_files(const std::string& registry,
                                                                       std::string_view repository) {
    for (const auto& [path, format] : auth_file_locations(m_env)) {
        Result<std::optional<std::string>> text = read_if_present(path);
        if (!text) {
            return text.error();
        }
        if (!text->has_value()) {
            continue;
        }
        Result<AuthFile> file = parse_auth_file(**text, path, format);
        if (!file) {
            return file.error();
        }
        if (std::optional<HelperChoice> choice = find_credential_helper(*file, registry)) {
            Result<std::optional<Credentials>> answer =
                from_helper(choice->helper, registry, fmt::format("{} in {}", choice->setting, path.string()));
            if (!answer || answer->has_value()) {
                return answer;
            }
        }
        if (std::optional<std::string> key = find_auth_key(*file, registry, repository)) {
            const AuthEntry& entry = file->auths.find(*key)->second;
            Credentials credentials;
            credentials.username = entry.username;
            credentials.password = entry.password;
            credentials.identity_token = entry.identity_token;
            credentials.source = *key == registry ? fmt::format("auth file {}", path.string())
                                                  : fmt::format("auth file {} (key \"{}\")", path.string(), *key);
            return std::optional<Credentials>(std::move(credentials));
        }
    }
    return std::optional<Credentials>();
}

Result<std::optional<Credentials>> CredentialResolver::from_helper(const std::string& helper,
                                                                   const std::string& registry,
                                                                   const std::string& origin) {
    const std::string server_url = docker_server_url(registry);
    const std::string cache_key = helper + " " + server_url;
    if (const auto cached = m_helper_cache.find(cache_key); cached != m_helper_cache.end()) {
        return cached->second;
    }
    Result<std::optional<Credentials>> answer = run_credential_helper(*m_runner, m_env, helper, server_url);
    if (!answer) {
        Error error = answer.error();
        if (error.kind != ErrorKind::interrupted) {
            error.message += fmt::format(" (configured by {})", origin);
        }
        return error;
    }
    if (answer->has_value()) {
        (*answer)->source += fmt::format(" ({})", origin);
    }
    m_helper_cache.emplace(cache_key, *answer);
    return answer;
}

}  // namespace pipeline::oci
