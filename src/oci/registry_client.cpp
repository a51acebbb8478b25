#include <pipe/oci/registry_client.h>

#include <pipe/http/form_encoding.h>
#include <pipe/oci/digest.h>
#include <pipe/oci/media_types.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pipeline::oci {

// How one registry is reached: its base URL and the authentication its /v2/ asked for.
struct RegistryClient::Endpoint {
    enum class Mode { anonymous, basic, bearer };
    std::string base;  // "https://host[:port]"
    Mode mode = Mode::anonymous;
    http::Challenge challenge;

    // Takes the bearer challenge (preferred) or the Basic one; false when there is neither.
    bool adopt(const std::vector<http::Challenge>& challenges) {
        if (const http::Challenge* bearer = http::find_challenge(challenges, "bearer")) {
            mode = Mode::bearer;
            challenge = *bearer;
            return true;
        }
        if (const http::Challenge* basic = http::find_challenge(challenges, "basic")) {
            mode = Mode::basic;
            challenge = *basic;
            return true;
        }
        return false;
    }
};

// One request to a registry, described before authentication is added.
struct RegistryClient::Exchange {
    http::Method method = http::Method::get;
    std::string target;     // "/v2/..." below the base, or an absolute URL (pagination links)
    std::string operation;  // for messages: "HEAD manifest acme/app:1.0"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

namespace {

constexpr int k_max_tag_pages = 1000;

// "CODE: message" of a registry's error document, or "" when the body is not one.
std::string registry_error_detail(std::string_view body) {
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array() ||
        doc["errors"].empty() || !doc["errors"][0].is_object()) {
        return {};
    }
    const nlohmann::json& first = doc["errors"][0];
    const std::string code = first.value("code", "");
    const std::string message = first.value("message", "");
    return code.empty() ? message : (message.empty() ? code : code + ": " + message);
}

std::string status_text(const http::Response& response) {
    std::string detail = registry_error_detail(response.body);
    return detail.empty() ? fmt::format("HTTP {}", response.status)
                          : fmt::format("HTTP {} ({})", response.status, detail);
}

std::string credential_text(const Credentials& credentials) {
    if (credentials.anonymous()) {
        return "without credentials (none found)";
    }
    return credentials.username.empty()
               ? fmt::format("with the credentials from {}", credentials.source)
               : fmt::format("with the credentials of user '{}' from {}", credentials.username, credentials.source);
}

std::string login_hint(std::string_view registry) {
    return fmt::format(
        "log in with `buildah login {0}` (or `podman login {0}`), or set PIPE_REGISTRY_USERNAME and "
        "PIPE_REGISTRY_PASSWORD; in GitHub Actions give the job `packages: write` for ghcr.io",
        registry);
}

// The URL of the Link header's rel="next" target, or "" when there is none.
std::string next_link(const http::Headers& headers) {
    for (std::string_view value : headers.find_all("Link")) {
        const std::size_t open = value.find('<');
        const std::size_t close = value.find('>', open);
        if (open == std::string_view::npos || close == std::string_view::npos) {
            continue;
        }
        const std::string_view params = value.substr(close + 1);
        if (params.find("rel=\"next\"") != std::string_view::npos ||
            params.find("rel=next") != std::string_view::npos) {
            return std::string(value.substr(open + 1, close - open - 1));
        }
    }
    return {};
}

std::string name_of(const ImageReference& reference) {
    return reference.registry + "/" + reference.repository;
}

}  // namespace

RegistryClient::RegistryClient(http::Client& client, CredentialResolver& credentials, RegistryClientOptions options)
    : m_client(client), m_credentials(credentials), m_options(std::move(options)) {}

RegistryClient::~RegistryClient() = default;

Result<http::Response> RegistryClient::send_raw(const http::Request& request) {
    if (m_options.trace) {
        m_options.trace(fmt::format("{} {}", http::method_name(request.method), request.url.string()));
    }
    return http::send_with_retry(m_client, request, m_options.retry, m_options.hooks);
}

