// `pipe bump` in git mode against bare repositories over file://: the byte-exact edit lands as
// one commit (the git command line is the witness), an unchanged value changes nothing, the bump
// branch is moved only under its lease, and eight pipelines bumping eight services of one config
// repository at once lose none of their changes.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <thread>

using pipeline::Environment;
using pipeline::testing::git;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

constexpr int k_services = 8;

const std::string k_values =
    "# payments values\nreplicaCount: 2\nimage:\n  repository: ghcr.io/acme/svc  # the app\n"
    "  tag: \"sha-old\"   # bumped by pipe\n\nresources: {}\n";

// A bare config repository with apps/svc<i>/values.yaml for every service, and a service
// repository whose pipe.yaml bumps each of them there.
struct Bumping {
    explicit Bumping(const TempDir& dir) {
        std::vector<std::pair<std::string, std::string>> files;
        std::string services = "services:\n";
        for (int i = 0; i < k_services; ++i) {
            files.emplace_back(fmt::format("apps/svc{}/values.yaml", i), k_values);
        }
        const std::filesystem::path seed = dir.path() / "seed";
        pipeline::testing::service_repository(seed, files);
        bare = dir.path() / "config.git";
        git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
        for (int i = 0; i < k_services; ++i) {
            services += fmt::format(
                "  svc{0}:\n    image: ghcr.io/acme/svc{0}\n    bump:\n      - url: file://{1}\n"
                "        file: apps/svc{0}/values.yaml\n        key: image.tag\n",
                i, bare.string());
        }
        repo = pipeline::testing::service_repository(dir.path() / "app", {{"pipe.yaml", services}});
    }

    std::filesystem::path bare, repo;
};

}  // namespace

TEST_CASE("pipe bump --direct in git mode: one scalar changes, one commit, idempotent", "[integration][bump]") {
    TempDir dir;
    Bumping b(dir);
    const std::string before = git(b.bare, {"rev-parse", "main"});

    auto run = run_pipe({"--service", "svc3", "bump", "--direct", "--value", "sha-new", "--json"}, b.repo);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto doc = nlohmann::json::parse(run.out);
    const nlohmann::json& service = doc["services"][0];
    CHECK(service["changed"] == true);
    CHECK(service["old"] == "sha-old");
    CHECK(service["new"] == "sha-new");
    CHECK(service["mode"] == "git");
    CHECK(service["pull_request"].is_null());
    CHECK(git(b.bare, {"rev-parse", "main"}) == service["commit"].get<std::string>());
    CHECK(git(b.bare, {"rev-parse", "main~1"}) == before);
    std::string expected = k_values;
    expected.replace(expected.find("\"sha-old\""), 9, "\"sha-new\"");
    CHECK(git(b.bare, {"show", "main:apps/svc3/values.yaml"}) + "\n" == expected);
    CHECK(git(b.bare, {"diff", "--numstat", before, "main"}) == "1\t1\tapps/svc3/values.yaml");

    auto again = run_pipe({"--service", "svc3", "bump", "--direct", "--value", "sha-new", "--json"}, b.repo);
    REQUIRE(again.exit_code == 0);
    CHECK(nlohmann::json::parse(again.out)["services"][0]["changed"] == false);
    CHECK(git(b.bare, {"rev-parse", "main"}) == service["commit"].get<std::string>());
}

TEST_CASE("pipe bump --no-pr pushes pipe's bump branch and moves it on the next bump", "[integration][bump]") {
    TempDir dir;
    Bumping b(dir);
    auto first = run_pipe({"--service", "svc1", "bump", "--no-pr", "--value", "sha-one"}, b.repo);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(git(b.bare, {"show", "bump/svc1:apps/svc1/values.yaml"}).find("\"sha-one\"") != std::string::npos);
    CHECK(git(b.bare, {"show", "main:apps/svc1/values.yaml"}).find("\"sha-old\"") != std::string::npos);
    auto second = run_pipe({"--service", "svc1", "bump", "--no-pr", "--value", "sha-two"}, b.repo);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(git(b.bare, {"show", "bump/svc1:apps/svc1/values.yaml"}).find("\"sha-two\"") != std::string::npos);
    CHECK(git(b.bare, {"rev-parse", "bump/svc1~1"}) == git(b.bare, {"rev-parse", "main"}));
}

TEST_CASE("eight pipelines bump eight services of one config repository at once: none is lost", "[integration][bump]") {
    TempDir dir;
    Bumping b(dir);
    std::vector<std::thread> pipelines;
    std::vector<pipeline::testing::PipeRun> runs(k_services);
    for (int i = 0; i < k_services; ++i) {
        pipelines.emplace_back([&, i] {
            runs[i] = run_pipe(
                {"--service", fmt::format("svc{}", i), "bump", "--direct", "--value", fmt::format("sha-{}", i)},
                b.repo);
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
        CHECK(git(b.bare, {"show", fmt::format("main:apps/svc{}/values.yaml", i)}).find(fmt::format("\"sha-{}\"", i)) !=
              std::string::npos);
    }
    CHECK(git(b.bare, {"rev-list", "--count", "main"}) == std::to_string(1 + 1 + k_services));
}

TEST_CASE("pipe bump errors: missing key with suggestions, malformed YAML, no bump entries", "[integration][bump]") {
    TempDir dir;
    Bumping b(dir);
    pipeline::testing::commit_file(b.repo, "pipe.yaml",
                                   "image: ghcr.io/acme/svc0\nbump:\n  url: file://" + b.bare.string() +
                                       "\n  file: apps/svc0/values.yaml\n  key: image.tags\n  base: main\n",
                                   "typo");
    auto typo = run_pipe({"bump", "--direct", "--value", "sha-x"}, b.repo);
    CHECK(typo.exit_code == 2);
    CHECK(typo.err.find("tag") != std::string::npos);
    CHECK(typo.err.find("apps/svc0/values.yaml:") != std::string::npos);

    pipeline::testing::commit_file(b.repo, "pipe.yaml",
                                   "image: ghcr.io/acme/svc0\nbump:\n  url: file://" + b.bare.string() +
                                       "\n  file: apps/svc0/values.yaml\n  key: image.tag\n  kustomize: true\n",
                                   "two modes");
    auto two_modes = run_pipe({"bump", "--value", "x"}, b.repo);
    CHECK(two_modes.exit_code == 2);
    CHECK(two_modes.err.find("pipe.yaml:3:") != std::string::npos);
}
