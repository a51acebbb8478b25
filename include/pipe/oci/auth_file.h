// PrivateAuthFile: the one way registry credentials reach child tools. buildah, skopeo and podman
// read REGISTRY_AUTH_FILE; cosign and trivy (go-containerregistry) ignore it and read
// $DOCKER_CONFIG/config.json. So pipe writes the same docker-format file twice into a private
// temporary directory and points both variables at it; nothing secret is ever on a command line.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/oci/credentials.h>
#include <pipe/oci/reference.h>
#include <pipe/proc/command.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::oci {

// Credentials for one registry, or for one repository inside it when repository is set.
struct RegistryLogin {
    std::string registry;    // any alias or URL form; normalized when written
    std::string repository;  // empty for the whole registry
    Credentials credentials;
};

// A temporary directory (mode 0700) holding auth.json and config.json (mode 0600), removed when
// the object is destroyed, including while an error or interrupt unwinds to main(). Move-only.
// A default-constructed (or anonymous) one wrote nothing and sets no variables.
class PrivateAuthFile {
public:
    PrivateAuthFile() = default;
    ~PrivateAuthFile();
    PrivateAuthFile(PrivateAuthFile&& other) noexcept;
    PrivateAuthFile& operator=(PrivateAuthFile&& other) noexcept;
    PrivateAuthFile(const PrivateAuthFile&) = delete;
    PrivateAuthFile& operator=(const PrivateAuthFile&) = delete;

    // Writes {"auths": {key: {"auth": base64(user:password)[, "identitytoken"]}}} for every login
    // that is not anonymous, under parent (empty: the system temp directory, honouring TMPDIR).
    // Docker Hub is written under both "docker.io" and "https://index.docker.io/v1/" so that
    // containers/image and docker-style readers both find it. Nothing is written when every
    // login is anonymous. Filesystem failures are runtime errors that name the path.
    static Result<PrivateAuthFile> create(const std::vector<RegistryLogin>& logins,
                                          const std::filesystem::path& parent = {});

    // Resolves the credentials of each image's registry (host-level) and writes them with
    // create(); an image whose repository resolves to other credentials (a namespace key) gets a
    // repository-specific key as well.
    static Result<PrivateAuthFile> for_images(CredentialResolver& resolver, const std::vector<ImageReference>& images,
                                              const std::filesystem::path& parent = {});

    // Whether a file was written (false when all credentials were anonymous).
    bool written() const { return !m_directory.empty(); }

    // The private directory (DOCKER_CONFIG), empty when nothing was written.
    const std::filesystem::path& directory() const { return m_directory; }

    // <directory>/auth.json, the REGISTRY_AUTH_FILE.
    std::filesystem::path auth_json() const;

    // <directory>/config.json, the same content for go-containerregistry's DOCKER_CONFIG lookup.
    std::filesystem::path config_json() const;

    // REGISTRY_AUTH_FILE and DOCKER_CONFIG for a child tool; empty when nothing was written.
    const Environment& environment() const { return m_environment; }

    // Adds environment() to command.env (paths only; the secrets stay in the files).
    void apply_to(proc::Command& command) const;

    // The sources of the credentials written, one per login, for --verbose ("ghcr.io: environment GITHUB_TOKEN").
    const std::vector<std::string>& sources() const { return m_sources; }

private:
    void remove() noexcept;

    std::filesystem::path m_directory;
    Environment m_environment;
    std::vector<std::string> m_sources;
};

}  // namespace pipeline::oci
