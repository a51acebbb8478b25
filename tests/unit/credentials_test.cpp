#include <pipe/oci/credentials.h>
#include <pipe/proc/recording_runner.h>
#include <pipe/proc/system_runner.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using pipeline::Environment;
using pipeline::Error;
using pipeline::ErrorKind;
using pipeline::Secret;
using pipeline::oci::AuthFile;
using pipeline::oci::AuthFileFormat;
using pipeline::oci::CredentialResolver;
using pipeline::oci::Credentials;
using pipeline::proc::Command;
using pipeline::proc::ExitStatus;
using pipeline::proc::ProcessResult;
using pipeline::proc::RecordingRunner;
using pipeline::proc::SystemRunner;
using pipeline::testing::read_file;
using pipeline::testing::TempDir;
namespace fs = std::filesystem;
namespace oci = pipeline::oci;

namespace {

const fs::path k_auth_data = fs::path(PIPE_TEST_DATA) / "auth";
const fs::path k_fake_helper = fs::path(PIPE_TEST_DATA).parent_path() / "fakes" / "fake-docker-credential-pipe-test";

// Every password, token and auth value in tests/data/auth contains this marker (base64 aside).
constexpr std::string_view k_secret_marker = "SECRET";

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// Everything a user could see of an error: no fake secret may appear in it.
std::string shown(const Error& error) {
    return describe(error) + "\n" + error.hint;
}

// A fake machine: HOME, XDG_RUNTIME_DIR and a bin directory with the fake credential helper
// linked as docker-credential-pipe-test, all under one temporary directory.
class AuthWorld {
public:
    AuthWorld() {
        fs::create_directories(root() / "home");
        fs::create_directories(root() / "run");
        fs::create_directories(root() / "bin");
        fs::create_symlink(k_fake_helper, root() / "bin" / "docker-credential-pipe-test");
        env["HOME"] = (root() / "home").string();
        env["XDG_RUNTIME_DIR"] = (root() / "run").string();
        env["PATH"] = (root() / "bin").string() + ":/usr/bin:/bin";
        env["PIPE_FAKE_HELPER_LOG"] = helper_log_path().string();
    }

    const fs::path& root() const { return m_dir.path(); }

    // Where a location name puts a file: runtime, config-home, docker, dockercfg, explicit, docker-config-dir.
    fs::path path_of(std::string_view location) const {
        if (location == "runtime") {
            return root() / "run" / "containers" / "auth.json";
        }
        if (location == "config-home") {
            return root() / "home" / ".config" / "containers" / "auth.json";
        }
        if (location == "docker") {
            return root() / "home" / ".docker" / "config.json";
        }
        if (location == "dockercfg") {
            return root() / "home" / ".dockercfg";
        }
        if (location == "explicit") {
            return root() / "explicit" / "auth.json";
        }
        if (location == "docker-config-dir") {
            return root() / "docker-config" / "config.json";
        }
        FAIL("unknown location " << location);
        return {};
    }

    // Copies a fixture from tests/data/auth to a location, setting the variable that names it.
    void install(std::string_view location, std::string_view fixture) {
        const fs::path target = path_of(location);
        fs::create_directories(target.parent_path());
        fs::copy_file(k_auth_data / fixture, target, fs::copy_options::overwrite_existing);
        if (location == "explicit") {
            env["REGISTRY_AUTH_FILE"] = target.string();
        }
        if (location == "docker-config-dir") {
            env["DOCKER_CONFIG"] = target.parent_path().string();
        }
    }

    // {root} in text replaced by the temporary directory.
    std::string expand(const std::string& text) const { return replace_all(text, "{root}", root().string()); }

    fs::path helper_log_path() const { return root() / "helper.log"; }
    std::string helper_log() const { return read_file(helper_log_path()); }

