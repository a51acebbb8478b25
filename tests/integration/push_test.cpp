// `pipe build && pipe push` with real buildah against Debian's docker-registry on loopback:
// plain HTTP, htpasswd over TLS with a private CA, token auth; skopeo as the independent witness
// of every tag's digest; a fault proxy in front of the registry for retries and half-done
// pushes; promotion and --skip-unchanged seen through the proxy's request log.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "http_test_server.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using pipeline::Environment;
using pipeline::testing::BuildahStorage;
using pipeline::testing::FaultProxy;
using pipeline::testing::FaultRule;
using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::RegistryAuth;
using pipeline::testing::RegistrySetup;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

// A committed service repository at dir/repo whose image lives at host/acme/api.
std::filesystem::path service_repository(const TempDir& dir, const std::string& host,
                                         const std::string& extra_yaml = "") {
    return pipeline::testing::service_repository(dir.path() / "repo",
                                                 {{"pipe.yaml", "image: " + host + "/acme/api\n" + extra_yaml},
                                                  {"Containerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
                                                  {"hello.txt", "hello from pipe\n"},
                                                  {".containerignore", ".git\nnotes/\n"}});
}

Environment merged(Environment env, const Environment& more) {
    for (const auto& [key, value] : more) {
        env[key] = value;
    }
    return env;
}

// Runs pipe, failing the test with its stderr when it does not exit 0; returns the JSON it printed.
nlohmann::json pipe_json(const std::vector<std::string>& args, const std::filesystem::path& repo,
                         const Environment& env) {
    std::vector<std::string> with_json{"--json"};
    with_json.insert(with_json.end(), args.begin(), args.end());
    auto run = run_pipe(with_json, repo, env);
    INFO("pipe " << args.front() << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    return nlohmann::json::parse(run.out);
}

std::size_t count_matching(const std::vector<std::string>& lines, const std::string& needle) {
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string& line) { return line.find(needle) != std::string::npos; }));
}

}  // namespace

TEST_CASE("pipe build && pipe push: every tag in the registry resolves to the printed digest",
          "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    auto repo = service_repository(dir, registry.host());
    const std::string sha = git(repo, {"rev-parse", "HEAD"});
    pipe_json({"build"}, repo, storage.env());

    auto run = run_pipe({"push", "--insecure-registry"}, repo, storage.env());
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const std::string pinned = run.out.substr(0, run.out.find('\n'));
    REQUIRE_THAT(pinned, Catch::StartsWith(registry.host() + "/acme/api@sha256:"));
    const std::string digest = pinned.substr(pinned.find('@') + 1);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:sha-" + sha) == digest);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:main") == digest);
    CHECK(registry.skopeo_tags("acme/api") == std::vector<std::string>{"main", "sha-" + sha});

    auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    const auto& push = state["services"]["api"]["push"];
    CHECK(push["digest"] == digest);
    CHECK(push["pinned"] == pinned);
    CHECK(push["references"].size() == 2);

    SECTION("--json has the documented shape") {
        auto doc = pipe_json({"push", "--insecure-registry"}, repo, storage.env());
        REQUIRE(doc["services"].size() == 1);
        CHECK(doc["services"][0]["name"] == "api");
        CHECK(doc["services"][0]["digest"] == digest);
        CHECK(doc["services"][0]["pinned"] == pinned);
        CHECK(doc["services"][0]["references"] ==
              nlohmann::json::array({registry.host() + "/acme/api:main", registry.host() + "/acme/api:sha-" + sha}));
    }
    SECTION("GitHub Actions outputs and summary") {
        dir.write("out.txt", "");
        dir.write("summary.md", "");
        auto actions = run_pipe({"push", "--insecure-registry"}, repo,
                                merged(storage.env(), {{"GITHUB_OUTPUT", (dir.path() / "out.txt").string()},
                                                       {"GITHUB_STEP_SUMMARY", (dir.path() / "summary.md").string()}}));
        REQUIRE(actions.exit_code == 0);
        const std::string outputs = read_file(dir.path() / "out.txt");
        CHECK_THAT(outputs, Catch::Contains("digest=" + digest + "\n") && Catch::Contains("pinned=" + pinned + "\n"));
        CHECK_THAT(outputs, Catch::Contains("tags<<ghadelimiter_"));
        CHECK_THAT(read_file(dir.path() / "summary.md"), Catch::Contains("### pipe push") && Catch::Contains(pinned));
    }
}

