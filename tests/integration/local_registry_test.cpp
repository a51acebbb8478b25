// The registry test infrastructure proves itself with skopeo (and plain HTTP) as the client: a real
// docker-registry in each mode (plain, htpasswd, TLS, token) accepts and refuses what it should,
// and the fault proxy forwards everything except exactly the faults it was given.
#include "local_registry.h"
#include "temp_dir.h"

#include <pipe/http/curl_client.h>
#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using pipeline::http::CurlClient;
using pipeline::http::CurlOptions;
using pipeline::http::Method;
using pipeline::http::Request;
using pipeline::http::SanitizedUrl;
using pipeline::http::SendResult;
using pipeline::http::TransportFailure;
using pipeline::testing::FaultProxy;
using pipeline::testing::FaultRule;
using pipeline::testing::LocalRegistry;
using pipeline::testing::RegistryAuth;
using pipeline::testing::TempDir;
using pipeline::testing::write_auth_file;
using namespace std::chrono_literals;

namespace {

Request make_request(Method method, const std::string& url) {
    Request request;
    request.method = method;
    request.url = *SanitizedUrl::parse(url);
    request.timeout = 10s;
    request.add_header("Accept", "application/vnd.oci.image.manifest.v1+json");
    return request;
}

std::string header(const SendResult& sent, std::string_view name) {
    return std::string(sent->headers.find(name).value_or(""));
}

// The token server's log: one object per token request.
std::vector<nlohmann::json> token_requests(const LocalRegistry& registry) {
    std::ifstream in(registry.token_log());
    std::vector<nlohmann::json> entries;
    for (std::string line; std::getline(in, line);) {
        entries.push_back(nlohmann::json::parse(line));
    }
    return entries;
}

// True when a token request by user (null: anonymous) was granted an action on repository.
bool token_allowed(const std::vector<nlohmann::json>& entries, const nlohmann::json& user,
                   const std::string& repository, const std::string& action) {
    return std::any_of(entries.begin(), entries.end(), [&](const nlohmann::json& entry) {
        return entry.at("user") == user &&
               std::any_of(entry.at("access").begin(), entry.at("access").end(), [&](const nlohmann::json& access) {
                   const auto& actions = access.at("actions");
                   return access.at("name") == repository &&
                          std::find(actions.begin(), actions.end(), action) != actions.end();
               });
    });
}

// The value of realm="..." in a challenge.
std::string challenge_realm(const std::string& challenge) {
    const std::size_t start = challenge.find("realm=\"") + 7;
    return challenge.substr(start, challenge.find('"', start) - start);
}

std::string form_field(const nlohmann::json& document, const std::string& name) {
    return document.value(name, std::string());
}

}  // namespace

TEST_CASE("local registry: plain http stores seeded images, tags and digests", "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path());
    CHECK(registry.scheme() == "http");
    CHECK_THAT(registry.host(), StartsWith("127.0.0.1:"));
    CHECK(registry.auth_file().empty());
    CHECK(registry.ca_file().empty());
    CHECK(registry.token_log().empty());

    const std::string first = registry.seed_image("pipe/plain", "v1");
    const std::string second = registry.seed_image(registry.host() + "/pipe/plain", "v2");
    CHECK_THAT(first, StartsWith("sha256:"));
    CHECK(first.size() == 71);
    CHECK(first != second);
    CHECK(registry.skopeo_tags(registry.host() + "/pipe/plain") == std::vector<std::string>{"v1", "v2"});
    CHECK(registry.skopeo_digest(registry.host() + "/pipe/plain:v1") == first);
    CHECK(registry.skopeo_digest("pipe/plain:v2") == second);
    CHECK(registry.skopeo_digest("pipe/plain:missing").empty());
    CHECK(registry.skopeo_digest("pipe/nothing:v1").empty());
    CHECK(registry.skopeo_tags("pipe/nothing").empty());

    CurlClient client;
    const SendResult manifest =
        client.send(make_request(Method::get, "http://" + registry.host() + "/v2/pipe/plain/manifests/v1"));
    REQUIRE(manifest);
    CHECK(manifest->status == 200);
    CHECK(header(manifest, "Docker-Content-Digest") == first);
    INFO(registry.log_tail());
}