    Environment env;

private:
    TempDir m_dir;
};

struct ResolveCase {
    std::string name;
    std::vector<std::pair<std::string, std::string>> files;  // location -> fixture
    Environment env;                                         // added to the world's; {root} expanded
    std::string registry;
    std::string repository;
    std::string username;
    std::string password;
    std::string identity_token;
    std::string source;  // {root} expanded
};

std::string anonymous_for(std::string_view host) {
    return "anonymous (no credentials for " + std::string(host) + " in the environment or the auth files)";
}

const std::string k_runtime_source = "auth file {root}/run/containers/auth.json";
const std::string k_docker_source = "auth file {root}/home/.docker/config.json";
const std::string k_env_source = "environment PIPE_REGISTRY_USERNAME/PIPE_REGISTRY_PASSWORD";

const std::vector<ResolveCase>& resolve_cases() {
    static const std::vector<ResolveCase> cases = {
        // Keys shapes in a containers auth.json.
        {"host key",
         {{"runtime", "containers-auth.json"}},
         {},
         "ghcr.io",
         "acme/app",
         "ghcr-file-user",
         "ghcr-file-pass-SECRET",
         "",
         k_runtime_source},
        {"host key, upper case query",
         {{"runtime", "containers-auth.json"}},
         {},
         "GHCR.IO",
         "",
         "ghcr-file-user",
         "ghcr-file-pass-SECRET",
         "",
         k_runtime_source},
        {"host:port key",
         {{"runtime", "containers-auth.json"}},
         {},
         "127.0.0.1:5000",
         "app",
         "local-user",
         "local-pass-SECRET",
         "",
         k_runtime_source},
        {"host key without repository",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "",
         "quay-user",
         "quay-pass-SECRET",
         "",
         k_runtime_source},
        {"repository key is the most specific",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "acme/app",
         "app-user",
         "app-pass-SECRET",
         "",
         k_runtime_source + " (key \"quay.io/acme/app\")"},
        {"repository key covers deeper paths",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "acme/app/debug",
         "app-user",
         "app-pass-SECRET",
         "",
         k_runtime_source + " (key \"quay.io/acme/app\")"},
        {"namespace key",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "acme/other",
         "acme-user",
         "acme-pass-SECRET",
         "",
         k_runtime_source + " (key \"quay.io/acme\")"},
        {"namespace keys match whole components",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "acme-tools/app",
         "quay-user",
         "quay-pass-SECRET",
         "",
         k_runtime_source},
        {"an empty entry is skipped for a less specific key",
         {{"runtime", "containers-auth.json"}},
         {},
         "quay.io",
         "empty/app",
         "quay-user",
         "quay-pass-SECRET",
         "",
         k_runtime_source},

        // Docker config.json shapes.
        {"Docker Hub URL key for docker.io",
         {{"docker", "docker-config.json"}},
         {},
         "docker.io",
         "library/alpine",
         "hub-user",
         "hub-pass-SECRET",
         "",
         k_docker_source + " (key \"https://index.docker.io/v1/\")"},
        {"Docker Hub URL key for index.docker.io",
         {{"docker", "docker-config.json"}},
         {},
         "index.docker.io",
         "",
         "hub-user",
         "hub-pass-SECRET",
         "",
         k_docker_source + " (key \"https://index.docker.io/v1/\")"},
        {"Docker Hub URL key for registry-1.docker.io",
         {{"docker", "docker-config.json"}},
         {},
         "registry-1.docker.io",
         "",
         "hub-user",
         "hub-pass-SECRET",
         "",
         k_docker_source + " (key \"https://index.docker.io/v1/\")"},
        {"Docker Hub URL key for its own spelling",
         {{"docker", "docker-config.json"}},
         {},
         "https://index.docker.io/v1/",
         "",
         "hub-user",
         "hub-pass-SECRET",
         "",
         k_docker_source + " (key \"https://index.docker.io/v1/\")"},
        {"https URL key with an API path",
         {{"docker", "docker-config.json"}},
         {},
         "registry.example.com",
         "team/app",
         "url-user",
         "url-pass-SECRET",
         "",
         k_docker_source + " (key \"https://registry.example.com/v2/\")"},
        {"http URL key with a port",
         {{"docker", "docker-config.json"}},
         {},
         "insecure.example.com:5000",
         "app",
         "insecure-user",
         "insecure-pass-SECRET",
         "",
         k_docker_source + " (key \"http://insecure.example.com:5000\")"},
        {"username and password fields",
         {{"docker", "docker-config.json"}},
         {},
         "registry.gitlab.com",
         "group/app",
         "gl-user",
         "gl-pass-SECRET",
         "",
         k_docker_source},
        {"identity token",
         {{"docker", "docker-config.json"}},
         {},
         "myregistry.azurecr.io",
         "app",
         "00000000-0000-0000-0000-000000000000",
         "",
         "azure-refresh-token-SECRET",
         k_docker_source},
        {"NULs after the password are trimmed",
         {{"docker", "docker-config.json"}},
         {},
         "nul.example.com",
         "",
         "nul-user",
         "nul-pass-SECRET",
         "",
         k_docker_source},
        {"legacy .dockercfg",
         {{"dockercfg", "dockercfg-legacy.json"}},
         {},
         "docker.io",
         "library/alpine",
         "legacy-user",
         "legacy-pass-SECRET",
         "",
         "auth file {root}/home/.dockercfg (key \"https://index.docker.io/v1/\")"},
        {"legacy .dockercfg host key",
         {{"dockercfg", "dockercfg-legacy.json"}},
         {},
         "legacy.example.com",
         "",
         "legacy-host-user",
         "legacy-host-pass-SECRET",
         "",
         "auth file {root}/home/.dockercfg"},

        // Precedence between files.
        {"runtime auth.json before ~/.config",
         {{"runtime", "containers-auth.json"}, {"config-home", "config-home-auth.json"}},
         {},
         "quay.io",
         "",
         "quay-user",
         "quay-pass-SECRET",
         "",
         k_runtime_source},
        {"~/.config before ~/.docker",
         {{"runtime", "containers-auth.json"},
          {"config-home", "config-home-auth.json"},
          {"docker", "docker-config.json"}},
         {},
         "gitlab.example.com",
         "",
         "config-home-user",
         "config-home-pass-SECRET",
         "",
         "auth file {root}/home/.config/containers/auth.json"},
        {"XDG_CONFIG_HOME moves the config auth.json",
         {{"config-home", "config-home-auth.json"}},
         {{"XDG_CONFIG_HOME", "{root}/elsewhere"}},
         "gitlab.example.com",
         "",
         "",
         "",
         "",
         anonymous_for("gitlab.example.com")},
        {"~/.docker before ~/.dockercfg",
         {{"docker", "docker-config.json"}, {"dockercfg", "dockercfg-legacy.json"}},
         {},
         "docker.io",
         "",
         "hub-user",
         "hub-pass-SECRET",
         "",
         k_docker_source + " (key \"https://index.docker.io/v1/\")"},
        {"DOCKER_CONFIG replaces ~/.docker",
         {{"docker", "docker-config.json"}, {"docker-config-dir", "hub-key-docker-io.json"}},
         {},
         "docker.io",
         "",
         "hub-alias-user",
         "hub-alias-pass-SECRET",
         "",
         "auth file {root}/docker-config/config.json"},
        {"DOCKER_CONFIG hides ~/.docker",
         {{"docker", "docker-config.json"}, {"docker-config-dir", "hub-key-docker-io.json"}},
         {},
         "registry.gitlab.com",
         "",
         "",
         "",
         "",
         anonymous_for("registry.gitlab.com")},
        {"REGISTRY_AUTH_FILE wins",
         {{"runtime", "containers-auth.json"}, {"explicit", "registry-auth-file.json"}},
         {},
         "ghcr.io",
         "",
         "exclusive-user",
         "exclusive-pass-SECRET",
         "",
         "auth file {root}/explicit/auth.json"},
        {"REGISTRY_AUTH_FILE is exclusive",
         {{"runtime", "containers-auth.json"},
          {"docker", "docker-config.json"},
          {"explicit", "registry-auth-file.json"}},
         {},
         "quay.io",
         "",
         "",
         "",
         "",
         anonymous_for("quay.io")},
        {"a missing REGISTRY_AUTH_FILE is still exclusive",
         {{"runtime", "containers-auth.json"}},
         {{"REGISTRY_AUTH_FILE", "{root}/nowhere/auth.json"}},
         "quay.io",
         "",
         "",
         "",
         "",
         anonymous_for("quay.io")},

        // Environment.
        {"PIPE_REGISTRY_* before every file",
         {{"runtime", "containers-auth.json"}},
         {{"PIPE_REGISTRY_USERNAME", "env-user"}, {"PIPE_REGISTRY_PASSWORD", "env-pass-SECRET"}},
         "ghcr.io",
         "",
         "env-user",
         "env-pass-SECRET",
         "",
         k_env_source},
        {"PIPE_REGISTRY_* apply to every registry",
         {},
         {{"PIPE_REGISTRY_USERNAME", "env-user"}, {"PIPE_REGISTRY_PASSWORD", "env-pass-SECRET"}},
         "quay.io",
         "",
         "env-user",
         "env-pass-SECRET",
         "",
         k_env_source},
        {"PIPE_REGISTRY limits them to its host",
         {},
         {{"PIPE_REGISTRY_USERNAME", "env-user"},
          {"PIPE_REGISTRY_PASSWORD", "env-pass-SECRET"},
          {"PIPE_REGISTRY", "quay.io"}},
         "ghcr.io",
         "",
         "",
         "",
         "",
         anonymous_for("ghcr.io")},
        {"PIPE_REGISTRY matches its own host",
         {},
         {{"PIPE_REGISTRY_USERNAME", "env-user"},
          {"PIPE_REGISTRY_PASSWORD", "env-pass-SECRET"},
          {"PIPE_REGISTRY", "Quay.io"}},
         "quay.io",
         "",
         "env-user",
         "env-pass-SECRET",
         "",
         k_env_source},
        {"PIPE_REGISTRY as a Docker Hub URL",
         {},
         {{"PIPE_REGISTRY_USERNAME", "env-user"},
          {"PIPE_REGISTRY_PASSWORD", "env-pass-SECRET"},
          {"PIPE_REGISTRY", "https://index.docker.io/v1/"}},
         "registry-1.docker.io",
         "",
         "env-user",
         "env-pass-SECRET",
         "",
         k_env_source},
        {"GITHUB_TOKEN for ghcr.io with GITHUB_ACTOR",
         {},
         {{"GITHUB_TOKEN", "gh-token-SECRET"}, {"GITHUB_ACTOR", "octocat"}},
         "ghcr.io",
         "acme/app",
         "octocat",
         "gh-token-SECRET",
         "",
         "environment GITHUB_TOKEN"},
        {"GITHUB_TOKEN for ghcr.io without GITHUB_ACTOR",
         {},
         {{"GITHUB_TOKEN", "gh-token-SECRET"}},
         "ghcr.io",
         "",
         "x-access-token",
         "gh-token-SECRET",
         "",
         "environment GITHUB_TOKEN"},
        {"GITHUB_TOKEN is for ghcr.io only",
         {},
         {{"GITHUB_TOKEN", "gh-token-SECRET"}},
         "quay.io",
         "",
         "",
         "",
         "",
         anonymous_for("quay.io")},
        {"an auth file before GITHUB_TOKEN",
         {{"runtime", "containers-auth.json"}},
         {{"GITHUB_TOKEN", "gh-token-SECRET"}},
         "ghcr.io",
         "",
         "ghcr-file-user",
         "ghcr-file-pass-SECRET",
         "",
         k_runtime_source},
        {"GITHUB_TOKEN after an exclusive REGISTRY_AUTH_FILE without ghcr.io",
         {{"explicit", "hub-key-docker-io.json"}},
         {{"GITHUB_TOKEN", "gh-token-SECRET"}},
         "ghcr.io",
         "",
         "x-access-token",
         "gh-token-SECRET",
         "",
         "environment GITHUB_TOKEN"},
        {"nothing anywhere", {}, {}, "quay.io", "", "", "", "", anonymous_for("quay.io")},
    };
    return cases;
}

}  // namespace

