#include <pipe/core/secret.h>
#include <pipe/http/sanitized_url.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::redact;
using pipeline::Result;
using pipeline::http::is_sensitive_query_parameter;
using pipeline::http::SanitizedUrl;

namespace {

SanitizedUrl url(const std::string& text) {
    Result<SanitizedUrl> parsed = SanitizedUrl::parse(text);
    INFO(text);
    REQUIRE(parsed.has_value());
    return *parsed;
}

}  // namespace

TEST_CASE("SanitizedUrl parses registry and API URLs", "[http][url]") {
    struct Case {
        std::string input;
        std::string scheme;
        std::string host;
        int port;
        std::string authority;
        std::string path;
        std::optional<std::string> query;
        std::string printed;
    };
    const std::vector<Case> cases = {
        {"https://registry-1.docker.io/v2/",
         "https",
         "registry-1.docker.io",
         443,
         "registry-1.docker.io",
         "/v2/",
         {},
         "https://registry-1.docker.io/v2/"},
        {"https://ghcr.io", "https", "ghcr.io", 443, "ghcr.io", "/", {}, "https://ghcr.io/"},
        {"http://localhost:5000/v2/acme/app/tags/list?n=50&last=v1", "http", "localhost", 5000, "localhost:5000",
         "/v2/acme/app/tags/list", "n=50&last=v1", "http://localhost:5000/v2/acme/app/tags/list?n=50&last=v1"},
        {"HTTPS://API.GitHub.com/repos/acme/app/pulls",
         "https",
         "api.github.com",
         443,
         "api.github.com",
         "/repos/acme/app/pulls",
         {},
         "https://api.github.com/repos/acme/app/pulls"},
        {"http://[::1]:5000/v2/", "http", "[::1]", 5000, "[::1]:5000", "/v2/", {}, "http://[::1]:5000/v2/"},
        {"http://127.0.0.1/v2/", "http", "127.0.0.1", 80, "127.0.0.1", "/v2/", {}, "http://127.0.0.1/v2/"},
        {"https://ghe.example.com:8443/api/v3",
         "https",
         "ghe.example.com",
         8443,
         "ghe.example.com:8443",
         "/api/v3",
         {},
         "https://ghe.example.com:8443/api/v3"},
        {"https://quay.io/v2/?", "https", "quay.io", 443, "quay.io", "/v2/", "", "https://quay.io/v2/?"},
    };
    for (const Case& c : cases) {
        INFO(c.input);
        const SanitizedUrl parsed = url(c.input);
        CHECK(parsed.scheme() == c.scheme);
        CHECK(parsed.host() == c.host);
        CHECK(parsed.port() == c.port);
        CHECK(parsed.authority() == c.authority);
        CHECK(parsed.path() == c.path);
        CHECK(parsed.query() == c.query);
        CHECK(parsed.string() == c.printed);
        CHECK(url(parsed.reveal()) == parsed);
    }
}

