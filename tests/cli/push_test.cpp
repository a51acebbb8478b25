// `pipe push` contract without a registry: what it refuses before touching the network (no
// recorded build, a state file of another commit, bad tags or CA files) and what --dry-run
// prints. Real pushes are in tests/integration/push_test.cpp.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::filesystem::path service_repository(const TempDir& dir) {
    return pipeline::testing::service_repository(
        dir.path() / "repo", {{"pipe.yaml", "image: 127.0.0.1:5000/acme/api\n"}, {"Containerfile", "FROM scratch\n"}});
}

// A state file as `pipe build` writes it, for commit.
void write_build_state(const TempDir& dir, const std::string& commit, bool manifest_list = false) {
    nlohmann::json build{{"image", "127.0.0.1:5000/acme/api"},
                         {"local_name", "127.0.0.1:5000/acme/api:main"},
                         {"image_id", "sha256:" + std::string(64, 'a')},
                         {"manifest_list", manifest_list},
                         {"tags", {"main", "sha-" + commit}},
                         {"references", {"127.0.0.1:5000/acme/api:main", "127.0.0.1:5000/acme/api:sha-" + commit}},
                         {"platforms", nlohmann::json::array()},
                         {"started_at", "2026-11-27T00:00:00Z"},
                         {"finished_at", "2026-11-27T00:00:01Z"},
                         {"duration_ms", 1000}};
    nlohmann::json state{
        {"schema", 1}, {"commit", commit}, {"fingerprint", ""}, {"services", {{"api", {{"build", build}}}}}};
    dir.write("repo/.pipe/.gitignore", "*\n");
    dir.write("repo/.pipe/state.json", state.dump(2));
}

}  // namespace

TEST_CASE("pipe push without a recorded build says to run pipe build", "[cli][push]") {
    TempDir dir;
    auto repo = service_repository(dir);
    auto run = run_pipe({"push"}, repo);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("nothing to push") && Catch::Contains("run `pipe build` first"));
    CHECK(run.out.empty());
}

TEST_CASE("pipe push refuses a state file of another commit", "[cli][push]") {
    TempDir dir;
    auto repo = service_repository(dir);
    write_build_state(dir, std::string(40, 'b'));
    auto run = run_pipe({"push"}, repo);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains(std::string(40, 'b').substr(0, 12)) && Catch::Contains("pipe build"));
}

TEST_CASE("pipe push rejects invalid tags and missing CA files before any work", "[cli][push]") {
    TempDir dir;
    auto repo = service_repository(dir);
    write_build_state(dir, git(repo, {"rev-parse", "HEAD"}));
    auto bad_tag = run_pipe({"push", "--tag", "not a tag"}, repo);
    CHECK(bad_tag.exit_code == 2);
    CHECK_THAT(bad_tag.err, Catch::Contains("--tag 'not a tag'"));
    auto bad_ca = run_pipe({"push", "--ca-file", "missing.pem"}, repo);
    CHECK(bad_ca.exit_code == 2);
    CHECK_THAT(bad_ca.err, Catch::Contains("--ca-file 'missing.pem' is not a readable file"));
    dir.write("repo/pipe.yaml", "image: 127.0.0.1:5000/acme/api\nregistry:\n  ca_file: certs/ca.pem\n");
    git(repo, {"commit", "-qam", "ca"});
    write_build_state(dir, git(repo, {"rev-parse", "HEAD"}));
    auto configured = run_pipe({"push"}, repo);
    CHECK(configured.exit_code == 2);
    CHECK_THAT(configured.err, Catch::Contains("pipe.yaml:3:12") && Catch::Contains("certs/ca.pem"));
    auto unknown = run_pipe({"tags"}, repo, {{"PIPE_INSECURE_REGISTRY", "yes"}});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("PIPE_INSECURE_REGISTRY must be true or false"));
}

TEST_CASE("pipe push --dry-run prints the buildah push and the registry calls", "[cli][push]") {
    TempDir dir;
    auto repo = service_repository(dir);
    const std::string sha = git(repo, {"rev-parse", "HEAD"});
    write_build_state(dir, sha);
    auto run = run_pipe({"--dry-run", "push", "--insecure-registry", "--tag", "v1.0.0"}, repo);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("buildah push --digestfile ") &&
                            Catch::Contains(" --tls-verify=false 127.0.0.1:5000/acme/api:main "
                                            "docker://127.0.0.1:5000/acme/api:main\n"));
    CHECK_THAT(run.out, Catch::Contains("PUT 127.0.0.1:5000/acme/api:sha-" + sha));
    CHECK_THAT(run.out, Catch::Contains("PUT 127.0.0.1:5000/acme/api:v1.0.0"));
    auto json = run_pipe({"--dry-run", "--json", "push"}, repo);
    REQUIRE(json.exit_code == 0);
    auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["dry_run"] == true);
    CHECK(doc["services"][0]["name"] == "api");
    CHECK_THAT(doc["services"][0]["plan"][0].get<std::string>(), Catch::Contains("buildah push"));
    CHECK_THAT(doc["services"][0]["plan"][0].get<std::string>(), !Catch::Contains("tls-verify"));

    write_build_state(dir, sha, true);
    auto list = run_pipe({"--dry-run", "push"}, repo);
    CHECK_THAT(list.out, Catch::Contains("buildah manifest push --all --digestfile"));
}

TEST_CASE("pipe push without buildah on PATH exits 3 with the install hint", "[cli][push]") {
    TempDir dir;
    auto repo = service_repository(dir);
    write_build_state(dir, git(repo, {"rev-parse", "HEAD"}));
    std::filesystem::create_directories(dir.path() / "empty-bin");
    auto run = run_pipe({"push", "--insecure-registry"}, repo, {{"PATH", (dir.path() / "empty-bin").string()}});
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("buildah push to 127.0.0.1:5000/acme/api:main"));
    CHECK_THAT(run.err, Catch::Contains("hint: install buildah: apt-get install buildah"));
}
