// A real Docker registry (Debian's docker-registry, distribution 2.8) on loopback for the registry
// integration tests, plain or with htpasswd, TLS or token auth, plus a fault-injecting proxy in
// front of it; skopeo serves as the independent witness. Only 127.0.0.0/8 is ever used.
#pragma once

#include <pipe/proc/runner.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pipeline::testing {

class ServiceProcess;

// How clients must authenticate: not at all, with Basic credentials checked against an htpasswd
// file, or with bearer tokens from token_server.py (Basic credentials sent to the token server).
enum class RegistryAuth { none, htpasswd, token };

// One registry's mode; every auth works with and without TLS.
struct RegistrySetup {
    RegistryAuth auth = RegistryAuth::none;
    bool tls = false;  // https with a certificate for IP 127.0.0.1 signed by a per-instance CA
};

// A docker-registry on 127.0.0.1:<free port> with its config, storage, keys and logs under dir (a
// test's TempDir path, so all of it is kept when the test fails). The constructor returns once
// GET /v2/ answers (200 or 401) and throws std::runtime_error naming the package to install when
// docker-registry, htpasswd, openssl or python3 (python3-cryptography for tokens) is missing, or
// with the registry's log tail when it does not come up within about 10 s; the skopeo methods
// throw the same way without skopeo. The destructor stops and reaps the registry and the token
// server.
class LocalRegistry {
public:
    LocalRegistry(const std::filesystem::path& dir, RegistrySetup setup = {});
    ~LocalRegistry();
    LocalRegistry(const LocalRegistry&) = delete;
    LocalRegistry& operator=(const LocalRegistry&) = delete;

    // "127.0.0.1:<port>", the registry name in image references.
    std::string host() const;

    // "http" or "https".
    std::string scheme() const;

    // The PEM of the CA that signed the server certificate (subjectAltName IP:127.0.0.1), in TLS
    // mode; an empty path otherwise.
    const std::filesystem::path& ca_file() const { return m_ca_file; }

    // A directory holding that CA as ca.crt, for the --cert-dir of skopeo and buildah (TLS mode;
    // an empty path otherwise).
    const std::filesystem::path& cert_dir() const { return m_cert_dir; }

    // The one user of the htpasswd and token modes ("pipe-ci").
    std::string username() const;

    // That user's password, random per instance.
    std::string password() const { return m_password; }

    // A containers auth.json (mode 0600) holding the user's credentials for host(), for pipe,
    // skopeo and buildah; an empty path for RegistryAuth::none.
    std::filesystem::path auth_file() const { return m_auth_file; }

    // Token mode: the file where the token server appends one JSON line per token request,
    // {"method", "scope": [...], "service", "user": name or null, "granted": bool, "access": [...]}
    // ("granted" is false only for wrong credentials); an empty path in the other modes.
    std::filesystem::path token_log() const { return m_token_log; }

    // Runs `skopeo <subcommand> <TLS flags> --authfile <authfile> <rest...>` for args =
    // {subcommand, rest...} in a private environment (own HOME, policy, registries.conf): TLS
    // verified against ca_file() in TLS mode, plain http allowed otherwise. An empty authfile
    // means anonymous.
    proc::ProcessResult run_skopeo(const std::vector<std::string>& args, const std::filesystem::path& authfile) const;

    // The manifest digest ("sha256:...") the reference's tag points to, from the bytes of
    // `skopeo inspect --raw` with auth_file(); "" when the tag or repository does not exist.
    // reference is "127.0.0.1:PORT/repo:tag"; a reference without host is taken as in host().
    std::string skopeo_digest(const std::string& reference) const;

    // The tags of "127.0.0.1:PORT/repo" (or "repo" in host()) from `skopeo list-tags`, sorted;
    // empty when the repository does not exist.
    std::vector<std::string> skopeo_tags(const std::string& repository) const;

