// RegistryClient against a ScriptedClient: the challenge flows (anonymous, Basic, bearer with
// per-scope caching and expiry), scheme fallback for insecure registries, manifest and blob
// operations with digest checks, tag pagination, and errors that name the credential source
// but never the secret.
#include <pipe/http/scripted_client.h>
#include <pipe/oci/digest.h>
#include <pipe/oci/media_types.h>
#include <pipe/oci/registry_client.h>
#include <pipe/proc/recording_runner.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

using pipeline::Environment;
using pipeline::ErrorKind;
using pipeline::http::Method;
using pipeline::http::scripted_failure;
using pipeline::http::scripted_response;
using pipeline::http::ScriptedClient;
using pipeline::http::TransportFailure;
using pipeline::oci::CredentialResolver;
using pipeline::oci::ImageReference;
using pipeline::oci::parse_reference;
using pipeline::oci::RegistryClient;
using pipeline::oci::RegistryClientOptions;
using pipeline::oci::sha256_digest;

namespace {

constexpr const char* k_manifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)"
    "1111111111111111111111111111111111111111111111111111111111111111"
    R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:)"
    "2222222222222222222222222222222222222222222222222222222222222222"
    R"(","size":3}]})";

const std::string k_bearer_challenge =
    R"(Bearer realm="https://auth.example.com/token",service="registry.example.com")";

// A client, resolver and runner wired together, with a clock the test moves and no sleeping.
struct Fixture {
    explicit Fixture(Environment env = {}, bool insecure = false) : resolver(std::move(env), runner) {
        RegistryClientOptions options;
        options.insecure = insecure;
        options.hooks.sleep = [](std::chrono::milliseconds) {};
        options.hooks.jitter = [] { return 0.0; };
        options.hooks.now = [this] { return now; };
        client = std::make_unique<RegistryClient>(http, resolver, options);
    }

    ScriptedClient http;
    pipeline::proc::RecordingRunner runner;
    CredentialResolver resolver;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1'800'000'000);
    std::unique_ptr<RegistryClient> client;
};

ImageReference image(const std::string& text) {
    auto parsed = parse_reference(text);
    REQUIRE(parsed);
    return *parsed;
}

std::string authorization_of(const pipeline::http::Request& request) {
    const auto* header = request.find_header("Authorization");
    return header == nullptr ? "" : header->reveal();
}

Environment no_login() {
    return {{"HOME", "/nonexistent"}};
}

Environment login() {
    return {{"PIPE_REGISTRY_USERNAME", "ci"}, {"PIPE_REGISTRY_PASSWORD", "s3cret-pass"}, {"HOME", "/nonexistent"}};
}

}  // namespace

TEST_CASE("an anonymous registry is used without credentials", "[oci][registry]") {
    Fixture f(no_login());
    const std::string digest = sha256_digest(k_manifest);
    f.http.expect(Method::get, "https://registry.example.com/v2/", scripted_response(200, "{}"));
    f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/manifests/1.0",
                  scripted_response(200, "",
                                    {{"Docker-Content-Digest", digest},
                                     {"Content-Type", "application/vnd.oci.image.manifest.v1+json"},
                                     {"Content-Length", "511"}}));
    auto head = f.client->head_manifest(image("registry.example.com/acme/app:1.0"));
    REQUIRE(head);
    REQUIRE(head->has_value());
    CHECK((*head)->digest == digest);
    CHECK((*head)->size == 511);
    CHECK(authorization_of(f.http.requests()[1]).empty());
    CHECK(f.http.requests()[1].find_header("Accept")->reveal().find(pipeline::oci::k_oci_index) != std::string::npos);
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("HEAD of a missing manifest is not found, not an error", "[oci][registry]") {
    Fixture f(no_login());
    f.http.expect(Method::get, "https://registry.example.com/v2/", scripted_response(200));
    f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/manifests/gone", scripted_response(404));
    auto head = f.client->head_manifest(image("registry.example.com/acme/app:gone"));
    REQUIRE(head);
    CHECK_FALSE(head->has_value());
}

TEST_CASE("Basic registries get the resolved credentials on every request", "[oci][registry]") {
    Fixture f(login());
    f.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", R"(Basic realm="Registry Realm")"}}));
    f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/blobs/sha256:abc", scripted_response(200));
    auto present = f.client->blob_exists(image("registry.example.com/acme/app"), "sha256:abc");
    REQUIRE(present);
    CHECK(*present);
    CHECK(authorization_of(f.http.requests()[1]) == "Basic " + pipeline::oci::encode_base64("ci:s3cret-pass"));
    CHECK(pipeline::http::describe(f.http.requests()[1]).find("s3cret") == std::string::npos);
}

TEST_CASE("a Basic registry without credentials says how to log in", "[oci][registry]") {
    Fixture f(no_login());
    f.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", R"(Basic realm="Registry Realm")"}}));
    auto present = f.client->blob_exists(image("registry.example.com/acme/app"), "sha256:abc");
    REQUIRE_FALSE(present);
    CHECK(present.error().message.find("requires a login") != std::string::npos);
    CHECK(present.error().hint.find("buildah login registry.example.com") != std::string::npos);
}