TEST_CASE("SanitizedUrl never prints userinfo, fragments or credential query values", "[http][url]") {
    struct Case {
        std::string input;
        std::string printed;
        std::vector<std::string> hidden;
    };
    const std::vector<Case> cases = {
        {"https://robot:hunter2@registry.example.com:5000/v2/",
         "https://registry.example.com:5000/v2/",
         {"robot", "hunter2"}},
        {"https://ghp_abc123@github.com/acme/app.git", "https://github.com/acme/app.git", {"ghp_abc123"}},
        {"https://prod-registry-s3.s3.amazonaws.com/docker/registry/v2/blobs/sha256/ab/data"
         "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240301%2Fus-east-1%2Fs3%2Faws4_request"
         "&X-Amz-Date=20240301T120000Z&X-Amz-Expires=1200&X-Amz-SignedHeaders=host"
         "&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0",
         "https://prod-registry-s3.s3.amazonaws.com/docker/registry/v2/blobs/sha256/ab/data"
         "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20240301T120000Z&X-Amz-Expires=1200"
         "&X-Amz-SignedHeaders=host&X-Amz-Signature=***",
         {"AKIAEXAMPLE", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}},
        {"https://acme.blob.core.windows.net/layers/abc?sv=2021-08-06&se=2024-03-01T13%3A00%3A00Z&sr=b&sp=r"
         "&sig=Zm9vYmFyYmF6%3D",
         "https://acme.blob.core.windows.net/layers/abc?sv=2021-08-06&se=2024-03-01T13%3A00%3A00Z&sr=b&sp=r&sig=***",
         {"Zm9vYmFyYmF6"}},
        {"https://auth.docker.io/token?service=registry.docker.io&scope=repository:acme/app:pull&access_token=eyJhbGc",
         "https://auth.docker.io/token?service=registry.docker.io&scope=repository:acme/app:pull&access_token=***",
         {"eyJhbGc"}},
        {"https://storage.googleapis.com/b/o?X-Goog-Signature=deadbeef&token=t0k&Token=T0K&%74oken=pct#frag",
         "https://storage.googleapis.com/b/o?X-Goog-Signature=***&token=***&Token=***&%74oken=***",
         {"deadbeef", "t0k", "T0K", "pct", "frag"}},
        {"https://example.com/a?token&flag=&password=", "https://example.com/a?token&flag=&password=***", {}},
    };
    for (const Case& c : cases) {
        INFO(c.input);
        const SanitizedUrl parsed = url(c.input);
        CHECK(parsed.string() == c.printed);
        CHECK(fmt::format("{}", parsed) == c.printed);
        std::ostringstream streamed;
        streamed << parsed;
        CHECK(streamed.str() == c.printed);
        for (const std::string& secret : c.hidden) {
            CHECK(c.printed.find(secret) == std::string::npos);
        }
        CHECK(parsed.reveal() == c.input);
    }
}

TEST_CASE("Sensitive query parameter names", "[http][url]") {
    for (const char* name : {"token", "access_token", "refresh_token", "id_token", "X-Amz-Signature",
                             "x-amz-credential", "X-Amz-Security-Token", "X-Goog-Signature", "sig", "Signature",
                             "client_secret", "password", "api_key", "key", "code"}) {
        INFO(name);
        CHECK(is_sensitive_query_parameter(name));
    }
    for (const char* name : {"service", "scope", "n", "last", "digest", "X-Amz-Expires", "X-Amz-Date", "se", "sv",
                             "mount", "from", "ref", "tokens_per_page"}) {
        INFO(name);
        CHECK_FALSE(is_sensitive_query_parameter(name));
    }
}

TEST_CASE("SanitizedUrl secrets feed redact()", "[http][url]") {
    const SanitizedUrl parsed = url("https://robot:hunter2@registry.example.com/v2/?token=abc123&n=1");
    const std::string curl_message = "Failed for https://robot:hunter2@registry.example.com/v2/?token=abc123&n=1";
    const std::string redacted = redact(curl_message, parsed.secrets());
    CHECK(redacted.find("hunter2") == std::string::npos);
    CHECK(redacted.find("abc123") == std::string::npos);
    CHECK(redacted.find("n=1") != std::string::npos);
    CHECK(url("https://example.com/").secrets().empty());
}

