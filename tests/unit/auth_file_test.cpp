#include <pipe/oci/auth_file.h>
#include <pipe/proc/recording_runner.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using pipeline::Environment;
using pipeline::ErrorKind;
using pipeline::Secret;
using pipeline::oci::AuthFile;
using pipeline::oci::AuthFileFormat;
using pipeline::oci::CredentialResolver;
using pipeline::oci::Credentials;
using pipeline::oci::ImageReference;
using pipeline::oci::PrivateAuthFile;
using pipeline::oci::RegistryLogin;
using pipeline::proc::Command;
using pipeline::proc::RecordingRunner;
using pipeline::testing::read_file;
using pipeline::testing::TempDir;
namespace fs = std::filesystem;
namespace oci = pipeline::oci;

namespace {

constexpr std::string_view k_secret_marker = "SECRET";

unsigned permissions_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return static_cast<unsigned>(info.st_mode) & 07777U;
}

Credentials password_login(std::string username, std::string password, std::string source) {
    Credentials credentials;
    credentials.username = std::move(username);
    credentials.password = Secret(std::move(password));
    credentials.source = std::move(source);
    return credentials;
}

Credentials token_login(std::string username, std::string token, std::string source) {
    Credentials credentials;
    credentials.username = std::move(username);
    credentials.identity_token = Secret(std::move(token));
    credentials.source = std::move(source);
    return credentials;
}

ImageReference image(const std::string& text) {
    pipeline::Result<ImageReference> parsed = oci::parse_reference(text);
    REQUIRE(parsed.has_value());
    return *parsed;
}

// Sets the process umask for one scope, so file modes are shown not to depend on it.
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : m_previous(::umask(mask)) {}
    ~ScopedUmask() { ::umask(m_previous); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t m_previous;
};

const std::vector<RegistryLogin>& sample_logins() {
    static const std::vector<RegistryLogin> logins = {
        {"ghcr.io", "", password_login("octocat", "gh-token-SECRET", "environment GITHUB_TOKEN")},
        {"registry-1.docker.io", "", password_login("hub-user", "hub-pass-SECRET", "auth file /h/.docker/config.json")},
        {"myregistry.azurecr.io", "",
         token_login("", "azure-refresh-SECRET", "credential helper docker-credential-acr")},
        {"127.0.0.1:5000", "", password_login("local", "pa:ss:w0rd-SECRET", "environment PIPE_REGISTRY_USERNAME")},
        {"quay.io", "", Credentials{}},
    };
    return logins;
}

}  // namespace

TEST_CASE("the private auth file is a 0600 file in a 0700 directory", "[auth_file]") {
    TempDir dir;
    const ScopedUmask open_umask(0);
    pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), dir.path());
    REQUIRE(file.has_value());
    REQUIRE(file->written());
    CHECK(file->directory().parent_path() == dir.path());
    CHECK(file->directory().filename().string().rfind("pipe-auth-", 0) == 0);
    CHECK(permissions_of(file->directory()) == 0700U);
    CHECK(permissions_of(file->auth_json()) == 0600U);
    CHECK(permissions_of(file->config_json()) == 0600U);
    CHECK(fs::is_regular_file(file->auth_json()));
    CHECK(fs::is_regular_file(file->config_json()));
    CHECK(read_file(file->auth_json()) == read_file(file->config_json()));

    CHECK(file->environment() == Environment{{"DOCKER_CONFIG", file->directory().string()},
                                             {"REGISTRY_AUTH_FILE", file->auth_json().string()}});
    CHECK(file->auth_json() == file->directory() / "auth.json");
    CHECK(file->config_json() == file->directory() / "config.json");
}