TEST_CASE("pipe push --tag promotes the pushed digest without uploading", "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    FaultProxy spy(registry.host(), {});
    auto repo = service_repository(dir, spy.host());
    pipe_json({"build"}, repo, storage.env());
    auto pushed = pipe_json({"push", "--insecure-registry"}, repo, storage.env());
    const std::string digest = pushed["services"][0]["digest"];
    CHECK(count_matching(spy.requests(), "/blobs/uploads/") > 0);
    const std::size_t before = spy.requests().size();

    auto promoted =
        pipe_json({"push", "--insecure-registry", "--tag", "v1.2.3", "--tag", "stable"}, repo, storage.env());
    CHECK(promoted["services"][0]["promotion"] == true);
    CHECK(promoted["services"][0]["digest"] == digest);
    const std::vector<std::string> all = spy.requests();
    const std::vector<std::string> later(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    CHECK(count_matching(later, "/blobs/uploads/") == 0);
    CHECK(count_matching(later, "PUT /v2/acme/api/manifests/v1.2.3") == 1);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:v1.2.3") == digest);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:stable") == digest);
    auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    CHECK(state["services"]["api"]["push"]["references"].size() == 4);
}

TEST_CASE("pipe push to htpasswd over TLS with --ca-file and credentials from the environment",
          "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path(), RegistrySetup{RegistryAuth::htpasswd, true});
    auto repo = service_repository(dir, registry.host());
    pipe_json({"build"}, repo, storage.env());
    const Environment login{{"PIPE_REGISTRY_USERNAME", registry.username()},
                            {"PIPE_REGISTRY_PASSWORD", registry.password()}};

    auto run = run_pipe({"-v", "push", "--ca-file", registry.ca_file().string()}, repo, merged(storage.env(), login));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(run.err.find(registry.password()) == std::string::npos);
    CHECK(run.out.find(registry.password()) == std::string::npos);
    CHECK_THAT(run.err, Catch::Contains("GET https://" + registry.host() + "/v2/"));
    const std::string digest = run.out.substr(run.out.find('@') + 1, 71);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:main") == digest);
    CHECK(read_file(repo / ".pipe/state.json").find(registry.password()) == std::string::npos);

    SECTION("wrong credentials: exit 3 naming the registry and the credential source, never the secret") {
        auto wrong = run_pipe({"push", "--ca-file", registry.ca_file().string(), "--tag", "x"}, repo,
                              merged(storage.env(), {{"PIPE_REGISTRY_USERNAME", registry.username()},
                                                     {"PIPE_REGISTRY_PASSWORD", "not-the-password"}}));
        CHECK(wrong.exit_code == 3);
        CHECK_THAT(wrong.err, Catch::Contains(registry.host()) && Catch::Contains("PIPE_REGISTRY_USERNAME") &&
                                  Catch::Contains("401"));
        CHECK(wrong.err.find("not-the-password") == std::string::npos);
    }
    SECTION("without the CA the TLS failure says what to pass") {
        auto untrusted = run_pipe({"push", "--tag", "y"}, repo, merged(storage.env(), login));
        CHECK(untrusted.exit_code == 3);
        CHECK_THAT(untrusted.err, Catch::Contains("--ca-file"));
    }
}

TEST_CASE("pipe push with registry token auth asks the token server for push scope", "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path(), RegistrySetup{RegistryAuth::token, false});
    auto repo = service_repository(dir, registry.host());
    pipe_json({"build"}, repo, storage.env());
    const Environment auth{{"REGISTRY_AUTH_FILE", registry.auth_file().string()}};
    auto doc = pipe_json({"push", "--insecure-registry"}, repo, merged(storage.env(), auth));
    const std::string digest = doc["services"][0]["digest"];
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:main") == digest);
    const std::string log = read_file(registry.token_log());
    CHECK_THAT(log, Catch::Contains("repository:acme/api:pull,push") && Catch::Contains("pipe-ci"));

    SECTION("anonymous pushes are refused with the login hint") {
        auto anonymous = run_pipe({"push", "--insecure-registry", "--tag", "anon"}, repo,
                                  merged(storage.env(), {{"REGISTRY_AUTH_FILE", (dir.path() / "none.json").string()}}));
        CHECK(anonymous.exit_code == 3);
        CHECK_THAT(anonymous.err, Catch::Contains("buildah login " + registry.host()));
    }
}