TEST_CASE("credentials are resolved from the right source, first hit wins", "[credentials]") {
    for (const ResolveCase& c : resolve_cases()) {
        INFO("case: " << c.name);
        AuthWorld world;
        for (const auto& [location, fixture] : c.files) {
            world.install(location, fixture);
        }
        for (const auto& [name, value] : c.env) {
            world.env[name] = world.expand(value);
        }
        RecordingRunner runner;
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve(c.registry, c.repository);
        REQUIRE(found.has_value());
        CHECK(found->username == c.username);
        CHECK(found->password.reveal() == c.password);
        CHECK(found->identity_token.reveal() == c.identity_token);
        CHECK(found->source == world.expand(c.source));
        CHECK(found->anonymous() == (c.password.empty() && c.identity_token.empty()));
        CHECK(describe(*found).find(k_secret_marker) == std::string::npos);
        CHECK(runner.commands().empty());
    }
}

TEST_CASE("every Docker Hub key spelling serves every Docker Hub alias", "[credentials]") {
    const std::vector<std::string> fixtures = {"hub-key-docker-io.json", "hub-key-index-docker-io.json",
                                               "hub-key-registry-1-docker-io.json", "hub-key-v1-url.json"};
    const std::vector<std::string> queries = {"docker.io", "index.docker.io", "registry-1.docker.io",
                                              "https://index.docker.io/v1/", "Docker.IO"};
    for (const std::string& fixture : fixtures) {
        for (const std::string& query : queries) {
            INFO(fixture << " queried as " << query);
            AuthWorld world;
            world.install("runtime", fixture);
            RecordingRunner runner;
            CredentialResolver resolver(world.env, runner);
            pipeline::Result<Credentials> found = resolver.resolve(query, "library/alpine");
            REQUIRE(found.has_value());
            CHECK(found->username == "hub-alias-user");
            CHECK(found->password.reveal() == "hub-alias-pass-SECRET");
        }
    }
}