Result<RegistryClient::Endpoint*> RegistryClient::endpoint(const std::string& registry) {
    if (auto found = m_endpoints.find(registry); found != m_endpoints.end()) {
        return found->second.get();
    }
    ImageReference probe{registry, "library/probe", std::nullopt, std::nullopt};
    const std::string host = probe.api_host();
    std::vector<std::string> schemes{"https"};
    if (m_options.insecure) {
        schemes.emplace_back("http");
    }
    std::optional<Error> last_error;
    for (std::size_t i = 0; i < schemes.size(); ++i) {
        Result<http::SanitizedUrl> url = http::SanitizedUrl::parse(schemes[i] + "://" + host + "/v2/");
        if (!url) {
            return usage_error(fmt::format("registry '{}' is not a valid host name", registry));
        }
        http::Request request;
        request.url = *url;
        request.timeout = std::chrono::seconds(30);
        const bool last = i + 1 == schemes.size();
        Result<http::Response> answer = [&]() -> Result<http::Response> {
            if (last) {
                return send_raw(request);
            }
            if (m_options.trace) {
                m_options.trace(fmt::format("GET {}", request.url.string()));
            }
            return m_client.send(request);
        }();
        if (!answer) {
            if (answer.error().kind == ErrorKind::interrupted) {
                return answer.error();
            }
            last_error = answer.error();
            continue;
        }
        auto created = std::make_unique<Endpoint>();
        created->base = schemes[i] + "://" + host;
        if (answer->status == 401) {
            Result<std::vector<http::Challenge>> challenges =
                http::parse_www_authenticate(answer->headers.find_all("WWW-Authenticate"));
            if (!challenges) {
                return runtime_error(fmt::format("registry {}: unreadable WWW-Authenticate challenge: {}", registry,
                                                 challenges.error().message));
            }
            if (!created->adopt(*challenges)) {
                return runtime_error(
                    fmt::format("registry {} asks for an authentication scheme pipe does not support", registry),
                    "pipe supports anonymous access, HTTP Basic and bearer tokens");
            }
        } else if (!answer->ok()) {
            return runtime_error(fmt::format("registry {}: GET /v2/ answered {}; is this an OCI registry?", registry,
                                             status_text(*answer)),
                                 "check the image name's registry part");
        }
        Endpoint* raw = created.get();
        m_endpoints.emplace(registry, std::move(created));
        return raw;
    }
    Error error = *last_error;
    error.message = fmt::format("cannot reach registry {}: {}", registry, error.message);
    error.hint = m_options.insecure
                     ? "check that the registry is running at that address"
                     : "check that the registry is running at that address; for a registry with a private CA pass "
                       "--ca-file, for a plain-HTTP or self-signed one --insecure-registry";
    return error;
}

Result<void> RegistryClient::ping(std::string_view registry) {
    Result<Endpoint*> found = endpoint(std::string(registry));
    if (!found) {
        return found.error();
    }
    return {};
}

Result<RegistryAccess> RegistryClient::check_access(const ImageReference& reference) {
    Result<Endpoint*> found = endpoint(reference.registry);
    if (!found) {
        return found.error();
    }
    // The credentials send() uses: looked up by registry.
    Result<Credentials> credentials = m_credentials.resolve(reference.registry);
    if (!credentials) {
        return credentials.error();
    }
    RegistryAccess access;
    access.credential = credentials->anonymous() ? std::string("none") : credential_text(*credentials);
    const Endpoint::Mode mode = (*found)->mode;
    access.scheme = mode == Endpoint::Mode::anonymous ? "anonymous"
                    : mode == Endpoint::Mode::basic   ? "basic"
                                                      : "bearer";
    if (mode == Endpoint::Mode::anonymous) {
        access.accepted = true;
        return access;
    }
    Exchange exchange{http::Method::get, "/v2/", "GET /v2/", {}, {}};
    Result<http::Response> answer = send(reference, "pull,push", std::move(exchange));
    if (!answer) {
        if (answer.error().kind != ErrorKind::runtime) {
            return answer.error();
        }
        access.refusal = answer.error().message;
        return access;
    }
    if (!answer->ok()) {
        access.refusal = fmt::format("registry {}: GET /v2/ answered {} {}", reference.registry, status_text(*answer),
                                     credential_text(*credentials));
        return access;
    }
    access.accepted = true;
    return access;
}