TEST_CASE("bearer tokens are fetched per scope with Basic credentials and cached until expiry", "[oci][registry]") {
    Fixture f(login());
    const std::string token_url =
        "https://auth.example.com/token?service=registry.example.com&scope=repository%3Aacme%2Fapp%3Apull";
    f.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    f.http.expect(Method::get, token_url, scripted_response(200, R"({"token":"tok-1","expires_in":300})"));
    f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/blobs/sha256:a", scripted_response(200));
    f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/blobs/sha256:b", scripted_response(404));
    const auto app = image("registry.example.com/acme/app");
    REQUIRE(*f.client->blob_exists(app, "sha256:a"));
    REQUIRE_FALSE(*f.client->blob_exists(app, "sha256:b"));
    CHECK(authorization_of(f.http.requests()[1]) == "Basic " + pipeline::oci::encode_base64("ci:s3cret-pass"));
    CHECK(authorization_of(f.http.requests()[2]) == "Bearer tok-1");
    CHECK(authorization_of(f.http.requests()[3]) == "Bearer tok-1");

    SECTION("an expired token is fetched again") {
        f.now += std::chrono::seconds(291);
        f.http.expect(Method::get, token_url, scripted_response(200, R"({"access_token":"tok-2"})"));
        f.http.expect(Method::head, "https://registry.example.com/v2/acme/app/blobs/sha256:c", scripted_response(200));
        REQUIRE(*f.client->blob_exists(app, "sha256:c"));
        CHECK(authorization_of(f.http.requests().back()) == "Bearer tok-2");
    }
    SECTION("a push scope gets its own token") {
        const std::string digest = sha256_digest(k_manifest);
        auto manifest = pipeline::oci::parse_manifest(k_manifest, "", "test");
        REQUIRE(manifest);
        f.http.expect(Method::get,
                      "https://auth.example.com/token?service=registry.example.com&scope=repository%3Aacme%2Fapp%3A"
                      "pull%2Cpush",
                      scripted_response(200, R"({"token":"push-tok"})"));
        f.http.expect(Method::put, "https://registry.example.com/v2/acme/app/manifests/v2",
                      scripted_response(201, "", {{"Docker-Content-Digest", digest}}));
        auto put = f.client->put_manifest(image("registry.example.com/acme/app:v2"), *manifest);
        REQUIRE(put);
        CHECK(*put == digest);
        const auto& request = f.http.requests().back();
        CHECK(authorization_of(request) == "Bearer push-tok");
        CHECK(request.find_header("Content-Type")->reveal() == pipeline::oci::k_oci_manifest);
        CHECK(std::get<std::string>(request.body) == k_manifest);
    }
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("a refused token request names the registry and the credential source, never the secret", "[oci][registry]") {
    Fixture f(login());
    f.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    f.http.expect(Method::get,
                  "https://auth.example.com/token?service=registry.example.com&scope=repository%3Aacme%2Fapp%3Apull",
                  scripted_response(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"bad password"}]})"));
    auto present = f.client->blob_exists(image("registry.example.com/acme/app"), "sha256:a");
    REQUIRE_FALSE(present);
    const std::string& message = present.error().message;
    CHECK(present.error().kind == ErrorKind::runtime);
    CHECK(message.find("registry.example.com") != std::string::npos);
    CHECK(message.find("user 'ci'") != std::string::npos);
    CHECK(message.find("PIPE_REGISTRY_USERNAME") != std::string::npos);
    CHECK(message.find("HTTP 401 (UNAUTHORIZED: bad password)") != std::string::npos);
    CHECK(message.find("s3cret") == std::string::npos);
}