TEST_CASE("registry hosts are normalized like image references", "[credentials]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"docker.io", "docker.io"},
        {"index.docker.io", "docker.io"},
        {"registry-1.docker.io", "docker.io"},
        {"https://index.docker.io/v1/", "docker.io"},
        {"http://registry-1.docker.io/v2/", "docker.io"},
        {"HTTPS://GHCR.IO/", "ghcr.io"},
        {"ghcr.io/acme/app", "ghcr.io"},
        {" quay.io ", "quay.io"},
        {"127.0.0.1:5000", "127.0.0.1:5000"},
        {"[::1]:5000", "[::1]:5000"},
        {"localhost:5000/v2/", "localhost:5000"},
    };
    for (const auto& [input, expected] : cases) {
        INFO(input);
        CHECK(oci::normalize_registry_host(input) == expected);
    }
    CHECK(oci::docker_server_url("registry-1.docker.io") == "https://index.docker.io/v1/");
    CHECK(oci::docker_server_url("https://ghcr.io/") == "ghcr.io");
}

TEST_CASE("base64 follows RFC 4648", "[credentials]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
        {std::string("\0\xff", 2), "AP8="},
    };
    for (const auto& [plain, encoded] : vectors) {
        INFO(encoded);
        CHECK(oci::encode_base64(plain) == encoded);
        CHECK(oci::decode_base64(encoded) == plain);
    }
    CHECK(oci::decode_base64("Zm8") == "fo");
    CHECK(oci::decode_base64("Zg") == "f");
    for (const char* invalid : {"Zm9v!", "Z", "Zg=", "Zm9v===", "====", "Zm 9v", "Zm9v\n", "Zm-_"}) {
        INFO(invalid);
        CHECK_FALSE(oci::decode_base64(invalid).has_value());
    }
}