TEST_CASE("local registry: htpasswd accepts the user and refuses anonymous and wrong credentials",
          "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path(), {RegistryAuth::htpasswd, false});
    REQUIRE_FALSE(registry.auth_file().empty());
    struct stat info {};
    REQUIRE(::stat(registry.auth_file().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777U) == 0600U);
    CHECK(nlohmann::json::parse(std::ifstream(registry.auth_file())).at("auths").contains(registry.host()));
    CHECK(registry.username() == "pipe-ci");
    CHECK(registry.password().size() >= 16);

    const std::string digest = registry.seed_image("pipe/private", "v1");
    CHECK(registry.skopeo_digest("pipe/private:v1") == digest);
    CHECK(registry.skopeo_tags("pipe/private") == std::vector<std::string>{"v1"});

    CurlClient client;
    const SendResult challenged = client.send(make_request(Method::get, "http://" + registry.host() + "/v2/"));
    REQUIRE(challenged);
    CHECK(challenged->status == 401);
    CHECK_THAT(header(challenged, "WWW-Authenticate"), StartsWith("Basic realm="));

    const auto anonymous = registry.run_skopeo({"list-tags", "docker://" + registry.host() + "/pipe/private"}, {});
    CHECK_FALSE(anonymous.status.success());
    CHECK_THAT(anonymous.err, Contains("authentication required"));

    const auto wrong = write_auth_file(dir.path() / "wrong-auth.json", registry.host(), registry.username(),
                                       registry.password() + "x");
    const auto refused =
        registry.run_skopeo({"inspect", "--raw", "docker://" + registry.host() + "/pipe/private:v1"}, wrong);
    CHECK_FALSE(refused.status.success());
    CHECK_THAT(refused.err, Contains("authentication required"));
}

TEST_CASE("local registry: TLS with a private CA is verified by skopeo", "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path(), {RegistryAuth::none, true});
    CHECK(registry.scheme() == "https");
    REQUIRE(std::filesystem::exists(registry.ca_file()));
    CHECK(std::filesystem::exists(registry.cert_dir() / "ca.crt"));

    const std::string digest = registry.seed_image("pipe/secure", "v1");
    CHECK(registry.skopeo_digest("pipe/secure:v1") == digest);

    CurlOptions options;
    options.ca_file = registry.ca_file();
    CurlClient client(options);
    const SendResult answer = client.send(make_request(Method::get, "https://" + registry.host() + "/v2/"));
    REQUIRE(answer);
    CHECK(answer->status == 200);

    pipeline::proc::Command unverified;
    unverified.argv = {"skopeo", "inspect", "--raw", "--tls-verify=true",
                       "docker://" + registry.host() + "/pipe/secure:v1"};
    unverified.timeout = 60s;
    pipeline::proc::SystemRunner runner;
    const auto refused = runner.run(unverified);
    REQUIRE(refused);
    CHECK_FALSE(refused->status.success());
    CHECK_THAT(refused->err, Contains("certificate signed by unknown authority"));
}