TEST_CASE("SanitizedUrl rejects what is not an absolute http(s) URL", "[http][url]") {
    struct Case {
        std::string input;
        std::string problem;
    };
    const std::vector<Case> cases = {
        {"", "empty"},
        {"registry.example.com/v2/", "scheme"},
        {"/v2/", "scheme"},
        {"ftp://example.com/file", "not http or https"},
        {"file:///etc/passwd", "scheme"},
        {"https://", "no host"},
        {"https:///v2/", "no host"},
        {"https://example.com:0/", "port"},
        {"https://example.com:65536/", "port"},
        {"https://example.com:+80/", "port"},
        {"https://example.com:/", "port is empty"},
        {"https://example.com:80x/", "port"},
        {"https://exa mple.com/", "space"},
        {"https://example.com/a\nb", "control"},
        {"https://example.com/caf\xc3\xa9", "non-ASCII"},
        {"https://[::1/v2/", "closing"},
        {"https://[zz]/v2/", "IPv6"},
        {"https://[::1]x/v2/", "after the IPv6"},
        {"https://exa\\mple.com/", "host"},
        {"https://user:s3cret@:443/?token=t0p", "no host"},
    };
    for (const Case& c : cases) {
        INFO(c.input);
        Result<SanitizedUrl> parsed = SanitizedUrl::parse(c.input);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().kind == ErrorKind::usage);
        CHECK_THAT(parsed.error().message, Catch::Contains(c.problem));
        CHECK_FALSE(parsed.error().hint.empty());
        CHECK(parsed.error().message.find("s3cret") == std::string::npos);
        CHECK(parsed.error().message.find("t0p") == std::string::npos);
    }
}

TEST_CASE("SanitizedUrl resolves references as RFC 3986 section 5.4 says", "[http][url]") {
    const SanitizedUrl base = url("http://a/b/c/d;p?q");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"HTTPS://Other.Example:8443/x", "https://other.example:8443/x"},
    };
    for (const auto& [reference, expected] : cases) {
        INFO(reference);
        Result<SanitizedUrl> resolved = base.resolve(reference);
        REQUIRE(resolved.has_value());
        CHECK(resolved->reveal() == expected);
    }
}

TEST_CASE("SanitizedUrl resolves registry Location headers", "[http][url]") {
    const SanitizedUrl upload = url("https://registry.example.com:5000/v2/acme/app/blobs/uploads/");
    Result<SanitizedUrl> relative = upload.resolve("/v2/acme/app/blobs/uploads/4f9c0b2e-7d61?_state=c2Vzc2lvbg%3D%3D");
    REQUIRE(relative.has_value());
    CHECK(relative->reveal() ==
          "https://registry.example.com:5000/v2/acme/app/blobs/uploads/4f9c0b2e-7d61?_state=c2Vzc2lvbg%3D%3D");
    CHECK(relative->same_origin(upload));

    Result<SanitizedUrl> storage = upload.resolve(
        "https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/4a/"
        "data?verify=1709300000-abc&sig=xyz");
    REQUIRE(storage.has_value());
    CHECK_FALSE(storage->same_origin(upload));
    CHECK(storage->string().find("xyz") == std::string::npos);

    Result<SanitizedUrl> scheme_relative = upload.resolve("//mirror.example.com/v2/");
    REQUIRE(scheme_relative.has_value());
    CHECK(scheme_relative->reveal() == "https://mirror.example.com/v2/");

    CHECK_FALSE(upload.resolve("ftp://example.com/x").has_value());
    CHECK_FALSE(upload.resolve("/v2/a b").has_value());
}

TEST_CASE("SanitizedUrl origins: scheme, host and effective port", "[http][url]") {
    const SanitizedUrl base = url("https://registry.example.com/v2/");
    CHECK(base.same_origin(url("https://REGISTRY.example.com:443/other")));
    CHECK(base.same_origin(url("https://user:pw@registry.example.com/v2/?x=1")));
    CHECK_FALSE(base.same_origin(url("http://registry.example.com/v2/")));
    CHECK_FALSE(base.same_origin(url("https://registry.example.com:5000/v2/")));
    CHECK_FALSE(base.same_origin(url("https://auth.example.com/v2/")));
    CHECK(url("http://127.0.0.1:8080/").same_origin(url("http://127.0.0.1:8080/x")));
    CHECK_FALSE(url("http://127.0.0.1:8080/").same_origin(url("http://127.0.0.2:8080/")));
}

TEST_CASE("A default SanitizedUrl is empty", "[http][url]") {
    const SanitizedUrl none;
    CHECK(none.empty());
    CHECK(none.string().empty());
    CHECK(none.reveal().empty());
    CHECK_FALSE(url("https://ghcr.io/").empty());
}