TEST_CASE("malformed auth files are config errors with a position and without their values", "[credentials]") {
    struct MalformedCase {
        std::string fixture;
        std::string where;  // {path} is the file
        std::string message;
    };
    const std::vector<MalformedCase> cases = {
        {"malformed-syntax.json", "{path}:4:13",
         "invalid JSON: syntax error while parsing object - unexpected string literal; expected '}'"},
        {"malformed-unterminated.json", "{path}:3:55",
         "invalid JSON: syntax error while parsing value - invalid string: control character U+000A (LF) must be "
         "escaped to \\u000A or \\n"},
        {"malformed-truncated.json", "{path}:4:1",
         "invalid JSON: syntax error while parsing object key - unexpected end of input; expected string literal"},
        {"malformed-base64.json", "{path}", "auths[\"ghcr.io\"].auth is not valid base64"},
        {"malformed-no-colon.json", "{path}", "auths[\"ghcr.io\"].auth does not decode to \"username:password\""},
        {"malformed-types.json", "{path}", "auths must be an object, not array"},
        {"malformed-entry-type.json", "{path}", "auths[\"ghcr.io\"].auth must be a string, not number"},
        {"malformed-helper-name.json", "{path}",
         "credHelpers[\"ghcr.io\"] names an invalid credential helper \"../../tmp/evil\""},
        {"malformed-top-level.json", "{path}", "expected a JSON object, found array"},
    };
    for (const MalformedCase& c : cases) {
        INFO(c.fixture);
        const fs::path path = k_auth_data / c.fixture;
        const std::string text = read_file(path);
        REQUIRE_FALSE(text.empty());

        pipeline::Result<AuthFile> parsed = oci::parse_auth_file(text, path, AuthFileFormat::config);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().kind == ErrorKind::config);
        CHECK(parsed.error().where == replace_all(c.where, "{path}", path.string()));
        CHECK(parsed.error().message == c.message);
        CHECK_FALSE(parsed.error().hint.empty());
        CHECK(shown(parsed.error()).find(k_secret_marker) == std::string::npos);
        CHECK(shown(parsed.error()).find("last read") == std::string::npos);

        // The same error, naming the installed file, when the resolver finds it.
        AuthWorld world;
        world.install("docker", c.fixture);
        RecordingRunner runner;
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve("ghcr.io");
        REQUIRE_FALSE(found.has_value());
        CHECK(found.error().kind == ErrorKind::config);
        CHECK(found.error().where == replace_all(c.where, "{path}", world.path_of("docker").string()));
        CHECK(shown(found.error()).find(k_secret_marker) == std::string::npos);
    }
}

TEST_CASE("an empty auth file holds no credentials", "[credentials]") {
    for (const char* text : {"", "  \n", "{}", "{\"auths\": null}", "{\"auths\": {}, \"credHelpers\": {}}"}) {
        INFO(text);
        pipeline::Result<AuthFile> parsed = oci::parse_auth_file(text, "auth.json", AuthFileFormat::config);
        REQUIRE(parsed.has_value());
        CHECK(parsed->auths.empty());
        CHECK(parsed->cred_helpers.empty());
        CHECK(parsed->creds_store.empty());
    }
}

TEST_CASE("an auth file that cannot be read is a config error naming it", "[credentials]") {
    AuthWorld world;
    fs::create_directories(world.path_of("runtime"));
    RecordingRunner runner;
    CredentialResolver resolver(world.env, runner);
    pipeline::Result<Credentials> found = resolver.resolve("ghcr.io");
    REQUIRE_FALSE(found.has_value());
    CHECK(found.error().kind == ErrorKind::config);
    CHECK(found.error().where == world.path_of("runtime").string());
    CHECK(found.error().message == "the auth file is a directory");
}

TEST_CASE("half of PIPE_REGISTRY_USERNAME/PASSWORD is a config error", "[credentials]") {
    for (const char* name : {"PIPE_REGISTRY_USERNAME", "PIPE_REGISTRY_PASSWORD"}) {
        INFO(name);
        AuthWorld world;
        world.env[name] = "only-one-SECRET";
        RecordingRunner runner;
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve("ghcr.io");
        REQUIRE_FALSE(found.has_value());
        CHECK(found.error().kind == ErrorKind::config);
        CHECK(found.error().where == "environment");
        CHECK(found.error().message.find(name) != std::string::npos);
        CHECK(shown(found.error()).find(k_secret_marker) == std::string::npos);
    }
}

TEST_CASE("the auth file locations follow containers/image", "[credentials]") {
    using Locations = std::vector<std::pair<fs::path, AuthFileFormat>>;
    CHECK(oci::auth_file_locations({{"HOME", "/h"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}}) ==
          Locations{{"/run/user/1000/containers/auth.json", AuthFileFormat::config},
                    {"/h/.config/containers/auth.json", AuthFileFormat::config},
                    {"/h/.docker/config.json", AuthFileFormat::config},
                    {"/h/.dockercfg", AuthFileFormat::legacy}});
    CHECK(oci::auth_file_locations(
              {{"HOME", "/h"}, {"XDG_RUNTIME_DIR", "/r"}, {"XDG_CONFIG_HOME", "/c"}, {"DOCKER_CONFIG", "/d"}}) ==
          Locations{{"/r/containers/auth.json", AuthFileFormat::config},
                    {"/c/containers/auth.json", AuthFileFormat::config},
                    {"/d/config.json", AuthFileFormat::config},
                    {"/h/.dockercfg", AuthFileFormat::legacy}});
    CHECK(oci::auth_file_locations({{"HOME", "/h"}, {"REGISTRY_AUTH_FILE", "/x/auth.json"}}) ==
          Locations{{"/x/auth.json", AuthFileFormat::config}});
    const Locations without_runtime_dir = oci::auth_file_locations({{"HOME", "/h"}});
    REQUIRE(without_runtime_dir.size() == 4);
    CHECK(without_runtime_dir.front().first.string().rfind("/run/containers/", 0) == 0);
}