TEST_CASE("the private auth file round-trips through pipe's own resolver", "[auth_file]") {
    TempDir dir;
    pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), dir.path());
    REQUIRE(file.has_value());

    pipeline::Result<AuthFile> parsed =
        oci::parse_auth_file(read_file(file->auth_json()), file->auth_json(), AuthFileFormat::config);
    REQUIRE(parsed.has_value());
    std::vector<std::string> keys;
    for (const auto& [key, entry] : parsed->auths) {
        keys.push_back(key);
    }
    CHECK(keys == std::vector<std::string>{"127.0.0.1:5000", "docker.io", "ghcr.io", "https://index.docker.io/v1/",
                                           "myregistry.azurecr.io"});
    CHECK(parsed->cred_helpers.empty());
    CHECK(parsed->creds_store.empty());

    // As buildah sees it (REGISTRY_AUTH_FILE) and as cosign/trivy see it (DOCKER_CONFIG).
    for (const char* variable : {"REGISTRY_AUTH_FILE", "DOCKER_CONFIG"}) {
        INFO(variable);
        Environment env = {{"HOME", (dir.path() / "empty-home").string()},
                           {"XDG_RUNTIME_DIR", (dir.path() / "empty-run").string()}};
        env[variable] = file->environment().at(variable);
        RecordingRunner runner;
        CredentialResolver resolver(env, runner);
        for (const RegistryLogin& login : sample_logins()) {
            INFO(login.registry);
            pipeline::Result<Credentials> found = resolver.resolve(login.registry, "some/app");
            REQUIRE(found.has_value());
            CHECK(found->password == login.credentials.password);
            CHECK(found->identity_token == login.credentials.identity_token);
            CHECK(found->username == login.credentials.username);
        }
        for (const char* alias : {"docker.io", "index.docker.io", "https://index.docker.io/v1/"}) {
            pipeline::Result<Credentials> hub = resolver.resolve(alias, "library/alpine");
            REQUIRE(hub.has_value());
            CHECK(hub->username == "hub-user");
        }
        CHECK(runner.commands().empty());
    }
}

TEST_CASE("anonymous logins write nothing and set no variables", "[auth_file]") {
    TempDir dir;
    const std::vector<RegistryLogin> anonymous = {{"ghcr.io", "", Credentials{}}, {"docker.io", "", Credentials{}}};
    for (const std::vector<RegistryLogin>& logins : {anonymous, std::vector<RegistryLogin>{}}) {
        pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(logins, dir.path());
        REQUIRE(file.has_value());
        CHECK_FALSE(file->written());
        CHECK(file->directory().empty());
        CHECK(file->auth_json().empty());
        CHECK(file->environment().empty());
        CHECK(file->sources().empty());
        Command command;
        command.argv = {"buildah", "push", "ghcr.io/acme/app:1"};
        file->apply_to(command);
        CHECK(command.env.empty());
        CHECK(fs::is_empty(dir.path()));
    }
}

TEST_CASE("the private directory is removed when the object dies, and only then", "[auth_file]") {
    TempDir dir;
    fs::path written;
    {
        pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), dir.path());
        REQUIRE(file.has_value());
        written = file->directory();
        CHECK(fs::exists(written));

        PrivateAuthFile moved = std::move(*file);
        CHECK(moved.directory() == written);
        CHECK_FALSE(file->written());
        CHECK(file->environment().empty());
        CHECK(fs::exists(written));

        pipeline::Result<PrivateAuthFile> other = PrivateAuthFile::create(sample_logins(), dir.path());
        REQUIRE(other.has_value());
        const fs::path replaced = other->directory();
        *other = std::move(moved);
        CHECK_FALSE(fs::exists(replaced));
        CHECK(other->directory() == written);
        CHECK(fs::exists(written));
    }
    CHECK_FALSE(fs::exists(written));
    CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("an error unwinding past the private auth file removes it", "[auth_file]") {
    TempDir dir;
    fs::path written;
    const auto step = [&]() -> pipeline::Result<void> {
        pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), dir.path());
        if (!file) {
            return file.error();
        }
        written = file->directory();
        // What SystemRunner returns after forwarding Ctrl-C to the tool's process group.
        return pipeline::interrupted_error(SIGINT);
    };
    pipeline::Result<void> result = step();
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::interrupted);
    REQUIRE_FALSE(written.empty());
    CHECK_FALSE(fs::exists(written));
}

