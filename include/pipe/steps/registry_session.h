// Everything a step needs to reach a service's registries, set up once: the HTTP client with
// the service's TLS settings, the credential resolver, the registry client, and for child
// tools the private auth file and a certificate directory, so pipe and buildah (later trivy
// and cosign) see the same registries with the same credentials and trust.
#pragma once

#include <pipe/config/config.h>
#include <pipe/core/result.h>
#include <pipe/http/curl_client.h>
#include <pipe/oci/auth_file.h>
#include <pipe/oci/credentials.h>
#include <pipe/oci/registry_client.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/steps/workspace.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// Command-line registry settings; they replace the configured ones for every selected service.
struct RegistryOverrides {
    bool insecure = false;  // --insecure-registry
    std::string ca_file;    // --ca-file, relative to the current directory
};

// Applies the overrides (origin "--insecure-registry", "--ca-file"); a CA file that does not
// exist is a usage error naming the flag.
Result<void> apply_registry_overrides(Workspace& workspace, const RegistryOverrides& overrides);

// The registry connections of one service for one step. Not movable: the client refers to its
// siblings.
class RegistrySession {
public:
    // Sets up the session for settings (ca_file relative to root); a configured CA file that does
    // not exist is a config error at its origin. trace receives one line per request (may be empty).
    static Result<std::unique_ptr<RegistrySession>> open(const Workspace& workspace,
                                                         const config::ServiceConfig& service, proc::Runner& runner,
                                                         std::function<void(std::string_view)> trace);

    RegistrySession(const RegistrySession&) = delete;
    RegistrySession& operator=(const RegistrySession&) = delete;
    RegistrySession(RegistrySession&&) = delete;
    RegistrySession& operator=(RegistrySession&&) = delete;
    ~RegistrySession();

    oci::RegistryClient& client() { return *m_client; }
    oci::CredentialResolver& credentials() { return m_credentials; }
    bool insecure() const { return m_insecure; }

    // Writes the private auth file for these images (once; later calls return the same file).
    Result<const oci::PrivateAuthFile*> auth_file(const std::vector<oci::ImageReference>& images);

    // A directory holding the CA file as ca.crt, for buildah's --cert-dir; empty without a CA file.
    Result<std::filesystem::path> cert_dir();

private:
    RegistrySession(Environment env, proc::Runner& runner, bool insecure, std::filesystem::path ca_file);

    oci::CredentialResolver m_credentials;
    http::CurlClient m_http;
    std::unique_ptr<oci::RegistryClient> m_client;
    bool m_insecure;
    std::filesystem::path m_ca_file;
    std::unique_ptr<oci::PrivateAuthFile> m_auth_file;
    ScratchDirectory m_scratch;
    std::filesystem::path m_cert_dir;
};

}  // namespace pipeline::steps