TEST_CASE("credHelpers runs docker-credential-<name> get with the host on stdin", "[credentials]") {
    AuthWorld world;
    world.install("docker", "docker-config.json");
    world.env["GITHUB_TOKEN"] = "gh-token-SECRET";
    const std::string host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    RecordingRunner runner;
    runner.expect({"docker-credential-ecr-login", "get"},
                  ProcessResult{ExitStatus(),
                                R"({"ServerURL":")" + host + R"(","Username":"AWS","Secret":"ecr-pass-SECRET"})" + "\n",
                                "",
                                {}});
    CredentialResolver resolver(world.env, runner);

    pipeline::Result<Credentials> found = resolver.resolve(host, "acme/app");
    REQUIRE(found.has_value());
    CHECK(found->username == "AWS");
    CHECK(found->password.reveal() == "ecr-pass-SECRET");
    CHECK(found->source == world.expand("credential helper docker-credential-ecr-login (credHelpers[\"" + host +
                                        "\"] in {root}/home/.docker/config.json)"));

    REQUIRE(runner.commands().size() == 1);
    const Command& command = runner.commands().front();
    CHECK(command.argv == std::vector<std::string>{"docker-credential-ecr-login", "get"});
    CHECK(command.stdin_data == host);
    CHECK_FALSE(command.inherit_environment);
    CHECK(command.env == Environment{{"PATH", world.env.at("PATH")}});
    CHECK(command.secret_env.at("HOME").reveal() == world.env.at("HOME"));
    CHECK(command.secret_env.at("GITHUB_TOKEN").reveal() == "gh-token-SECRET");
    CHECK(command.timeout == oci::k_credential_helper_timeout);
    CHECK(pipeline::proc::describe(command).find(k_secret_marker) == std::string::npos);

    // A second repository on the same registry reuses the helper's answer.
    pipeline::Result<Credentials> again = resolver.resolve(host, "acme/other");
    REQUIRE(again.has_value());
    CHECK(again->password.reveal() == "ecr-pass-SECRET");
    CHECK(runner.commands().size() == 1);
    CHECK(runner.unanswered() == 0);
}

TEST_CASE("credsStore sends Docker Hub's server URL and its not-found falls through", "[credentials]") {
    AuthWorld world;
    world.install("docker", "docker-config-credsstore.json");
    RecordingRunner runner;
    runner.expect(
        {"docker-credential-pipe-test", "get"},
        ProcessResult{
            ExitStatus(),
            R"({"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"hub-refresh-SECRET"})",
            "",
            {}});
    runner.expect({"docker-credential-pipe-test", "get"},
                  ProcessResult{ExitStatus::exited(1), "credentials not found in native keychain\n", "", {}});
    runner.expect({"docker-credential-pipe-test", "get"},
                  ProcessResult{ExitStatus::exited(1), "credentials not found in native keychain\n", "", {}});
    CredentialResolver resolver(world.env, runner);

    pipeline::Result<Credentials> hub = resolver.resolve("registry-1.docker.io", "library/alpine");
    REQUIRE(hub.has_value());
    CHECK(hub->username.empty());
    CHECK(hub->password.empty());
    CHECK(hub->identity_token.reveal() == "hub-refresh-SECRET");
    CHECK(hub->source == world.expand("credential helper docker-credential-pipe-test (credsStore in "
                                      "{root}/home/.docker/config.json)"));
    CHECK(describe(*hub).find("identity token") != std::string::npos);

    pipeline::Result<Credentials> inline_entry = resolver.resolve("inline.example.com");
    REQUIRE(inline_entry.has_value());
    CHECK(inline_entry->username == "store-inline-user");
    CHECK(inline_entry->source == world.expand("auth file {root}/home/.docker/config.json"));

    pipeline::Result<Credentials> nothing = resolver.resolve("quay.io");
    REQUIRE(nothing.has_value());
    CHECK(nothing->anonymous());

    REQUIRE(runner.commands().size() == 3);
    CHECK(runner.commands()[0].stdin_data == "https://index.docker.io/v1/");
    CHECK(runner.commands()[1].stdin_data == "inline.example.com");
    CHECK(runner.commands()[2].stdin_data == "quay.io");
}

