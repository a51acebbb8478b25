#include <pipe/steps/registry_session.h>

#include <fmt/format.h>

namespace pipeline::steps {
namespace {

std::filesystem::path resolve_ca_file(const std::filesystem::path& root, const std::string& path) {
    if (path.empty()) {
        return {};
    }
    const std::filesystem::path given(path);
    return given.is_absolute() ? given : (root / given).lexically_normal();
}

}  // namespace

Result<void> apply_registry_overrides(Workspace& workspace, const RegistryOverrides& overrides) {
    std::string ca_file;
    if (!overrides.ca_file.empty()) {
        std::error_code ec;
        const std::filesystem::path absolute = std::filesystem::absolute(overrides.ca_file, ec);
        if (ec || !std::filesystem::is_regular_file(absolute, ec)) {
            return usage_error(fmt::format("--ca-file '{}' is not a readable file", overrides.ca_file),
                               "pass a PEM file with the registry's CA certificate(s)");
        }
        ca_file = absolute.string();
    }
    for (config::ServiceConfig& service : workspace.config.services) {
        if (overrides.insecure) {
            service.registry.insecure = true;
            service.set_origin("registry.insecure", "--insecure-registry");
        }
        if (!ca_file.empty()) {
            service.registry.ca_file = ca_file;
            service.set_origin("registry.ca_file", "--ca-file");
        }
    }
    return {};
}

RegistrySession::RegistrySession(Environment env, proc::Runner& runner, bool insecure, std::filesystem::path ca_file)
    : m_credentials(std::move(env), runner),
      m_http(http::CurlOptions{ca_file, insecure, std::chrono::milliseconds(10000)}),
      m_insecure(insecure),
      m_ca_file(std::move(ca_file)) {}

RegistrySession::~RegistrySession() = default;

Result<std::unique_ptr<RegistrySession>> RegistrySession::open(const Workspace& workspace,
                                                               const config::ServiceConfig& service,
                                                               proc::Runner& runner,
                                                               std::function<void(std::string_view)> trace) {
    const std::filesystem::path ca_file = resolve_ca_file(workspace.root, service.registry.ca_file);
    if (!ca_file.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(ca_file, ec)) {
            return located_error(service.origin_of("registry.ca_file"),
                                 fmt::format("the CA file '{}' does not exist", service.registry.ca_file),
                                 "point `registry.ca_file` at a PEM file, relative to the repository root");
        }
    }
    std::unique_ptr<RegistrySession> session(
        new RegistrySession(workspace.env, runner, service.registry.insecure, ca_file));
    oci::RegistryClientOptions options;
    options.insecure = service.registry.insecure;
    options.trace = std::move(trace);
    options.hooks.notify = options.trace;
    session->m_client = std::make_unique<oci::RegistryClient>(session->m_http, session->m_credentials, options);
    return session;
}

Result<const oci::PrivateAuthFile*> RegistrySession::auth_file(const std::vector<oci::ImageReference>& images) {
    if (!m_auth_file) {
        Result<oci::PrivateAuthFile> written = oci::PrivateAuthFile::for_images(m_credentials, images);
        if (!written) {
            return written.error();
        }
        m_auth_file = std::make_unique<oci::PrivateAuthFile>(std::move(*written));
    }
    return m_auth_file.get();
}

Result<std::filesystem::path> RegistrySession::cert_dir() {
    if (m_ca_file.empty() || !m_cert_dir.empty()) {
        return m_cert_dir;
    }
    Result<std::filesystem::path> created = m_scratch.create("certs");
    if (!created) {
        return created.error();
    }
    std::error_code ec;
    std::filesystem::copy_file(m_ca_file, *created / "ca.crt", ec);
    if (ec) {
        return runtime_error(fmt::format("cannot copy the CA file {}: {}", m_ca_file.string(), ec.message()));
    }
    m_cert_dir = *created;
    return m_cert_dir;
}

}  // namespace pipeline::steps