TEST_CASE("pipe build --skip-unchanged reuses the pushed image and pipe push only tags it",
          "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    FaultProxy spy(registry.host(), {});
    auto repo = service_repository(dir, spy.host());
    auto first = pipe_json({"build", "--skip-unchanged", "--insecure-registry"}, repo, storage.env());
    CHECK(first["services"][0]["skipped"] == false);
    const std::string digest = pipe_json({"push", "--insecure-registry"}, repo, storage.env())["services"][0]["digest"];

    const std::string sha = pipeline::testing::commit_file(repo, "notes/todo.md", "ignored by the build\n", "notes");
    const std::size_t before = spy.requests().size();
    auto second = pipe_json({"build", "--skip-unchanged", "--insecure-registry"}, repo, storage.env());
    CHECK(second["services"][0]["skipped"] == true);
    CHECK(second["services"][0]["reused"] == spy.host() + "/acme/api:main");
    auto pushed = pipe_json({"push", "--insecure-registry"}, repo, storage.env());
    CHECK(pushed["services"][0]["digest"] == digest);
    const std::vector<std::string> all = spy.requests();
    const std::vector<std::string> later(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    CHECK(count_matching(later, "/blobs/uploads/") == 0);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:sha-" + sha) == digest);

    SECTION("a change the build can see rebuilds") {
        pipeline::testing::commit_file(repo, "hello.txt", "changed\n", "change");
        auto third = pipe_json({"build", "--skip-unchanged", "--insecure-registry"}, repo, storage.env());
        CHECK(third["services"][0]["skipped"] == false);
    }
}

TEST_CASE("transient registry faults are retried and the push succeeds", "[integration][push][faults][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    FaultProxy proxy(registry.host(), {FaultRule{"PUT", "/manifests/sha-", "status", 503, 1, 0, 1},
                                       FaultRule{"HEAD", "/manifests/main", "retry_after", 429, 1, 0, 1},
                                       FaultRule{"GET", "^/v2/$", "drop", 500, 1, 0, 1}});
    auto repo = service_repository(dir, proxy.host());
    const std::string sha = git(repo, {"rev-parse", "HEAD"});
    pipe_json({"build"}, repo, storage.env());
    auto run = run_pipe({"-v", "push", "--insecure-registry"}, repo, storage.env());
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto requests = proxy.requests();
    CHECK(count_matching(requests, "fault 503") == 1);
    CHECK(count_matching(requests, "fault 429") == 1);
    const std::string digest = run.out.substr(run.out.find('@') + 1, 71);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:sha-" + sha) == digest);
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:main") == digest);
}

TEST_CASE("persistent faults exit 3 and leave no tag pointing at missing content",
          "[integration][push][faults][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());

    SECTION("blob uploads keep failing") {
        FaultProxy proxy(registry.host(), {FaultRule{"*", "/blobs/uploads/", "status", 500, 1, 0, -1}});
        auto repo = service_repository(dir, proxy.host());
        pipe_json({"build"}, repo, storage.env());
        auto run = run_pipe({"push", "--insecure-registry"}, repo, storage.env());
        CHECK(run.exit_code == 3);
        CHECK_THAT(run.err, Catch::Contains("buildah push to " + proxy.host() + "/acme/api:main failed"));
        CHECK(registry.skopeo_tags("acme/api").empty());
    }
    SECTION("the tag PUTs keep failing") {
        FaultProxy proxy(registry.host(), {FaultRule{"PUT", "/manifests/sha-", "status", 500, 1, 0, -1}});
        auto repo = service_repository(dir, proxy.host());
        const std::string sha = git(repo, {"rev-parse", "HEAD"});
        pipe_json({"build"}, repo, storage.env());
        auto run = run_pipe({"push", "--insecure-registry"}, repo, storage.env());
        CHECK(run.exit_code == 3);
        CHECK_THAT(run.err, Catch::Contains("PUT manifest " + proxy.host() + "/acme/api:sha-" + sha) &&
                                Catch::Contains("HTTP 500"));
        CHECK(registry.skopeo_digest(registry.host() + "/acme/api:sha-" + sha).empty());
        CHECK(pipeline::testing::git(repo, {"status", "--porcelain"}).empty());
        auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
        CHECK_FALSE(state["services"]["api"].contains("push"));
    }
}