TEST_CASE("a failing credential helper is a runtime error naming it, never its secret", "[credentials]") {
    struct HelperFailure {
        std::string name;
        pipeline::Result<ProcessResult> answer;
        ErrorKind kind;
        std::string message;
    };
    const std::string origin = " (configured by credHelpers[\"error.example.com\"] in {root}/home/.docker/config.json)";
    const std::vector<HelperFailure> cases = {
        {"error on stdout",
         ProcessResult{ExitStatus::exited(1), "error getting credentials - err: backend down\n", "", {}},
         ErrorKind::runtime,
         "credential helper docker-credential-pipe-test failed for error.example.com: exited with code 1: error "
         "getting credentials - err: backend down" +
             origin},
        {"crash", ProcessResult{ExitStatus::signaled(SIGSEGV), "", "segfault\n", {}}, ErrorKind::runtime,
         "credential helper docker-credential-pipe-test failed for error.example.com: killed by signal 11 (SIGSEGV): "
         "segfault" +
             origin},
        {"answer on a failing exit",
         ProcessResult{ExitStatus::exited(2), R"({"Username":"u","Secret":"leaked-SECRET"})", "", {}},
         ErrorKind::runtime,
         "credential helper docker-credential-pipe-test failed for error.example.com: exited with code 2: (its "
         "output is not shown: it may hold credentials)" +
             origin},
        {"not JSON", ProcessResult{ExitStatus(), "user=u secret=leaked-SECRET", "", {}}, ErrorKind::runtime,
         "credential helper docker-credential-pipe-test answered error.example.com with something other than "
         "{\"ServerURL\",\"Username\",\"Secret\"} JSON (output not shown: it may hold credentials)" +
             origin},
        {"cannot start", pipeline::runtime_error("cannot run 'docker-credential-pipe-test': not found on PATH"),
         ErrorKind::runtime,
         "cannot run credential helper docker-credential-pipe-test: cannot run 'docker-credential-pipe-test': not "
         "found on PATH" +
             origin},
        {"interrupted", pipeline::interrupted_error(SIGINT), ErrorKind::interrupted, "interrupted"},
    };
    for (const HelperFailure& c : cases) {
        INFO(c.name);
        AuthWorld world;
        world.install("docker", "docker-config.json");
        RecordingRunner runner;
        runner.expect({"docker-credential-pipe-test", "get"}, c.answer);
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve("error.example.com");
        REQUIRE_FALSE(found.has_value());
        CHECK(found.error().kind == c.kind);
        CHECK(found.error().message == world.expand(c.message));
        CHECK(shown(found.error()).find(k_secret_marker) == std::string::npos);
    }
}

TEST_CASE("credential helper answers are read as the protocol documents", "[credentials]") {
    const auto answer = [](ExitStatus status, std::string out, std::string err = {}) {
        return oci::parse_helper_answer("pipe-test", "ghcr.io",
                                        ProcessResult{status, std::move(out), std::move(err), {}});
    };
    auto basic = answer(ExitStatus(), R"({"ServerURL":"ghcr.io","Username":"u","Secret":"p-SECRET"})");
    REQUIRE(basic.has_value());
    REQUIRE(basic->has_value());
    CHECK((*basic)->username == "u");
    CHECK((*basic)->password.reveal() == "p-SECRET");
    CHECK((*basic)->source == "credential helper docker-credential-pipe-test");

    auto token = answer(ExitStatus(), R"({"ServerURL":"ghcr.io","Username":"<token>","Secret":"t-SECRET"})");
    REQUIRE(token.has_value());
    REQUIRE(token->has_value());
    CHECK((*token)->username.empty());
    CHECK((*token)->identity_token.reveal() == "t-SECRET");

    for (const auto& [status, out, err] : std::vector<std::tuple<ExitStatus, std::string, std::string>>{
             {ExitStatus::exited(1), "credentials not found in native keychain\n", ""},
             {ExitStatus::exited(1), "", "credentials not found in native keychain"},
             {ExitStatus(), R"({"ServerURL":"ghcr.io","Username":"","Secret":""})", ""},
         }) {
        INFO(out << err);
        auto none = answer(status, out, err);
        REQUIRE(none.has_value());
        CHECK_FALSE(none->has_value());
    }
    for (const char* bad : {R"({"Username":5,"Secret":"x-SECRET"})", R"(["x-SECRET"])", "", "{\"Secret\":\"x-SECRET"}) {
        INFO(bad);
        auto invalid = answer(ExitStatus(), bad);
        REQUIRE_FALSE(invalid.has_value());
        CHECK(invalid.error().kind == ErrorKind::runtime);
        CHECK(shown(invalid.error()).find(k_secret_marker) == std::string::npos);
    }
}

TEST_CASE("the fake credential helper answers through the real process runner", "[credentials]") {
    struct FakeCase {
        std::string registry;
        std::string username;
        std::string password;
        std::string identity_token;
        std::string source;
    };
    const std::string helper_source =
        "credential helper docker-credential-pipe-test (credHelpers[\"{host}\"] in "
        "{root}/home/.docker/config.json)";
    const std::vector<FakeCase> cases = {
        {"helper.example.com", "helper-user", "helper-pass-SECRET", "", helper_source},
        {"token.example.com", "", "", "helper-identity-token-SECRET", helper_source},
        {"missing.example.com", "inline-user", "inline-pass-SECRET", "", "auth file {root}/home/.docker/config.json"},
    };
    for (const FakeCase& c : cases) {
        INFO(c.registry);
        AuthWorld world;
        world.install("docker", "docker-config.json");
        SystemRunner runner;
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve(c.registry, "app");
        if (!found.has_value()) {
            FAIL(describe(found.error()));
        }
        CHECK(found->username == c.username);
        CHECK(found->password.reveal() == c.password);
        CHECK(found->identity_token.reveal() == c.identity_token);
        CHECK(found->source == world.expand(replace_all(c.source, "{host}", c.registry)));
        CHECK(world.helper_log() == "get " + c.registry + "\n");
    }
}