TEST_CASE("local registry: token auth grants the user push and anonymous clients pull only",
          "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path(), {RegistryAuth::token, false});
    REQUIRE(std::filesystem::exists(registry.token_log()));

    CurlClient client;
    const SendResult challenged = client.send(make_request(Method::get, "http://" + registry.host() + "/v2/"));
    REQUIRE(challenged);
    CHECK(challenged->status == 401);
    const std::string challenge = header(challenged, "WWW-Authenticate");
    CHECK_THAT(challenge, StartsWith("Bearer realm=\"http://127.0.0.1:"));
    CHECK_THAT(challenge, Contains("service=\"pipe-test-registry\""));

    const std::string digest = registry.seed_image("pipe/tokened", "v1");
    CHECK(registry.skopeo_digest("pipe/tokened:v1") == digest);
    CHECK(token_allowed(token_requests(registry), registry.username(), "pipe/tokened", "push"));

    const auto pushed = registry.run_skopeo({"copy", "docker://" + registry.host() + "/pipe/tokened:v1",
                                             "docker://" + registry.host() + "/pipe/anonymous:v1"},
                                            {});
    CHECK_FALSE(pushed.status.success());
    CHECK_THAT(pushed.err, Contains("denied"));
    CHECK(registry.skopeo_tags("pipe/anonymous").empty());
    const auto entries = token_requests(registry);
    CHECK(token_allowed(entries, nullptr, "pipe/tokened", "pull"));
    CHECK_FALSE(token_allowed(entries, nullptr, "pipe/anonymous", "push"));
    CHECK(std::any_of(entries.begin(), entries.end(), [](const nlohmann::json& entry) {
        return entry.at("user").is_null() &&
               entry.at("scope").dump().find("pipe/anonymous:pull,push") != std::string::npos;
    }));

    const auto wrong = write_auth_file(dir.path() / "wrong-auth.json", registry.host(), registry.username(), "nope");
    const auto refused =
        registry.run_skopeo({"inspect", "--raw", "docker://" + registry.host() + "/pipe/tokened:v1"}, wrong);
    CHECK_FALSE(refused.status.success());
    const auto after = token_requests(registry);
    CHECK(std::any_of(after.begin(), after.end(), [&](const nlohmann::json& entry) {
        return entry.at("user") == registry.username() && entry.at("granted") == false;
    }));

    Request login = make_request(Method::post, challenge_realm(challenge));
    login.add_header("Content-Type", "application/x-www-form-urlencoded");
    login.body =
        "grant_type=password&service=pipe-test-registry&client_id=pipe&scope=repository:pipe/tokened:pull"
        "&username=pipe-ci&password=" +
        registry.password();
    const SendResult issued = client.send(login);
    REQUIRE(issued);
    REQUIRE(issued->status == 200);
    const auto grant = nlohmann::json::parse(issued->body);
    CHECK(grant.at("expires_in") == 300);
    Request refresh = make_request(Method::post, challenge_realm(challenge));
    refresh.add_header("Content-Type", "application/x-www-form-urlencoded");
    refresh.body =
        "grant_type=refresh_token&service=pipe-test-registry&client_id=pipe"
        "&scope=repository:pipe/tokened:pull&refresh_token=" +
        form_field(grant, "refresh_token");
    const SendResult refreshed = client.send(refresh);
    REQUIRE(refreshed);
    REQUIRE(refreshed->status == 200);
    Request tags = make_request(Method::get, "http://" + registry.host() + "/v2/pipe/tokened/tags/list");
    tags.add_header("Authorization", "Bearer " + form_field(nlohmann::json::parse(refreshed->body), "access_token"));
    const SendResult listed = client.send(tags);
    REQUIRE(listed);
    CHECK(listed->status == 200);
    CHECK(nlohmann::json::parse(listed->body).at("tags") == nlohmann::json{"v1"});
    INFO(registry.log_tail());
}

TEST_CASE("local registry: htpasswd and token auth work over TLS", "[integration][registry]") {
    const RegistryAuth auth = GENERATE(RegistryAuth::htpasswd, RegistryAuth::token);
    TempDir dir;
    LocalRegistry registry(dir.path(), {auth, true});
    CHECK(registry.scheme() == "https");
    const std::string digest = registry.seed_image("pipe/both", "v1");
    CHECK(registry.skopeo_digest("pipe/both:v1") == digest);
    const auto anonymous = registry.run_skopeo(
        {"copy", "docker://" + registry.host() + "/pipe/both:v1", "docker://" + registry.host() + "/pipe/stranger:v1"},
        {});
    CHECK_FALSE(anonymous.status.success());
}

