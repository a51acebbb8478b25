// `pipe bump` in git mode against real git servers on loopback (tests/helpers/git_server.py): git
// daemon over git://, git http-backend over http with a token (refused and missing tokens, tokens
// kept out of output and state, a GitHub token never sent to another host), concurrent --direct
// bumps over http, sshd over ssh:// with a key file and a checked host key, unreachable servers,
// and the pull request git mode opens when the remote is a GitHub Enterprise Server (fake-github
// serving git and /api/v3 on one port). The git command line is the witness.
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <thread>

#include <signal.h>
#include <sys/types.h>

using pipeline::Environment;
using pipeline::testing::FakeGithub;
using pipeline::testing::git;
using pipeline::testing::GitProtocol;
using pipeline::testing::GitServer;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

constexpr int k_services = 6;
constexpr const char* k_token = "git-token-3f9a1c";

const std::string k_values = "image:\n  repository: ghcr.io/acme/svc\n  tag: \"sha-old\"  # bumped by pipe\n";

// A bare repository root/config.git with apps/svc<i>/values.yaml for every service, and a service
// repository whose pipe.yaml bumps each of them at url (from the bare repository's name).
struct Config {
    Config(const TempDir& dir, const std::filesystem::path& root) {
        std::vector<std::pair<std::string, std::string>> files;
        for (int i = 0; i < k_services; ++i) {
            files.emplace_back(fmt::format("apps/svc{}/values.yaml", i), k_values);
        }
        const std::filesystem::path seed = dir.path() / "seed";
        pipeline::testing::service_repository(seed, files);
        std::filesystem::create_directories(root);
        bare = root / "config.git";
        git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
    }

    // Writes the service repository bumping url (created on the first call, committed after).
    std::filesystem::path app(const TempDir& dir, const std::string& url) const {
        std::string services = "services:\n";
        for (int i = 0; i < k_services; ++i) {
            services += fmt::format(
                "  svc{0}:\n    image: ghcr.io/acme/svc{0}\n    bump:\n      - url: {1}\n"
                "        file: apps/svc{0}/values.yaml\n        key: image.tag\n",
                i, url);
        }
        return pipeline::testing::service_repository(dir.path() / "app", {{"pipe.yaml", services}});
    }

    std::string value(int service, const std::string& branch = "main") const {
        return git(bare, {"show", fmt::format("{}:apps/svc{}/values.yaml", branch, service)});
    }

    std::filesystem::path bare;
};

// The running pipe bump --direct of one service.
pipeline::testing::PipeRun bump(const std::filesystem::path& repo, int service, const std::string& value,
                                const Environment& env = {}, const std::string& how = "--direct") {
    return run_pipe({"--service", fmt::format("svc{}", service), "bump", "--mode", "git", how, "--value", value}, repo,
                    env);
}

// env for a pipe that talks ssh: under LeakSanitizer, with the suppressions of libgit2's ssh leaks
// and full stacks (libgit2 has no frame pointers, so fast unwinding stops inside it).
Environment over_ssh(Environment env) {
    if (std::getenv("LSAN_OPTIONS") != nullptr) {
        env["LSAN_OPTIONS"] = "suppressions=" PIPE_SOURCE_DIR "/tests/lsan-libgit2-ssh.supp:fast_unwind_on_malloc=0";
    }
    return env;
}

}  // namespace

TEST_CASE("pipe bump in git mode over git:// (git daemon): a direct bump and a bump branch land",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::daemon);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));
    const std::string before = git(config.bare, {"rev-parse", "main"});

    auto direct = bump(repo, 1, "sha-daemon");
    INFO(direct.err);
    REQUIRE(direct.exit_code == 0);
    CHECK(config.value(1).find("\"sha-daemon\"") != std::string::npos);
    CHECK(git(config.bare, {"rev-parse", "main~1"}) == before);

    auto branch = bump(repo, 2, "sha-branch", {}, "--no-pr");
    INFO(branch.err);
    REQUIRE(branch.exit_code == 0);
    CHECK(config.value(2, "bump/svc2").find("\"sha-branch\"") != std::string::npos);
    CHECK(config.value(2).find("\"sha-old\"") != std::string::npos);
}

TEST_CASE("pipe bump in git mode over http with a token: lands, and the token shows up nowhere",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::http, k_token);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));

    auto run = run_pipe({"--service", "svc0", "bump", "--mode", "git", "--direct", "--value", "sha-http", "--json"},
                        repo, {{"PIPE_GIT_TOKEN", k_token}});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json result = nlohmann::json::parse(run.out)["services"][0];
    CHECK(result["changed"] == true);
    CHECK(git(config.bare, {"rev-parse", "main"}) == result["commit"].get<std::string>());
    CHECK(config.value(0).find("\"sha-http\"") != std::string::npos);
    CHECK(run.out.find(k_token) == std::string::npos);
    CHECK(run.err.find(k_token) == std::string::npos);
    CHECK(pipeline::testing::read_file(repo / ".pipe" / "state.json").find(k_token) == std::string::npos);
    bool pushed_with_basic = false;
    for (const std::string& line : server.requests()) {
        const nlohmann::json request = nlohmann::json::parse(line);
        pushed_with_basic =
            pushed_with_basic || (request["path"] == "/config.git/git-receive-pack" && request["scheme"] == "Basic" &&
                                  request["status"] == 200 && request["user"] == "x-access-token");
    }
    CHECK(pushed_with_basic);
}