    // Pushes a small image (an OCI layout built under dir: one config, one layer with a file naming
    // repository:tag, so every seeded image is distinct) to repository:tag in this registry with
    // skopeo and auth_file(), and returns its manifest digest. repository is "repo" or
    // "127.0.0.1:PORT/repo".
    std::string seed_image(const std::string& repository, const std::string& tag) const;

    // The last 40 lines of the registry's stderr log, for failure messages.
    std::string log_tail() const;

private:
    void start_token_server();
    void start_registry();
    std::string qualify(const std::string& reference) const;

    std::filesystem::path m_dir;
    RegistrySetup m_setup;
    std::string m_password;
    int m_port = 0;
    std::filesystem::path m_ca_file;
    std::filesystem::path m_cert_dir;
    std::filesystem::path m_auth_file;
    std::filesystem::path m_anonymous_auth_file;
    std::filesystem::path m_token_log;
    std::string m_token_realm;
    mutable int m_seeded = 0;
    std::unique_ptr<ServiceProcess> m_token_server;
    std::unique_ptr<ServiceProcess> m_registry;
};

// Writes a containers auth.json with Basic credentials for one registry host (mode 0600), e.g.
// wrong ones for a refusal test or the registry's for a FaultProxy in front of it.
std::filesystem::path write_auth_file(const std::filesystem::path& file, const std::string& host,
                                      const std::string& username, const std::string& password);

// One fault of a FaultProxy: requests matching method and path_regex get it instead of (or, for
// "slow", before) being forwarded, `times` times.
struct FaultRule {
    std::string method;      // "GET", "PUT", ... or "*"
    std::string path_regex;  // Python re.search on the path without query
    std::string fault;       // "status", "retry_after" (429 + Retry-After), "drop" (close unanswered), "slow"
    int status = 500;        // for "status"
    int retry_after = 1;     // seconds, for "retry_after"
    int delay_ms = 0;        // for "slow"
    int times = 1;           // how many matching requests get the fault; -1 = all of them
};

// tests/helpers/fault_proxy.py on 127.0.0.1:<free port> in front of a plain-http registry: it
// forwards everything unchanged (Host kept, so the registry's Location headers point back at the
// proxy; bodies streamed, chunked uploads included) except requests matching a rule. Stopped (stdin
// closed, SIGTERM, reaped) on destruction; construction throws like LocalRegistry's.
class FaultProxy {
public:
    FaultProxy(const std::string& upstream_host, const std::vector<FaultRule>& rules);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    // "127.0.0.1:<port>".
    std::string host() const;

    // Every request seen so far, in order, one line each: "METHOD /path -> 200" when forwarded
    // ("-> slow 200" when delayed), "-> fault 500", "-> fault 429" or "-> fault drop" when a rule
    // answered. A request's line is written before its answer is sent.
    std::vector<std::string> requests() const;

private:
    std::filesystem::path m_log;
    int m_port = 0;
    std::unique_ptr<ServiceProcess> m_process;
};

// tests/fakes/fake-github on 127.0.0.1:<free port>, serving the bare repositories under
// root/<owner>/<name>.git and accepting token; stopped like FaultProxy.
class FakeGithub {
public:
    FakeGithub(const std::filesystem::path& root, const std::string& token);
    ~FakeGithub();
    FakeGithub(const FakeGithub&) = delete;
    FakeGithub& operator=(const FakeGithub&) = delete;

    // "http://127.0.0.1:<port>", for GITHUB_API_URL.
    std::string api_url() const;

    // GET /_fake/state: {"pulls": [...], "comments": [...], "graphql": [...]}.
    nlohmann::json state() const;

    // POST /_fake/faults: replaces the fault rules ({method, path_regex, status, body, headers, times}).
    void set_faults(const nlohmann::json& rules) const;

    // GET /_fake/faults: the rules with their counts (hits, remaining).
    nlohmann::json faults() const;

private:
    nlohmann::json get(const std::string& path) const;

    int m_port = 0;
    std::unique_ptr<ServiceProcess> m_process;
};

}  // namespace pipeline::testing