TEST_CASE("child commands get paths in their environment, never secrets", "[auth_file]") {
    TempDir dir;
    pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), dir.path());
    REQUIRE(file.has_value());
    Command command;
    command.argv = {"cosign", "sign", "--yes", "ghcr.io/acme/app@sha256:0123"};
    command.env["COSIGN_YES"] = "true";
    file->apply_to(command);
    CHECK(command.env.at("DOCKER_CONFIG") == file->directory().string());
    CHECK(command.env.at("REGISTRY_AUTH_FILE") == file->auth_json().string());
    CHECK(command.env.at("COSIGN_YES") == "true");
    CHECK(command.secret_env.empty());
    const std::string shown = pipeline::proc::describe(command);
    CHECK(shown.find(k_secret_marker) == std::string::npos);
    CHECK(shown.find("DOCKER_CONFIG=") != std::string::npos);
    for (const std::string& source : file->sources()) {
        CHECK(source.find(k_secret_marker) == std::string::npos);
    }
    CHECK(file->sources() == std::vector<std::string>{"ghcr.io: environment GITHUB_TOKEN",
                                                      "docker.io: auth file /h/.docker/config.json",
                                                      "myregistry.azurecr.io: credential helper docker-credential-acr",
                                                      "127.0.0.1:5000: environment PIPE_REGISTRY_USERNAME"});
}

TEST_CASE("a private auth file that cannot be created is a runtime error naming the place", "[auth_file]") {
    TempDir dir;
    const fs::path missing = dir.path() / "no" / "such" / "dir";
    pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::create(sample_logins(), missing);
    REQUIRE_FALSE(file.has_value());
    CHECK(file.error().kind == ErrorKind::runtime);
    CHECK(file.error().message.find(missing.string()) != std::string::npos);
    CHECK(describe(file.error()).find(k_secret_marker) == std::string::npos);
    CHECK(file.error().hint.find(k_secret_marker) == std::string::npos);
}

TEST_CASE("for_images resolves each registry once and keys repositories with other credentials", "[auth_file]") {
    TempDir dir;
    dir.write("run/containers/auth.json", read_file(fs::path(PIPE_TEST_DATA) / "auth" / "containers-auth.json"));
    const Environment env = {{"HOME", (dir.path() / "home").string()},
                             {"XDG_RUNTIME_DIR", (dir.path() / "run").string()},
                             {"GITHUB_TOKEN", "gh-token-SECRET"}};
    RecordingRunner runner;
    CredentialResolver resolver(env, runner);
    const fs::path parent = dir.path() / "tmp";
    fs::create_directories(parent);

    pipeline::Result<PrivateAuthFile> file = PrivateAuthFile::for_images(
        resolver,
        {image("quay.io/acme/app:1"), image("quay.io/acme/app:2"), image("quay.io/other/tool:1"),
         image("ghcr.io/acme/app:1"), image("alpine:3.19"), image("127.0.0.1:5000/app:dev")},
        parent);
    REQUIRE(file.has_value());
    REQUIRE(file->written());

    pipeline::Result<AuthFile> parsed =
        oci::parse_auth_file(read_file(file->auth_json()), file->auth_json(), AuthFileFormat::config);
    REQUIRE(parsed.has_value());
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [key, entry] : parsed->auths) {
        entries.emplace_back(key, entry.username);
    }
    CHECK(entries == std::vector<std::pair<std::string, std::string>>{{"127.0.0.1:5000", "local-user"},
                                                                      {"ghcr.io", "ghcr-file-user"},
                                                                      {"quay.io", "quay-user"},
                                                                      {"quay.io/acme/app", "app-user"}});
    CHECK(file->sources().size() == 4);
    CHECK(runner.commands().empty());
}

TEST_CASE("for_images writes nothing when every registry is anonymous", "[auth_file]") {
    TempDir dir;
    const Environment env = {{"HOME", (dir.path() / "home").string()},
                             {"XDG_RUNTIME_DIR", (dir.path() / "run").string()}};
    RecordingRunner runner;
    CredentialResolver resolver(env, runner);
    pipeline::Result<PrivateAuthFile> file =
        PrivateAuthFile::for_images(resolver, {image("alpine:3.19"), image("ghcr.io/acme/app:1")}, dir.path());
    REQUIRE(file.has_value());
    CHECK_FALSE(file->written());
    CHECK(file->environment().empty());
    CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("for_images stops at the first resolution error", "[auth_file]") {
    TempDir dir;
    const Environment env = {{"PIPE_REGISTRY_USERNAME", "half-configured"}};
    RecordingRunner runner;
    CredentialResolver resolver(env, runner);
    pipeline::Result<PrivateAuthFile> file =
        PrivateAuthFile::for_images(resolver, {image("ghcr.io/a/b:1")}, dir.path());
    REQUIRE_FALSE(file.has_value());
    CHECK(file.error().kind == ErrorKind::config);
    CHECK(fs::is_empty(dir.path()));
}