TEST_CASE("fault proxy: a 500 rule fires once, then requests and pushes pass through", "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path());
    const std::string digest = registry.seed_image("pipe/proxied", "v1");
    FaultProxy proxy(registry.host(), {FaultRule{"GET", "/v2/.*/manifests/", "status", 500}});
    CHECK_THAT(proxy.host(), StartsWith("127.0.0.1:"));

    CurlClient client;
    const std::string url = "http://" + proxy.host() + "/v2/pipe/proxied/manifests/v1";
    const SendResult failed = client.send(make_request(Method::get, url));
    REQUIRE(failed);
    CHECK(failed->status == 500);
    const SendResult passed = client.send(make_request(Method::get, url));
    REQUIRE(passed);
    CHECK(passed->status == 200);
    CHECK(header(passed, "Docker-Content-Digest") == digest);
    CHECK(proxy.requests() == std::vector<std::string>{"GET /v2/pipe/proxied/manifests/v1 -> fault 500",
                                                       "GET /v2/pipe/proxied/manifests/v1 -> 200"});

    CHECK(registry.skopeo_digest(proxy.host() + "/pipe/proxied:v1") == digest);
    const std::string pushed = registry.seed_image(proxy.host() + "/pipe/through", "v1");
    CHECK(registry.skopeo_digest("pipe/through:v1") == pushed);
    const auto copied = registry.run_skopeo(
        {"copy", "docker://" + registry.host() + "/pipe/proxied:v1", "docker://" + proxy.host() + "/pipe/copied:v1"},
        {});
    INFO(copied.err);
    REQUIRE(copied.status.success());
    CHECK(registry.skopeo_digest("pipe/copied:v1") == digest);

    const std::vector<std::string> lines = proxy.requests();
    const auto seen = [&lines](const std::string& prefix, const std::string& outcome) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
            return line.rfind(prefix, 0) == 0 && line.size() >= outcome.size() &&
                   line.compare(line.size() - outcome.size(), outcome.size(), outcome) == 0;
        });
    };
    CHECK(seen("PATCH /v2/pipe/through/blobs/uploads/", "-> 202"));
    CHECK(seen("PUT /v2/pipe/through/blobs/uploads/", "-> 201"));
    CHECK(seen("PUT /v2/pipe/through/manifests/v1", "-> 201"));
    CHECK(seen("PUT /v2/pipe/copied/manifests/v1", "-> 201"));
}

TEST_CASE("fault proxy: drop closes unanswered, retry_after answers 429, slow delays", "[integration][registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path());
    FaultProxy proxy(registry.host(),
                     {FaultRule{"GET", "^/v2/$", "drop"}, FaultRule{"GET", "^/v2/_catalog$", "retry_after", 500, 2},
                      FaultRule{"HEAD", "^/v2/$", "slow", 500, 1, 300, -1}});
    CurlClient client;
    const std::string base = "http://" + proxy.host() + "/v2/";

    const SendResult dropped = client.send(make_request(Method::get, base));
    REQUIRE_FALSE(dropped);
    CHECK(dropped.transport_error().failure == TransportFailure::dropped);
    const SendResult answered = client.send(make_request(Method::get, base));
    REQUIRE(answered);
    CHECK(answered->status == 200);

    const SendResult limited = client.send(make_request(Method::get, base + "_catalog"));
    REQUIRE(limited);
    CHECK(limited->status == 429);
    CHECK(header(limited, "Retry-After") == "2");
    const SendResult listed = client.send(make_request(Method::get, base + "_catalog?n=10"));
    REQUIRE(listed);
    CHECK(listed->status == 200);

    for (int i = 0; i < 2; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const SendResult slow = client.send(make_request(Method::head, base));
        REQUIRE(slow);
        CHECK(slow->status == 200);
        CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    }
    CHECK(proxy.requests() == std::vector<std::string>{"GET /v2/ -> fault drop", "GET /v2/ -> 200",
                                                       "GET /v2/_catalog -> fault 429", "GET /v2/_catalog -> 200",
                                                       "HEAD /v2/ -> slow 200", "HEAD /v2/ -> slow 200"});
}
