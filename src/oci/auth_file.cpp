#include <pipe/oci/auth_file.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace pipeline::oci {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_auth_json = "auth.json";
constexpr std::string_view k_config_json = "config.json";
constexpr std::string_view k_token_username = "<token>";
constexpr mode_t k_file_mode = 0600;

std::string errno_text(int error) {
    return std::error_code(error, std::generic_category()).message();
}

// The auths keys one login is written under: Docker Hub under the spelling of each reader.
std::vector<std::string> keys_for(const RegistryLogin& login) {
    const std::string host = normalize_registry_host(login.registry);
    if (host != k_docker_hub) {
        return {login.repository.empty() ? host : host + "/" + login.repository};
    }
    if (login.repository.empty()) {
        return {std::string(k_docker_hub), std::string(k_docker_hub_auth_key)};
    }
    return {std::string(k_docker_hub) + "/" + login.repository, "index.docker.io/" + login.repository};
}

nlohmann::json entry_for(const Credentials& credentials) {
    nlohmann::json entry = nlohmann::json::object();
    if (credentials.identity_token.empty()) {
        entry["auth"] = encode_base64(credentials.username + ":" + credentials.password.reveal());
    } else {
        // containers/image only reads identitytoken next to an auth that decodes to "user:".
        const std::string username =
            credentials.username.empty() ? std::string(k_token_username) : credentials.username;
        entry["auth"] = encode_base64(username + ":");
        entry["identitytoken"] = credentials.identity_token.reveal();
    }
    return entry;
}

// Writes text to a new file with mode 0600 (O_EXCL: never through an existing file or link).
Result<void> write_private(const fs::path& path, std::string_view text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, k_file_mode);
    if (fd < 0) {
        return runtime_error(fmt::format("cannot create {}: {}", path.string(), errno_text(errno)),
                             "check that the temporary directory (TMPDIR) is writable");
    }
    int error = ::fchmod(fd, k_file_mode) == 0 ? 0 : errno;
    while (error == 0 && !text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0) {
            if (errno != EINTR) {
                error = errno;
            }
            continue;
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    if (::close(fd) != 0 && error == 0) {
        error = errno;
    }
    if (error != 0) {
        return runtime_error(fmt::format("cannot write {}: {}", path.string(), errno_text(error)),
                             "check free space and permissions of the temporary directory (TMPDIR)");
    }
    return {};
}

}  // namespace

PrivateAuthFile::~PrivateAuthFile() {
    remove();
}

PrivateAuthFile::PrivateAuthFile(PrivateAuthFile&& other) noexcept
    : m_directory(std::exchange(other.m_directory, {})),
      m_environment(std::exchange(other.m_environment, {})),
      m_sources(std::exchange(other.m_sources, {})) {}

PrivateAuthFile& PrivateAuthFile::operator=(PrivateAuthFile&& other) noexcept {
    if (this != &other) {
        remove();
        m_directory = std::exchange(other.m_directory, {});
        m_environment = std::exchange(other.m_environment, {});
        m_sources = std::exchange(other.m_sources, {});
    }
    return *this;
}

void PrivateAuthFile::remove() noexcept {
    if (m_directory.empty()) {
        return;
    }
    std::error_code ignored;
    fs::remove_all(m_directory, ignored);
    m_directory.clear();
    m_environment.clear();
}

fs::path PrivateAuthFile::auth_json() const {
    return m_directory.empty() ? fs::path() : m_directory / k_auth_json;
}

fs::path PrivateAuthFile::config_json() const {
    return m_directory.empty() ? fs::path() : m_directory / k_config_json;
}

void PrivateAuthFile::apply_to(proc::Command& command) const {
    for (const auto& [name, value] : m_environment) {
        command.env.insert_or_assign(name, value);
    }
}

Result<PrivateAuthFile> PrivateAuthFile::create(const std::vector<RegistryLogin>& logins, const fs::path& parent) {
    nlohmann::json auths = nlohmann::json::object();
    std::vector<std::string> sources;
    for (const RegistryLogin& login : logins) {
        if (login.credentials.anonymous()) {
            continue;
        }
        for (const std::string& key : keys_for(login)) {
            auths[key] = entry_for(login.credentials);
        }
        const std::string scope = login.repository.empty()
                                      ? normalize_registry_host(login.registry)
                                      : normalize_registry_host(login.registry) + "/" + login.repository;
        sources.push_back(fmt::format("{}: {}", scope, login.credentials.source));
    }
    PrivateAuthFile file;
    if (auths.empty()) {
        return file;
    }

    std::error_code error;
    const fs::path base = parent.empty() ? fs::temp_directory_path(error) : parent;
    if (error) {
        return runtime_error("cannot find the temporary directory: " + error.message(),
                             "set TMPDIR to a writable directory");
    }
    std::string pattern = (base / "pipe-auth-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return runtime_error(
            fmt::format("cannot create a private directory under {}: {}", base.string(), errno_text(errno)),
            "set TMPDIR to a writable directory");
    }
    file.m_directory = pattern;
    if (::chmod(file.m_directory.c_str(), S_IRWXU) != 0) {
        return runtime_error(fmt::format("cannot restrict {} to its owner: {}", pattern, errno_text(errno)));
    }

    const std::string content = nlohmann::json{{"auths", auths}}.dump(2) + "\n";
    for (std::string_view name : {k_auth_json, k_config_json}) {
        if (Result<void> written = write_private(file.m_directory / name, content); !written) {
            return written.error();
        }
    }
    file.m_environment.emplace("REGISTRY_AUTH_FILE", file.auth_json().string());
    file.m_environment.emplace("DOCKER_CONFIG", file.m_directory.string());
    file.m_sources = std::move(sources);
    return file;
}

Result<PrivateAuthFile> PrivateAuthFile::for_images(CredentialResolver& resolver,
                                                    const std::vector<ImageReference>& images, const fs::path& parent) {
    std::vector<RegistryLogin> logins;
    std::map<std::string, Credentials, std::less<>> host_credentials;
    std::set<std::string, std::less<>> seen;
    for (const ImageReference& image : images) {
        const std::string host = normalize_registry_host(image.registry);
        if (!seen.insert(host + "/" + image.repository).second) {
            continue;
        }
        auto host_entry = host_credentials.find(host);
        if (host_entry == host_credentials.end()) {
            Result<Credentials> for_host = resolver.resolve(host);
            if (!for_host) {
                return for_host.error();
            }
            host_entry = host_credentials.emplace(host, *for_host).first;
            logins.push_back(RegistryLogin{host, {}, std::move(*for_host)});
        }
        Result<Credentials> for_image = resolver.resolve(image);
        if (!for_image) {
            return for_image.error();
        }
        const Credentials& shared = host_entry->second;
        const bool same = shared.username == for_image->username && shared.password == for_image->password &&
                          shared.identity_token == for_image->identity_token;
        if (!same) {
            logins.push_back(RegistryLogin{host, image.repository, std::move(*for_image)});
        }
    }
    return create(logins, parent);
}

}  // namespace pipeline::oci