TEST_CASE("pipe bump in git mode over http: a wrong or missing token is exit 3 with one clear line",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::http, k_token);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));
    const std::string before = git(config.bare, {"rev-parse", "main"});

    auto wrong = bump(repo, 0, "sha-x", {{"PIPE_GIT_TOKEN", "wrong-token-77"}});
    CHECK(wrong.exit_code == 3);
    CHECK(wrong.err.find("pipe: error: ") != std::string::npos);
    CHECK(wrong.err.find("refused the token from PIPE_GIT_TOKEN") != std::string::npos);
    CHECK(wrong.err.find("wrong-token-77") == std::string::npos);
    CHECK(wrong.err.find("127.0.0.1") != std::string::npos);

    auto missing = bump(repo, 0, "sha-x");
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("PIPE_GIT_TOKEN") != std::string::npos);

    // A GitHub token is for GitHub: this server is not GitHub, so pipe does not hand it over.
    auto github_token = bump(repo, 0, "sha-x", {{"PIPE_GITHUB_TOKEN", k_token}, {"GITHUB_TOKEN", k_token}});
    CHECK(github_token.exit_code == 3);
    CHECK(github_token.err.find("PIPE_GIT_TOKEN") != std::string::npos);
    CHECK(github_token.err.find(k_token) == std::string::npos);
    for (const std::string& line : server.requests()) {
        CHECK(nlohmann::json::parse(line)["status"] != 200);
    }
    CHECK(git(config.bare, {"rev-parse", "main"}) == before);
}

TEST_CASE("concurrent --direct bumps over http: every one lands", "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::http, k_token);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));
    std::vector<std::thread> pipelines;
    std::vector<pipeline::testing::PipeRun> runs(k_services);
    for (int i = 0; i < k_services; ++i) {
        pipelines.emplace_back([&, i] {
            runs[i] = bump(repo, i, fmt::format("sha-{}", i), {{"PIPE_GIT_TOKEN", k_token}});
        });
    }
    for (std::thread& pipeline : pipelines) {
        pipeline.join();
    }
    for (const auto& run : runs) {
        INFO(run.err);
        CHECK(run.exit_code == 0);
    }
    for (int i = 0; i < k_services; ++i) {
        CHECK(config.value(i).find(fmt::format("\"sha-{}\"", i)) != std::string::npos);
    }
    CHECK(git(config.bare, {"rev-list", "--count", "main"}) == std::to_string(1 + 1 + k_services));
}

TEST_CASE("pipe bump in git mode: an unreachable git:// or http server is exit 3", "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    for (const GitProtocol protocol : {GitProtocol::daemon, GitProtocol::http}) {
        std::string url;
        {
            GitServer gone(dir.path() / "served", protocol, k_token);
            url = gone.url("config.git");
        }
        std::filesystem::remove_all(dir.path() / "app");
        const std::filesystem::path repo = config.app(dir, url);
        auto run = bump(repo, 0, "sha-x", {{"PIPE_GIT_TOKEN", k_token}});
        INFO(run.err);
        CHECK(run.exit_code == 3);
        CHECK(run.err.find("pipe: error: ") != std::string::npos);
        CHECK(run.err.find(url) != std::string::npos);
    }
}

TEST_CASE("pipe bump in git mode over ssh:// with a key file, the host key checked against known_hosts",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::ssh);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));
    const Environment env = over_ssh(
        {{"PIPE_GIT_SSH_KEY", server.ssh_key().string()}, {"PIPE_GIT_KNOWN_HOSTS", server.known_hosts().string()}});

    auto run = bump(repo, 3, "sha-ssh", env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(config.value(3).find("\"sha-ssh\"") != std::string::npos);

    // Without the server in known_hosts (HOME is the service repository, which has no ~/.ssh).
    auto unknown = bump(repo, 4, "sha-unknown", over_ssh({{"PIPE_GIT_SSH_KEY", server.ssh_key().string()}}));
    CHECK(unknown.exit_code == 3);
    CHECK(unknown.err.find("host key of 127.0.0.1 port " + std::to_string(server.port()) + " is not in") !=
          std::string::npos);
    CHECK(config.value(4).find("\"sha-old\"") != std::string::npos);

    // A key the server does not know.
    const std::filesystem::path stranger = dir.path() / "stranger";
    pipeline::proc::Command keygen;
    keygen.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.string()};
    pipeline::proc::SystemRunner runner;
    pipeline::Result<pipeline::proc::ProcessResult> made = runner.run(keygen);
    REQUIRE(made);
    REQUIRE(made->status.success());
    auto refused = bump(
        repo, 4, "sha-stranger",
        over_ssh({{"PIPE_GIT_SSH_KEY", stranger.string()}, {"PIPE_GIT_KNOWN_HOSTS", server.known_hosts().string()}}));
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("pipe: error: ") != std::string::npos);
    CHECK(config.value(4).find("\"sha-old\"") != std::string::npos);
}