TEST_CASE("the fake credential helper serves Docker Hub through credsStore", "[credentials]") {
    AuthWorld world;
    world.install("docker", "docker-config-credsstore.json");
    SystemRunner runner;
    CredentialResolver resolver(world.env, runner);
    pipeline::Result<Credentials> found = resolver.resolve("docker.io", "library/alpine");
    REQUIRE(found.has_value());
    CHECK(found->username == "hub-helper-user");
    CHECK(found->password.reveal() == "hub-helper-pass-SECRET");
    CHECK(world.helper_log() == "get https://index.docker.io/v1/\n");
}

TEST_CASE("a crashing or missing real helper is a runtime error naming it", "[credentials]") {
    const std::string origin = " (configured by credHelpers[\"{host}\"] in {root}/home/.docker/config.json)";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"crash.example.com",
         "credential helper docker-credential-pipe-test failed for crash.example.com: killed by signal 6 (SIGABRT): "
         "fake-docker-credential-pipe-test: this is a test fake, not a real credential helper"},
        {"error.example.com",
         "credential helper docker-credential-pipe-test failed for error.example.com: exited with code 1: error "
         "getting credentials - err: exit status 1, out: simulated backend failure"},
    };
    for (const auto& [host, message] : cases) {
        INFO(host);
        AuthWorld world;
        world.install("docker", "docker-config.json");
        SystemRunner runner;
        CredentialResolver resolver(world.env, runner);
        pipeline::Result<Credentials> found = resolver.resolve(host);
        REQUIRE_FALSE(found.has_value());
        CHECK(found.error().kind == ErrorKind::runtime);
        CHECK(found.error().message == world.expand(message + replace_all(origin, "{host}", host)));
        CHECK(world.helper_log() == "get " + host + "\n");
    }
}

TEST_CASE("a credential helper missing from PATH is a runtime error naming it and its setting", "[credentials]") {
    AuthWorld world;
    world.install("docker", "docker-config.json");
    world.env["PATH"] = "/usr/bin:/bin";
    SystemRunner runner;
    CredentialResolver resolver(world.env, runner);
    pipeline::Result<Credentials> found = resolver.resolve("helper.example.com");
    REQUIRE_FALSE(found.has_value());
    CHECK(found.error().kind == ErrorKind::runtime);
    CHECK(found.error().message ==
          world.expand("cannot run credential helper docker-credential-pipe-test: cannot run "
                       "'docker-credential-pipe-test': not found on PATH (configured by "
                       "credHelpers[\"helper.example.com\"] in {root}/home/.docker/config.json)"));
    CHECK_FALSE(found.error().hint.empty());
}

TEST_CASE("the fake credential helper rejects anything but the documented protocol", "[credentials]") {
    AuthWorld world;
    SystemRunner runner;
    const auto run_fake = [&](std::vector<std::string> args, std::optional<std::string> input, Environment env) {
        Command command;
        command.argv = {k_fake_helper.string()};
        command.argv.insert(command.argv.end(), args.begin(), args.end());
        command.inherit_environment = false;
        command.env = std::move(env);
        command.stdin_data = std::move(input);
        pipeline::Result<ProcessResult> result = runner.run(command);
        REQUIRE(result.has_value());
        CHECK(result->err.find("this is a test fake") != std::string::npos);
        return *result;
    };
    const Environment env = {{"PATH", "/usr/bin:/bin"}, {"PIPE_FAKE_HELPER_LOG", world.helper_log_path().string()}};

    const ProcessResult list = run_fake({"list"}, std::string("ghcr.io"), env);
    CHECK(list.status == ExitStatus::exited(90));
    CHECK(list.err.find("FAKE FAILED: expected the argument 'get'") != std::string::npos);

    const ProcessResult two = run_fake({"get", "ghcr.io"}, std::string("ghcr.io"), env);
    CHECK(two.status == ExitStatus::exited(90));

    const ProcessResult no_input = run_fake({"get"}, std::nullopt, env);
    CHECK(no_input.status == ExitStatus::exited(90));

    const ProcessResult spaces = run_fake({"get"}, std::string("ghcr.io extra"), env);
    CHECK(spaces.status == ExitStatus::exited(90));

    CHECK(world.helper_log() == "list ghcr.io\nget ghcr.io ghcr.io\nget \nget ghcr.io extra\n");

    const ProcessResult unlogged = run_fake({"get"}, std::string("ghcr.io"), {{"PATH", "/usr/bin:/bin"}});
    CHECK(unlogged.status == ExitStatus::exited(90));
    CHECK(unlogged.err.find("PIPE_FAKE_HELPER_LOG is not set") != std::string::npos);
}

TEST_CASE("describe() of credentials shows their kind and source, never the secret", "[credentials]") {
    Credentials password;
    password.username = "alice";
    password.password = Secret("pw-SECRET");
    password.source = "auth file /x/auth.json";
    CHECK(describe(password) == "user \"alice\" with password *** from auth file /x/auth.json");

    Credentials token;
    token.identity_token = Secret("tok-SECRET");
    token.source = "credential helper docker-credential-x";
    CHECK(describe(token) == "no username with identity token *** from credential helper docker-credential-x");

    CHECK(describe(Credentials{}) == "anonymous");
}