Result<BearerToken> RegistryClient::fetch_token(const std::string& registry, const http::Challenge& challenge,
                                                const std::string& scope) {
    Result<Credentials> credentials = m_credentials.resolve(registry);
    if (!credentials) {
        return credentials.error();
    }
    const std::vector<std::string> scopes{scope};
    Result<http::SanitizedUrl> url = token_request_url(challenge, scopes);
    if (!url) {
        return runtime_error(fmt::format("registry {}: {}", registry, url.error().message));
    }
    http::Request request;
    if (!credentials->identity_token.empty()) {
        Result<http::SanitizedUrl> realm = http::SanitizedUrl::parse(std::string(*challenge.param("realm")));
        if (!realm) {
            return realm.error();
        }
        request.method = http::Method::post;
        request.url = *realm;
        request.add_header("Content-Type", "application/x-www-form-urlencoded");
        request.body = refresh_token_form(challenge, scopes, credentials->identity_token);
    } else {
        request.url = *url;
        if (!credentials->anonymous()) {
            request.add_secret_header(
                "Authorization",
                Secret("Basic " + encode_base64(credentials->username + ":" + credentials->password.reveal())));
        }
    }
    Result<http::Response> answer = send_raw(request);
    if (!answer) {
        Error error = answer.error();
        error.message =
            fmt::format("registry {}: token request to {} failed: {}", registry, request.url.host(), error.message);
        return error;
    }
    if (answer->status == 401 || answer->status == 403) {
        return runtime_error(
            fmt::format("registry {}: the token server {} refused access to '{}' {}: {}", registry, request.url.host(),
                        scope, credential_text(*credentials), status_text(*answer)),
            login_hint(registry));
    }
    if (!answer->ok()) {
        return runtime_error(fmt::format("registry {}: the token server {} answered {}", registry, request.url.host(),
                                         status_text(*answer)));
    }
    return parse_token_response(answer->body, m_options.hooks.now(), fmt::format("registry {}", registry));
}

Result<std::optional<std::string>> RegistryClient::authorization(Endpoint& endpoint, const std::string& registry,
                                                                 const std::string& scope) {
    if (endpoint.mode == Endpoint::Mode::anonymous) {
        return std::optional<std::string>();
    }
    if (endpoint.mode == Endpoint::Mode::basic) {
        Result<Credentials> credentials = m_credentials.resolve(registry);
        if (!credentials) {
            return credentials.error();
        }
        if (credentials->password.empty()) {
            return runtime_error(fmt::format("registry {} requires a login (HTTP Basic) and pipe found no password "
                                             "for it",
                                             registry),
                                 login_hint(registry));
        }
        return std::optional<std::string>("Basic " +
                                          encode_base64(credentials->username + ":" + credentials->password.reveal()));
    }
    const std::string key = registry + " " + scope;
    auto cached = m_tokens.find(key);
    if (cached == m_tokens.end() || cached->second.expires_at <= m_options.hooks.now()) {
        Result<BearerToken> token = fetch_token(registry, endpoint.challenge, scope);
        if (!token) {
            return token.error();
        }
        cached = m_tokens.insert_or_assign(key, std::move(*token)).first;
    }
    return std::optional<std::string>("Bearer " + cached->second.token.reveal());
}

void RegistryClient::renew(Endpoint& endpoint, const std::string& registry, const std::string& scope,
                           const http::Response& challenge_response) {
    Result<std::vector<http::Challenge>> challenges =
        http::parse_www_authenticate(challenge_response.headers.find_all("WWW-Authenticate"));
    if (challenges) {
        endpoint.adopt(*challenges);
    }
    m_tokens.erase(registry + " " + scope);
}