TEST_CASE("a 401 after authenticating renews the token once, then fails with the status", "[oci][registry]") {
    Fixture f(login());
    const std::string token_url =
        "https://auth.example.com/token?service=registry.example.com&scope=repository%3Aacme%2Fapp%3Apull";
    f.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    f.http.expect(Method::get, token_url, scripted_response(200, R"({"token":"a"})"));
    f.http.expect(Method::get, "https://registry.example.com/v2/acme/app/tags/list?n=1000",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    f.http.expect(Method::get, token_url, scripted_response(200, R"({"token":"b"})"));
    f.http.expect(Method::get, "https://registry.example.com/v2/acme/app/tags/list?n=1000",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    auto tags = f.client->list_tags(image("registry.example.com/acme/app"));
    REQUIRE_FALSE(tags);
    CHECK(tags.error().message.find("was refused with the credentials of user 'ci'") != std::string::npos);
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("identity tokens are exchanged with an OAuth2 refresh-token POST", "[oci][registry]") {
    // An identity token comes from an auth file's "identitytoken".
    pipeline::testing::TempDir dir;
    const auto config =
        dir.write("config.json", R"({"auths":{"registry.example.com":{"identitytoken":"refresh-me"}}})");
    Fixture g({{"HOME", "/nonexistent"}, {"REGISTRY_AUTH_FILE", config.string()}});
    g.http.expect(Method::get, "https://registry.example.com/v2/",
                  scripted_response(401, "", {{"WWW-Authenticate", k_bearer_challenge}}));
    g.http.expect(Method::post, "https://auth.example.com/token", scripted_response(200, R"({"access_token":"x"})"));
    g.http.expect(Method::head, "https://registry.example.com/v2/acme/app/blobs/sha256:a", scripted_response(200));
    REQUIRE(*g.client->blob_exists(image("registry.example.com/acme/app"), "sha256:a"));
    const auto& post = g.http.requests()[1];
    const std::string body = std::get<std::string>(post.body);
    CHECK(body.find("grant_type=refresh_token") != std::string::npos);
    CHECK(body.find("refresh_token=refresh-me") != std::string::npos);
    CHECK(body.find("scope=repository%3Aacme%2Fapp%3Apull") != std::string::npos);
    CHECK(authorization_of(g.http.requests()[2]) == "Bearer x");
}

TEST_CASE("an insecure registry that does not speak TLS is used over plain HTTP", "[oci][registry]") {
    Fixture f(no_login(), true);
    f.http.expect(Method::get, "https://127.0.0.1:5000/v2/",
                  scripted_failure(TransportFailure::tls, true, "TLS handshake failed: wrong version number"));
    f.http.expect(Method::get, "http://127.0.0.1:5000/v2/", scripted_response(200));
    f.http.expect(Method::get, "http://127.0.0.1:5000/v2/app/tags/list?n=1000",
                  scripted_response(200, R"({"name":"app","tags":["a","b"]})",
                                    {{"Link", R"(</v2/app/tags/list?n=1000&last=b>; rel="next")"}}));
    f.http.expect(Method::get, "http://127.0.0.1:5000/v2/app/tags/list?n=1000&last=b",
                  scripted_response(200, R"({"name":"app","tags":["c"]})"));
    auto tags = f.client->list_tags(image("127.0.0.1:5000/app"));
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("without --insecure-registry a TLS failure is an error with the fix", "[oci][registry]") {
    Fixture f(no_login());
    f.http.expect(Method::get, "https://127.0.0.1:5000/v2/",
                  scripted_failure(TransportFailure::tls, true, "TLS handshake failed: wrong version number"));
    auto ping = f.client->ping("127.0.0.1:5000");
    REQUIRE_FALSE(ping);
    CHECK(ping.error().message == "cannot reach registry 127.0.0.1:5000: TLS handshake failed: wrong version number");
    CHECK(ping.error().hint.find("--insecure-registry") != std::string::npos);
    CHECK(ping.error().hint.find("--ca-file") != std::string::npos);
}

TEST_CASE("server errors are retried, then reported with the registry's error code", "[oci][registry]") {
    Fixture f(no_login());
    f.http.expect(Method::get, "https://r.example.com/v2/", scripted_response(200));
    for (int i = 0; i < 4; ++i) {
        f.http.expect(Method::get, "https://r.example.com/v2/app/manifests/1",
                      scripted_response(503, R"({"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]})"));
    }
    auto manifest = f.client->get_manifest(image("r.example.com/app:1"));
    REQUIRE_FALSE(manifest);
    CHECK(manifest.error().message ==
          "registry r.example.com: GET manifest r.example.com/app:1 failed: HTTP 503 (UNAVAILABLE: maintenance)");
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("a manifest fetched by digest must hash to it", "[oci][registry]") {
    Fixture f(no_login());
    const std::string wrong = "sha256:" + std::string(64, 'f');
    f.http.expect(Method::get, "https://r.example.com/v2/", scripted_response(200));
    f.http.expect(Method::get, "https://r.example.com/v2/app/manifests/" + wrong,
                  scripted_response(200, k_manifest, {{"Content-Type", std::string(pipeline::oci::k_oci_manifest)}}));
    auto manifest = f.client->get_manifest(image("r.example.com/app@" + wrong));
    REQUIRE_FALSE(manifest);
    CHECK(manifest.error().message.find("hashes to " + sha256_digest(k_manifest)) != std::string::npos);
}

TEST_CASE("missing_content lists the blobs a manifest names that the repository lacks", "[oci][registry]") {
    Fixture f(no_login());
    auto manifest = pipeline::oci::parse_manifest(k_manifest, "", "test");
    REQUIRE(manifest);
    f.http.expect(Method::get, "https://r.example.com/v2/", scripted_response(200));
    f.http.expect(Method::head, "https://r.example.com/v2/app/blobs/sha256:" + std::string(64, '1'),
                  scripted_response(200));
    f.http.expect(Method::head, "https://r.example.com/v2/app/blobs/sha256:" + std::string(64, '2'),
                  scripted_response(404));
    auto missing = f.client->missing_content(image("r.example.com/app:1"), *manifest);
    REQUIRE(missing);
    CHECK(*missing == std::vector<std::string>{"blob sha256:" + std::string(64, '2')});
}
