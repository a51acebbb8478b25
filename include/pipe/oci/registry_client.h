// RegistryClient: the one client every step uses to talk to an OCI registry (distribution
// spec v2): ping, manifests, blob existence, tag listing. It finds the scheme, answers the
// registry's WWW-Authenticate challenge (anonymous, Basic, or bearer tokens fetched per scope
// and cached until expiry), retries through the one retry policy, and turns failures into
// errors that name the registry, the operation, the HTTP status and the credential source.
#pragma once

#include <pipe/core/result.h>
#include <pipe/http/client.h>
#include <pipe/http/retry_policy.h>
#include <pipe/oci/credentials.h>
#include <pipe/oci/manifest.h>
#include <pipe/oci/reference.h>
#include <pipe/oci/registry_token.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::oci {

// How the client reaches registries.
struct RegistryClientOptions {
    // Plain-HTTP or self-signed registries: HTTPS is tried first (the http::Client must then skip
    // verification), and a registry that does not speak TLS is used over plain HTTP.
    bool insecure = false;
    http::RetryPolicy retry;
    http::RetryHooks hooks;
    std::function<void(std::string_view)> trace;  // one line per request for --verbose; may be empty
};

// What a manifest HEAD found: the digest, type and size of what the reference resolves to.
struct ManifestHead {
    std::string digest;
    std::string media_type;
    std::int64_t size = 0;
};

// What an authenticated GET /v2/ (check_access) found out about a registry.
struct RegistryAccess {
    std::string scheme;      // what /v2/ asked for: "anonymous", "basic" or "bearer"
    std::string credential;  // "none" or where the credentials came from (user and source, never a secret)
    bool accepted = false;   // the registry (or its token server) accepted them for pull and push
    std::string refusal;     // why not, naming the registry and the credential source; empty when accepted
};

// Talks to registries through an http::Client; credentials come from the resolver. Both must
// outlive the client. Not thread-safe.
class RegistryClient {
public:
    RegistryClient(http::Client& client, CredentialResolver& credentials, RegistryClientOptions options = {});
    ~RegistryClient();
    RegistryClient(const RegistryClient&) = delete;
    RegistryClient& operator=(const RegistryClient&) = delete;
    RegistryClient(RegistryClient&&) = delete;
    RegistryClient& operator=(RegistryClient&&) = delete;

    // GET /v2/: checks that registry (host[:port]) speaks the API and remembers how it wants
    // to be authenticated. Errors name the registry and say how to fix TLS or reachability.
    Result<void> ping(std::string_view registry);

    // The round trip a push starts with, for `pipe doctor`: GET /v2/, then GET /v2/ again with the
    // credentials pipe would use (Basic, or a bearer token for pull and push on reference's
    // repository). A registry that cannot be reached is an error; a refusal is an answer.
    Result<RegistryAccess> check_access(const ImageReference& reference);

    // HEAD of reference's manifest (tag or digest): nullopt when it does not exist. A registry
    // that omits Docker-Content-Digest is asked with GET and the bytes are hashed.
    Result<std::optional<ManifestHead>> head_manifest(const ImageReference& reference);

    // GET of reference's manifest, exactly as stored. A manifest fetched by digest must hash to
    // that digest. A missing manifest is a runtime error.
    Result<Manifest> get_manifest(const ImageReference& reference);

    // PUT of manifest's exact bytes under reference's tag (or digest), with its media type; returns
    // the digest the registry reports, which must equal manifest.digest.
    Result<std::string> put_manifest(const ImageReference& reference, const Manifest& manifest);

    // HEAD of a blob in reference's repository: whether it exists.
    Result<bool> blob_exists(const ImageReference& reference, std::string_view digest);

    // GET of a small blob (an image configuration), checked against its digest; larger than
    // max_bytes is a runtime error.
    Result<std::string> get_blob(const ImageReference& reference, std::string_view digest, std::size_t max_bytes);

    // Uploads bytes as a blob of reference's repository unless it is already there (monolithic
    // upload: POST for a session, PUT with the digest); returns the blob's digest.
    Result<std::string> put_blob(const ImageReference& reference, std::string_view bytes);

    // The OCI 1.1 referrers of digest in reference's repository (GET /v2/<name>/referrers/<digest>,
    // filtered by artifact_type when given): the index's entries, or nullopt when the registry has
    // no referrers API, in which case callers read the `sha256-<hex>` fallback tag.
    Result<std::optional<std::vector<Descriptor>>> referrers(const ImageReference& reference, std::string_view digest,
                                                             std::string_view artifact_type);

    // Every tag of reference's repository, following the Link header's pages. A repository that
    // does not exist has no tags.
    Result<std::vector<std::string>> list_tags(const ImageReference& reference);

    // The content a manifest points at that the repository lacks: blobs of a manifest, and for
    // an index, each entry manifest and, recursively, its blobs. Empty when all is present.
    Result<std::vector<std::string>> missing_content(const ImageReference& reference, const Manifest& manifest);

private:
    struct Endpoint;
    struct Exchange;

    Result<Endpoint*> endpoint(const std::string& registry);
    Result<http::Response> send(const ImageReference& reference, std::string_view actions, Exchange exchange);
    // After a 401: adopts the response's challenge (it may name another scope) and drops the
    // cached token, so the next try authenticates afresh.
    void renew(Endpoint& endpoint, const std::string& registry, const std::string& scope,
               const http::Response& challenge_response);
    Result<std::optional<std::string>> authorization(Endpoint& endpoint, const std::string& registry,
                                                     const std::string& scope);
    Result<BearerToken> fetch_token(const std::string& registry, const http::Challenge& challenge,
                                    const std::string& scope);
    Result<http::Response> send_raw(const http::Request& request);

    http::Client& m_client;
    CredentialResolver& m_credentials;
    RegistryClientOptions m_options;
    std::map<std::string, std::unique_ptr<Endpoint>, std::less<>> m_endpoints;
    std::map<std::string, BearerToken, std::less<>> m_tokens;  // "<registry> <scope>" -> token
};

}  // namespace pipeline::oci