Result<http::Response> RegistryClient::send(const ImageReference& reference, std::string_view actions,
                                            Exchange exchange) {
    Result<Endpoint*> found = endpoint(reference.registry);
    if (!found) {
        return found.error();
    }
    Endpoint& ep = **found;
    const std::string scope = repository_scope(reference.repository, actions);
    const bool relative = exchange.target.rfind("/v2/", 0) == 0;
    if (!relative && exchange.target.rfind(ep.base + "/", 0) != 0) {
        Result<http::SanitizedUrl> elsewhere = http::SanitizedUrl::parse(exchange.target);
        return runtime_error(fmt::format(
            "registry {}: {}: the registry pointed to another origin ({}); pipe does "
            "not send credentials there",
            reference.registry, exchange.operation, elsewhere ? elsewhere->string() : std::string("an invalid URL")));
    }
    Result<http::SanitizedUrl> url =
        relative ? http::SanitizedUrl::parse(ep.base + exchange.target) : http::SanitizedUrl::parse(exchange.target);
    if (!url) {
        return runtime_error(
            fmt::format("registry {}: {}: bad URL: {}", reference.registry, exchange.operation, url.error().message));
    }
    std::optional<http::Response> last;
    for (int attempt = 0; attempt < 2; ++attempt) {
        Result<std::optional<std::string>> auth = authorization(ep, reference.registry, scope);
        if (!auth) {
            return auth.error();
        }
        http::Request request;
        request.method = exchange.method;
        request.url = *url;
        for (const auto& [name, value] : exchange.headers) {
            request.add_header(name, value);
        }
        if (*auth) {
            request.add_secret_header("Authorization", Secret(**auth));
        }
        request.body = exchange.body;
        Result<http::Response> answer = send_raw(request);
        if (!answer) {
            Error error = answer.error();
            error.message =
                fmt::format("registry {}: {} failed: {}", reference.registry, exchange.operation, error.message);
            return error;
        }
        if (answer->status != 401) {
            return std::move(*answer);
        }
        last = std::move(*answer);
        renew(ep, reference.registry, scope, *last);
    }
    Result<Credentials> credentials = m_credentials.resolve(reference.registry);
    return runtime_error(fmt::format("registry {}: {} was refused {}: {}", reference.registry, exchange.operation,
                                     credentials ? credential_text(*credentials) : "", status_text(*last)),
                         login_hint(reference.registry));
}

namespace {

Error failed(const ImageReference& reference, std::string_view operation, const http::Response& response) {
    if (response.status == 403) {
        return runtime_error(
            fmt::format("registry {}: {} was denied: {}", reference.registry, operation, status_text(response)),
            fmt::format("the credentials lack access to {}; for ghcr.io the token needs "
                        "write:packages and the package must grant the repository access",
                        reference.repository));
    }
    return runtime_error(
        fmt::format("registry {}: {} failed: {}", reference.registry, operation, status_text(response)));
}

}  // namespace

