// Registry credentials: where they come from (environment, containers auth.json, docker
// config.json, credential helpers, GITHUB_TOKEN) and which one applies to a registry. Every
// resolved credential records its source as a human string, so a 401 can say which source was
// used without showing the secret.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/core/secret.h>
#include <pipe/oci/reference.h>
#include <pipe/proc/runner.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::oci {

// The Docker Hub key docker writes in config.json and sends to credential helpers.
inline constexpr std::string_view k_docker_hub_auth_key = "https://index.docker.io/v1/";

// How long a credential helper may take (helpers such as ecr-login call a cloud API).
inline constexpr std::chrono::milliseconds k_credential_helper_timeout{60000};

// Login data for one registry. Anonymous when neither a password nor an identity token is set.
struct Credentials {
    std::string username;             // may be empty for a bare identity token
    Secret password;                  // password or access token, sent as HTTP Basic
    Secret identity_token;            // OAuth2 refresh token (docker "identitytoken", helper user "<token>")
    std::string source{"anonymous"};  // where they came from, e.g. "auth file /run/user/0/containers/auth.json"

    // True when there is nothing to log in with.
    bool anonymous() const { return password.empty() && identity_token.empty(); }

    friend bool operator==(const Credentials&, const Credentials&) = default;
};

// One line for messages and --verbose: user, masked secret kinds and source; never a secret.
std::string describe(const Credentials& credentials);

// A registry host as pipe compares them: scheme and path dropped ("https://index.docker.io/v1/"),
// lower case, and every Docker Hub alias (index.docker.io, registry-1.docker.io) as "docker.io",
// the name parse_reference() gives Docker Hub.
std::string normalize_registry_host(std::string_view text);

// The server URL docker uses for a registry in config.json and on a helper's stdin:
// "https://index.docker.io/v1/" for Docker Hub, the normalized host otherwise.
std::string docker_server_url(std::string_view registry);

// Standard base64 (RFC 4648 with padding), for `auth` fields.
std::string encode_base64(std::string_view bytes);

// Decodes standard base64; padding may be omitted. nullopt for any other character or a bad length.
std::optional<std::string> decode_base64(std::string_view text);

// Which of the two on-disk shapes a file has.
enum class AuthFileFormat {
    config,  // containers auth.json or docker config.json: {"auths": {...}, "credHelpers", "credsStore"}
    legacy,  // ~/.dockercfg: the auths map itself at the top level
};

// One decoded `auths` entry: `auth` (base64 user:password), `username`/`password`, `identitytoken`.
// The placeholder user "<token>" next to an identity token reads as no username.
struct AuthEntry {
    std::string username;
    Secret password;
    Secret identity_token;

    // True when the entry holds a password or an identity token (docker writes `{}` placeholders).
    bool has_credentials() const { return !password.empty() || !identity_token.empty(); }
};

// A parsed auth file. Keys are kept as written; matching normalizes them.
struct AuthFile {
    std::filesystem::path path;
    std::map<std::string, AuthEntry, std::less<>> auths;
    std::map<std::string, std::string, std::less<>> cred_helpers;  // registry key -> helper suffix
    std::string creds_store;                                       // helper suffix for every registry
};

// Parses an auth file's text. Syntax errors are config errors at path:line:column; a bad shape,
// base64 or user:password pair is a config error naming the key. Error messages never contain
// the file's values. Empty text is an empty file.
Result<AuthFile> parse_auth_file(std::string_view text, const std::filesystem::path& path, AuthFileFormat format);

// The `auths` key that applies to registry (normalized host) and repository: keys are a host, a
// URL (https://host/v1/, path ignored) or host/namespace (containers auth.json); the most specific
// key with credentials wins, then a plain host key over a URL-shaped one. nullopt when none applies.
std::optional<std::string> find_auth_key(const AuthFile& file, std::string_view registry, std::string_view repository);

// A credential helper chosen by an auth file, and the setting that chose it.
struct HelperChoice {
    std::string helper;   // the suffix: "ecr-login" runs docker-credential-ecr-login
    std::string setting;  // "credHelpers[\"<key>\"]" or "credsStore", for messages
};

// The helper for registry: credHelpers (host keys, normalized), else credsStore, else nullopt.
std::optional<HelperChoice> find_credential_helper(const AuthFile& file, std::string_view registry);

// Interprets a credential helper's `get` output and exit: credentials, nullopt for "credentials
// not found in native keychain" (or an empty answer), or a runtime error naming the helper. The
// helper's JSON is {"ServerURL","Username","Secret"}; Username "<token>" marks an identity token.
Result<std::optional<Credentials>> parse_helper_answer(std::string_view helper, std::string_view server_url,
                                                       const proc::ProcessResult& result);

// Runs `docker-credential-<helper> get` with server_url on stdin. The child's environment is env
// (not pipe's own), with everything but PATH passed as masked secret variables.
Result<std::optional<Credentials>> run_credential_helper(proc::Runner& runner, const Environment& env,
                                                         std::string_view helper, std::string_view server_url);

// The auth files consulted, in order, for env: REGISTRY_AUTH_FILE alone when set (as
// containers/image does), else ${XDG_RUNTIME_DIR}/containers/auth.json (/run/containers/<uid>/
// without it), ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, ${DOCKER_CONFIG:-~/.docker}/config.json
// and the legacy ~/.dockercfg.
std::vector<std::pair<std::filesystem::path, AuthFileFormat>> auth_file_locations(const Environment& env);

// Finds the credentials for a registry, in order, first hit wins:
// 1. PIPE_REGISTRY_USERNAME/PIPE_REGISTRY_PASSWORD (for every registry, or only PIPE_REGISTRY's host);
// 2. the auth files of auth_file_locations(); in each: credHelpers for the host, else credsStore
//    (a helper's "not found" falls through), then the best `auths` key;
// 3. GITHUB_TOKEN for ghcr.io (user GITHUB_ACTOR, else "x-access-token");
// 4. anonymous.
// Results are cached per registry and repository, so a helper runs once per registry. The runner
// must outlive the resolver.
class CredentialResolver {
public:
    CredentialResolver(Environment env, proc::Runner& runner) : m_env(std::move(env)), m_runner(&runner) {}

    // Credentials for registry (any alias or URL form) and, optionally, a repository path inside
    // it for namespace-specific keys. Errors: config (a malformed file or variable), runtime (a
    // helper that failed or cannot run), interrupted.
    Result<Credentials> resolve(std::string_view registry, std::string_view repository = {});

    // Credentials for an image's registry and repository.
    Result<Credentials> resolve(const ImageReference& image) { return resolve(image.registry, image.repository); }

private:
    Result<std::optional<Credentials>> from_environment(const std::string& registry) const;
    Result<std::optional<Credentials>> from_auth_files(const std::string& registry, std::string_view repository);
    Result<std::optional<Credentials>> from_helper(const std::string& helper, const std::string& registry,
                                                   const std::string& origin);

    Environment m_env;
    proc::Runner* m_runner;
    std::map<std::string, Credentials, std::less<>> m_cache;
    std::map<std::string, std::optional<Credentials>, std::less<>> m_helper_cache;
};

}  // namespace pipeline::oci
