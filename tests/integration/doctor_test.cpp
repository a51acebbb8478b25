// `pipe doctor` against real registries on loopback (Debian's docker-registry: plain, htpasswd,
// token auth) and tests/fakes/fake-github: the /v2/ round trip with the credentials pipe would use
// (naming their source, never the secret) and the reach of the GitHub token of `bump:` targets.
// The tools are the /bin/sh fakes of tests/helpers/doctor_tools.h, so only these checks vary.
#include "doctor_tools.h"
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/core/timestamp.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

using pipeline::Environment;
using pipeline::testing::FakeGithub;
using pipeline::testing::LocalRegistry;
using pipeline::testing::RegistryAuth;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;
using pipeline::testing::write_auth_file;

namespace {

// The fakes on PATH (a fresh DB, so only the checks under test can fail).
Environment tool_path(const TempDir& dir) {
    pipeline::testing::DoctorTools tools;
    tools.trivy_db_updated = pipeline::rfc3339_utc(std::chrono::system_clock::now() - std::chrono::hours(1));
    return {{"PATH", pipeline::testing::write_doctor_tools(dir.path() / "bin", tools).string()}};
}

// A service repository whose image lives in registry.
std::filesystem::path service(const TempDir& dir, const LocalRegistry& registry, const std::string& extra = "") {
    return pipeline::testing::service_repository(
        dir.path() / "repo",
        {{"pipe.yaml", fmt::format("image: {}/acme/api\nregistry:\n  insecure: true\n{}", registry.host(), extra)}});
}

}  // namespace

TEST_CASE("pipe doctor: a plain registry is reached anonymously", "[integration][doctor]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry");
    auto run = run_pipe({"doctor"}, service(dir, registry), tool_path(dir));
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains(fmt::format("ok      registry {}", registry.host())) &&
                            Catch::Contains("anonymous access"));
}

TEST_CASE("pipe doctor: Basic credentials are accepted, wrong ones fail naming their source", "[integration][doctor]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry", {RegistryAuth::htpasswd, false});
    const auto repo = service(dir, registry);
    Environment env = tool_path(dir);
    env["REGISTRY_AUTH_FILE"] = registry.auth_file().string();
    auto good = run_pipe({"doctor", "--json"}, repo, env);
    INFO(good.err);
    CHECK(good.exit_code == 0);
    const auto doc = nlohmann::json::parse(good.out);
    bool found = false;
    for (const auto& check : doc["checks"]) {
        if (check["name"] == "registry " + registry.host()) {
            found = true;
            CHECK(check["status"] == "ok");
            CHECK_THAT(check["detail"].get<std::string>(), Catch::Contains("basic auth ok") &&
                                                               Catch::Contains("user 'pipe-ci'") &&
                                                               Catch::Contains(registry.auth_file().string()));
        }
    }
    CHECK(found);

    const auto wrong = write_auth_file(dir.path() / "wrong.json", registry.host(), "pipe-ci", "not-the-password");
    env["REGISTRY_AUTH_FILE"] = wrong.string();
    auto refused = run_pipe({"doctor"}, repo, env);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.out, Catch::Contains(fmt::format("fail    registry {}", registry.host())) &&
                                Catch::Contains("401") && Catch::Contains(wrong.string()));
    CHECK_THAT(refused.out, Catch::Contains("fix: log in with `buildah login"));
    CHECK(refused.out.find("not-the-password") == std::string::npos);
    CHECK(refused.err.find("not-the-password") == std::string::npos);

    env.erase("REGISTRY_AUTH_FILE");
    env["XDG_RUNTIME_DIR"] = (dir.path() / "empty-runtime").string();
    auto anonymous = run_pipe({"doctor"}, repo, env);
    CHECK(anonymous.exit_code == 1);
    CHECK_THAT(anonymous.out, Catch::Contains("found no password"));
}

TEST_CASE("pipe doctor: a bearer token for pull and push is fetched with the configured credentials",
          "[integration][doctor]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry", {RegistryAuth::token, false});
    const auto repo = service(dir, registry);
    Environment env = tool_path(dir);
    env["REGISTRY_AUTH_FILE"] = registry.auth_file().string();
    auto good = run_pipe({"doctor"}, repo, env);
    INFO(good.out << good.err);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::Contains("bearer auth ok"));
    const auto wrong = write_auth_file(dir.path() / "wrong.json", registry.host(), "pipe-ci", "nope");
    env["REGISTRY_AUTH_FILE"] = wrong.string();
    auto refused = run_pipe({"doctor"}, repo, env);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.out, Catch::Contains("refused") && Catch::Contains(wrong.string()));
}

TEST_CASE("pipe doctor: an unreachable registry fails", "[integration][doctor]") {
    TempDir dir;
    std::filesystem::path repo;
    {
        // A registry that stopped: its port is closed now.
        LocalRegistry registry(dir.path() / "registry");
        repo = service(dir, registry);
    }
    auto run = run_pipe({"doctor"}, repo, tool_path(dir));
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::Contains("unreachable: cannot reach registry 127.0.0.1:"));
}

TEST_CASE("pipe doctor: the GitHub token of bump targets must reach and push to the repository",
          "[integration][doctor]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry");
    const std::filesystem::path seed =
        pipeline::testing::service_repository(dir.path() / "seed", {{"app.yaml", "image:\n  tag: old\n"}});
    const std::filesystem::path bare = dir.path() / "github" / "acme" / "config.git";
    std::filesystem::create_directories(bare.parent_path());
    pipeline::testing::git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
    FakeGithub github(dir.path() / "github", "doctor-token-value");
    const auto repo = service(dir, registry, "bump:\n  repo: acme/config\n  file: app.yaml\n  key: image.tag\n");
    Environment env = tool_path(dir);
    env["GITHUB_API_URL"] = github.api_url();

    auto no_token = run_pipe({"doctor"}, repo, env);
    CHECK(no_token.exit_code == 0);
    CHECK_THAT(no_token.out, Catch::Contains("warn    github token") && Catch::Contains("acme/config"));

    env["PIPE_GITHUB_TOKEN"] = "doctor-token-value";
    auto good = run_pipe({"doctor"}, repo, env);
    INFO(good.out << good.err);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::Contains("ok      github acme/config") && Catch::Contains("can push") &&
                             Catch::Contains("PIPE_GITHUB_TOKEN"));

    env["PIPE_GITHUB_TOKEN"] = "wrong-token-value";
    auto wrong = run_pipe({"doctor"}, repo, env);
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.out, Catch::Contains("fail    github acme/config"));
    CHECK(wrong.out.find("wrong-token-value") == std::string::npos);

    env.erase("PIPE_GITHUB_TOKEN");
    env["GITHUB_TOKEN"] = "doctor-token-value";
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_REPOSITORY"] = "acme/api";
    auto actions = run_pipe({"doctor"}, repo, env);
    CHECK(actions.exit_code == 0);
    CHECK_THAT(actions.out, Catch::Contains("warn    github acme/config") &&
                                Catch::Contains("the Actions GITHUB_TOKEN belongs to acme/api"));
}