TEST_CASE("an unreachable registry is a runtime error with the fix", "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    pipeline::testing::RefusingPort closed;
    auto repo = service_repository(dir, "127.0.0.1:" + std::to_string(closed.port()));
    pipe_json({"build"}, repo, storage.env());
    auto run = run_pipe({"push", "--insecure-registry"}, repo, storage.env());
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("127.0.0.1:" + std::to_string(closed.port())) &&
                            Catch::Contains("check the registry's address"));
}

TEST_CASE("a multi-platform build is pushed as an index with every platform's content",
          "[integration][push][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    auto repo = service_repository(dir, registry.host());
    // With layers on, buildah 1.28 builds a one-entry list; pipe notices and builds again.
    auto build = run_pipe({"build", "--platform", "linux/amd64,linux/arm64"}, repo, storage.env());
    INFO(build.err);
    REQUIRE(build.exit_code == 0);
    auto doc = pipe_json({"push", "--insecure-registry"}, repo, storage.env());
    const std::string digest = doc["services"][0]["digest"];
    CHECK(registry.skopeo_digest(registry.host() + "/acme/api:main") == digest);
    auto raw = registry.run_skopeo({"inspect", "--raw", "docker://" + registry.host() + "/acme/api:main"}, {});
    REQUIRE(raw.status.success());
    auto index = nlohmann::json::parse(raw.out);
    REQUIRE(index["manifests"].size() == 2);
    // The push record (and so the run record) holds each platform's digest.
    const nlohmann::json platforms =
        nlohmann::json::parse(read_file(repo / ".pipe" / "state.json"))["services"]["api"]["push"]["platforms"];
    REQUIRE(platforms.size() == 2);
    for (const auto& entry : index["manifests"]) {
        auto child = registry.run_skopeo(
            {"inspect", "--raw", "docker://" + registry.host() + "/acme/api@" + entry["digest"].get<std::string>()},
            {});
        CHECK(child.status.success());
        const std::string platform =
            entry["platform"]["os"].get<std::string>() + "/" + entry["platform"]["architecture"].get<std::string>();
        CHECK(platforms[platform] == entry["digest"]);
    }
}

TEST_CASE("Ctrl-C during a push stops buildah, removes the private auth file and leaves no tag",
          "[integration][push][interrupt][buildah]") {
    TempDir dir;
    BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    FaultProxy slow(registry.host(), {FaultRule{"*", "/blobs/uploads/", "slow", 500, 1, 4000, -1}});
    auto repo = service_repository(dir, slow.host());
    pipe_json({"build"}, repo, storage.env());
    const std::filesystem::path tmp = dir.path() / "tmp";
    std::filesystem::create_directories(tmp);

    pipeline::proc::Command command;
    command.argv = {"timeout", "--preserve-status",  "-s", "INT", "2", pipeline::testing::pipe_binary(),
                    "push",    "--insecure-registry"};
    command.inherit_environment = false;
    command.env = merged(storage.env(), {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                         {"TMPDIR", tmp.string()},
                                         {"PIPE_REGISTRY_USERNAME", "ci"},
                                         {"PIPE_REGISTRY_PASSWORD", "interrupt-secret"}});
    command.cwd = repo;
    command.timeout = std::chrono::seconds(60);
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(command);
    REQUIRE(result.has_value());
    INFO(result->err);
    CHECK(result->status.exit_code() == std::optional<int>(130));
    CHECK(std::filesystem::is_empty(tmp));
    CHECK(registry.skopeo_tags("acme/api").empty());
    CHECK(result->err.find("interrupt-secret") == std::string::npos);
}