Result<std::optional<ManifestHead>> RegistryClient::head_manifest(const ImageReference& reference) {
    Exchange exchange{http::Method::head,
                      fmt::format("/v2/{}/manifests/{}", reference.repository, reference.manifest_reference()),
                      fmt::format("HEAD manifest {}", reference.string()),
                      {{"Accept", std::string(manifest_accept_header())}},
                      {}};
    Result<http::Response> answer = send(reference, "pull", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    if (answer->status == 404) {
        return std::optional<ManifestHead>();
    }
    if (!answer->ok()) {
        return failed(reference, fmt::format("HEAD manifest {}", reference.string()), *answer);
    }
    auto digest = answer->headers.find("Docker-Content-Digest");
    if (!digest || !validate_digest(*digest)) {
        Result<Manifest> manifest = get_manifest(reference);
        if (!manifest) {
            return manifest.error();
        }
        return std::optional<ManifestHead>(
            ManifestHead{manifest->digest, manifest->media_type, static_cast<std::int64_t>(manifest->bytes.size())});
    }
    ManifestHead head;
    head.digest = std::string(*digest);
    head.media_type = std::string(answer->headers.find("Content-Type").value_or(""));
    if (auto length = answer->headers.find("Content-Length")) {
        head.size = std::strtoll(std::string(*length).c_str(), nullptr, 10);
    }
    return std::optional<ManifestHead>(std::move(head));
}

Result<Manifest> RegistryClient::get_manifest(const ImageReference& reference) {
    const std::string operation = fmt::format("GET manifest {}", reference.string());
    Exchange exchange{http::Method::get,
                      fmt::format("/v2/{}/manifests/{}", reference.repository, reference.manifest_reference()),
                      operation,
                      {{"Accept", std::string(manifest_accept_header())}},
                      {}};
    Result<http::Response> answer = send(reference, "pull", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    if (answer->status == 404) {
        return runtime_error(
            fmt::format("registry {}: manifest {} does not exist", reference.registry, reference.string()),
            "check the tag or digest; `pipe push` pushes what `pipe build` built");
    }
    if (!answer->ok()) {
        return failed(reference, operation, *answer);
    }
    const std::string content_type(answer->headers.find("Content-Type").value_or(""));
    Result<Manifest> manifest = parse_manifest(std::move(answer->body), content_type, name_of(reference));
    if (!manifest) {
        return manifest.error();
    }
    const std::string expected = reference.digest.value_or(
        std::string(answer->headers.find("Docker-Content-Digest").value_or(std::string_view())));
    if (expected.rfind("sha256:", 0) == 0 && expected != manifest->digest) {
        return runtime_error(fmt::format("registry {}: manifest {} hashes to {}, not {}", reference.registry,
                                         reference.string(), manifest->digest, expected),
                             "the registry or a proxy in between altered the content; do not deploy it");
    }
    return manifest;
}

Result<std::string> RegistryClient::put_manifest(const ImageReference& reference, const Manifest& manifest) {
    const std::string operation = fmt::format("PUT manifest {}", reference.string());
    Exchange exchange{http::Method::put,
                      fmt::format("/v2/{}/manifests/{}", reference.repository, reference.manifest_reference()),
                      operation,
                      {{"Content-Type", manifest.media_type}},
                      manifest.bytes};
    Result<http::Response> answer = send(reference, "pull,push", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    if (!answer->ok()) {
        return failed(reference, operation, *answer);
    }
    if (auto digest = answer->headers.find("Docker-Content-Digest"); digest && *digest != manifest.digest) {
        return runtime_error(fmt::format("registry {}: stored manifest {} as {}, not {}", reference.registry,
                                         reference.string(), *digest, manifest.digest));
    }
    return manifest.digest;
}

Result<bool> RegistryClient::blob_exists(const ImageReference& reference, std::string_view digest) {
    const std::string operation = fmt::format("HEAD blob {}@{}", name_of(reference), digest);
    Exchange exchange{
        http::Method::head, fmt::format("/v2/{}/blobs/{}", reference.repository, digest), operation, {}, {}};
    Result<http::Response> answer = send(reference, "pull", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    if (answer->status == 404) {
        return false;
    }
    if (!answer->ok()) {
        return failed(reference, operation, *answer);
    }
    return true;
}

Result<std::string> RegistryClient::get_blob(const ImageReference& reference, std::string_view digest,
                                             std::size_t max_bytes) {
    const std::string operation = fmt::format("GET blob {}@{}", name_of(reference), digest);
    Exchange exchange{
        http::Method::get, fmt::format("/v2/{}/blobs/{}", reference.repository, digest), operation, {}, {}};
    Result<http::Response> answer = send(reference, "pull", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    if (!answer->ok()) {
        return failed(reference, operation, *answer);
    }
    if (answer->body.size() > max_bytes) {
        return runtime_error(
            fmt::format("registry {}: blob {} is larger than {} bytes", reference.registry, digest, max_bytes));
    }
    if (sha256_digest(answer->body) != digest) {
        return runtime_error(
            fmt::format("registry {}: blob {} does not hash to its digest", reference.registry, digest));
    }
    return std::move(answer->body);
}

Result<std::string> RegistryClient::put_blob(const ImageReference& reference, std::string_view bytes) {
    const std::string digest = sha256_digest(bytes);
    Result<bool> present = blob_exists(reference, digest);
    if (!present) {
        return present.error();
    }
    if (*present) {
        return digest;
    }
    const std::string operation = fmt::format("upload blob {}@{}", name_of(reference), digest);
    Exchange start{http::Method::post,
                   fmt::format("/v2/{}/blobs/uploads/", reference.repository),
                   operation,
                   {{"Content-Length", "0"}},
                   {}};
    Result<http::Response> session = send(reference, "pull,push", std::move(start));
    if (!session) {
        return session.error();
    }
    const std::optional<std::string_view> location = session->headers.find("Location");
    if (session->status != 202 || !location || location->empty()) {
        return failed(reference, operation, *session);
    }
    std::string target(*location);
    if (target.front() == '/' && target.rfind("/v2/", 0) != 0) {
        return runtime_error(
            fmt::format("registry {}: {}: unexpected upload location '{}'", reference.registry, operation, target));
    }
    target += (target.find('?') == std::string::npos ? "?digest=" : "&digest=") + digest;
    Exchange finish{http::Method::put,
                    std::move(target),
                    operation,
                    {{"Content-Type", "application/octet-stream"}},
                    std::string(bytes)};
    Result<http::Response> stored = send(reference, "pull,push", std::move(finish));
    if (!stored) {
        return stored.error();
    }
    if (stored->status != 201 && stored->status != 204) {
        return failed(reference, operation, *stored);
    }
    return digest;
}

Result<std::optional<std::vector<Descriptor>>> RegistryClient::referrers(const ImageReference& reference,
                                                                         std::string_view digest,
                                                                         std::string_view artifact_type) {
    const std::string operation = fmt::format("GET referrers of {}@{}", name_of(reference), digest);
    std::string target = fmt::format("/v2/{}/referrers/{}", reference.repository, digest);
    if (!artifact_type.empty()) {
        target += "?artifactType=" + http::percent_encode(artifact_type);
    }
    Exchange exchange{http::Method::get, std::move(target), operation, {{"Accept", std::string(k_oci_index)}}, {}};
    Result<http::Response> answer = send(reference, "pull", std::move(exchange));
    if (!answer) {
        return answer.error();
    }
    const std::string_view content_type = answer->headers.find("Content-Type").value_or("");
    if (answer->status == 404 || (answer->ok() && content_type.find(k_oci_index) == std::string_view::npos)) {
        return std::optional<std::vector<Descriptor>>();
    }
    if (!answer->ok()) {
        return failed(reference, operation, *answer);
    }
    Result<Manifest> index = parse_manifest(std::move(answer->body), k_oci_index, name_of(reference));
    if (!index) {
        return index.error();
    }
    std::vector<Descriptor> found;
    for (Descriptor& entry : index->manifests) {
        if (artifact_type.empty() || entry.artifact_type == artifact_type) {
            found.push_back(std::move(entry));
        }
    }
    return std::optional<std::vector<Descriptor>>(std::move(found));
}

Result<std::vector<std::string>> RegistryClient::list_tags(const ImageReference& reference) {
    std::vector<std::string> tags;
    std::string target = fmt::format("/v2/{}/tags/list?n=1000", reference.repository);
    for (int page = 0; page < k_max_tag_pages && !target.empty(); ++page) {
        const std::string operation = fmt::format("GET tags of {}", name_of(reference));
        Result<http::Response> answer = send(reference, "pull", Exchange{http::Method::get, target, operation, {}, {}});
        if (!answer) {
            return answer.error();
        }
        if (answer->status == 404) {
            return tags;
        }
        if (!answer->ok()) {
            return failed(reference, operation, *answer);
        }
        const nlohmann::json doc = nlohmann::json::parse(answer->body, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
            return runtime_error(fmt::format("registry {}: the tag list of {} is not a JSON object", reference.registry,
                                             name_of(reference)));
        }
        if (doc.contains("tags") && doc["tags"].is_array()) {
            for (const nlohmann::json& tag : doc["tags"]) {
                if (tag.is_string()) {
                    tags.push_back(tag.get<std::string>());
                }
            }
        }
        const std::string next = next_link(answer->headers);
        if (next.empty()) {
            target.clear();
            continue;
        }
        Result<http::SanitizedUrl> resolved = answer->url.resolve(next);
        if (!resolved) {
            return runtime_error(fmt::format("registry {}: unusable pagination link in the tag list of {}",
                                             reference.registry, name_of(reference)));
        }
        target = resolved->reveal();
    }
    return tags;
}

Result<std::vector<std::string>> RegistryClient::missing_content(const ImageReference& reference,
                                                                 const Manifest& manifest) {
    std::vector<std::string> missing;
    for (const Descriptor& blob : manifest.blobs) {
        Result<bool> present = blob_exists(reference, blob.digest);
        if (!present) {
            return present.error();
        }
        if (!*present) {
            missing.push_back("blob " + blob.digest);
        }
    }
    for (const Descriptor& entry : manifest.manifests) {
        Result<ImageReference> child = reference.with_digest(entry.digest);
        if (!child) {
            return child.error();
        }
        child->tag.reset();
        Result<std::optional<ManifestHead>> head = head_manifest(*child);
        if (!head) {
            return head.error();
        }
        const std::string label = entry.platform.empty() ? entry.digest : entry.digest + " (" + entry.platform + ")";
        if (!*head) {
            missing.push_back("manifest " + label);
            continue;
        }
        Result<Manifest> nested = get_manifest(*child);
        if (!nested) {
            return nested.error();
        }
        Result<std::vector<std::string>> below = missing_content(*child, *nested);
        if (!below) {
            return below.error();
        }
        missing.insert(missing.end(), below->begin(), below->end());
    }
    return missing;
}

}  // namespace pipeline::oci