TEST_CASE("pipe bump in git mode over ssh:// with the key in an ssh agent (SSH_AUTH_SOCK)",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "served");
    GitServer server(dir.path() / "served", GitProtocol::ssh);
    const std::filesystem::path repo = config.app(dir, server.url("config.git"));
    const std::string socket = (dir.path() / "agent.sock").string();
    pipeline::proc::SystemRunner runner;
    pipeline::proc::Command start;
    start.argv = {"ssh-agent", "-s", "-a", socket};
    pipeline::Result<pipeline::proc::ProcessResult> started = runner.run(start);
    REQUIRE(started);
    REQUIRE(started->status.success());
    const std::size_t at = started->out.find("SSH_AGENT_PID=");
    REQUIRE(at != std::string::npos);
    // The agent runs on in the background until this test ends.
    struct Agent {
        pid_t pid;
        ~Agent() { ::kill(pid, SIGTERM); }
    } agent{static_cast<pid_t>(std::stol(started->out.substr(at + 14)))};
    pipeline::proc::Command add;
    add.argv = {"ssh-add", "-q", server.ssh_key().string()};
    add.env = {{"SSH_AUTH_SOCK", socket}};
    pipeline::Result<pipeline::proc::ProcessResult> added = runner.run(add);
    REQUIRE(added);
    REQUIRE(added->status.success());

    auto run = bump(repo, 0, "sha-agent",
                    over_ssh({{"SSH_AUTH_SOCK", socket}, {"PIPE_GIT_KNOWN_HOSTS", server.known_hosts().string()}}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(config.value(0).find("\"sha-agent\"") != std::string::npos);
}

TEST_CASE("git mode on a GitHub Enterprise Server: the branch is pushed over git, the PR opened through /api/v3",
          "[integration][bump][git-servers]") {
    TempDir dir;
    Config config(dir, dir.path() / "github" / "acme");
    std::filesystem::rename(config.bare, dir.path() / "github" / "acme" / "k8s-config.git");
    config.bare = dir.path() / "github" / "acme" / "k8s-config.git";
    FakeGithub github(dir.path() / "github", k_token);
    const std::filesystem::path repo = config.app(dir, github.git_url("acme/k8s-config"));

    SECTION("recognised by the host of GITHUB_API_URL, the token from PIPE_GITHUB_TOKEN") {
        const Environment env{{"GITHUB_API_URL", github.api_url() + "/api/v3"}, {"PIPE_GITHUB_TOKEN", k_token}};
        auto run = run_pipe({"--service", "svc5", "bump", "--value", "sha-ghes", "--json"}, repo, env);
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        const nlohmann::json result = nlohmann::json::parse(run.out)["services"][0];
        CHECK(result["mode"] == "git");
        CHECK(result["pull_request"]["operation"] == "created");
        CHECK(config.value(5, "bump/svc5").find("\"sha-ghes\"") != std::string::npos);
        CHECK(config.value(5).find("\"sha-old\"") != std::string::npos);
        const nlohmann::json state = github.state();
        REQUIRE(state["pulls"].size() == 1);
        CHECK(state["pulls"][0]["head"]["ref"] == "bump/svc5");
        CHECK(state["pulls"][0]["base"]["ref"] == "main");
        CHECK(state["pulls"][0]["head"]["sha"] == git(config.bare, {"rev-parse", "bump/svc5"}));
        CHECK(run.err.find(k_token) == std::string::npos);
    }

    SECTION("recognised by the host of GITHUB_SERVER_URL; the second bump updates the same PR") {
        const Environment env{{"GITHUB_SERVER_URL", github.api_url()},
                              {"GITHUB_API_URL", github.api_url() + "/api/v3"},
                              {"GITHUB_TOKEN", k_token}};
        auto first = run_pipe({"--service", "svc1", "bump", "--value", "sha-one"}, repo, env);
        INFO(first.err);
        REQUIRE(first.exit_code == 0);
        auto second = run_pipe({"--service", "svc1", "bump", "--value", "sha-two", "--json"}, repo, env);
        INFO(second.err);
        REQUIRE(second.exit_code == 0);
        CHECK(nlohmann::json::parse(second.out)["services"][0]["pull_request"]["operation"] == "updated");
        REQUIRE(github.state()["pulls"].size() == 1);
        CHECK(config.value(1, "bump/svc1").find("\"sha-two\"") != std::string::npos);
    }

    SECTION("another host is not GitHub: the branch is pushed, no PR, a warning") {
        const Environment env{{"GITHUB_API_URL", "https://github.example.com/api/v3"}, {"PIPE_GIT_TOKEN", k_token}};
        auto run = run_pipe({"--service", "svc2", "bump", "--value", "sha-plain"}, repo, env);
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(run.err.find("not a GitHub remote") != std::string::npos);
        CHECK(github.state()["pulls"].empty());
        CHECK(config.value(2, "bump/svc2").find("\"sha-plain\"") != std::string::npos);
    }
}
