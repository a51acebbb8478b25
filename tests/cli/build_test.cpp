// `pipe build` contract without running buildah: --dry-run prints the exact commands and
// changes nothing, a missing Containerfile exits 2, a missing buildah exits 3 with the install
// hint, bad flags exit 2. Real builds are in tests/integration/build_test.cpp.
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

// A committed repository at dir/repo with a FROM scratch Containerfile and an image.
std::filesystem::path service_repository(const TempDir& dir) {
    return pipeline::testing::service_repository(dir.path() / "repo",
                                                 {{"pipe.yaml", "image: ghcr.io/acme/payments-api\n"},
                                                  {"Containerfile", "FROM scratch\nCOPY README.md /README.md\n"}});
}

}  // namespace

TEST_CASE("pipe build --dry-run prints the buildah command and runs nothing", "[cli][build]") {
    TempDir dir;
    auto repo = service_repository(dir);
    std::string sha = git(repo, {"rev-parse", "HEAD"});
    auto storage = dir.path() / "storage";
    pipeline::Environment env{{"PIPE_BUILDAH_ROOT", storage.string()}, {"PIPE_STORAGE_DRIVER", "vfs"}};
    auto run = run_pipe({"--dry-run", "build", "--build-arg", "A=1"}, repo, env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::StartsWith("cd " + repo.string() + " && buildah --storage-driver vfs --root " +
                                          storage.string() + " build --format oci --layers --file Containerfile"));
    CHECK_THAT(run.out, Catch::Contains("--tag ghcr.io/acme/payments-api:sha-" + sha));
    CHECK_THAT(run.out, Catch::Contains("--label org.opencontainers.image.revision=" + sha));
    CHECK_THAT(run.out, Catch::Contains("--build-arg A=1") && Catch::EndsWith(" .\n"));
    CHECK(run.err.empty());
    CHECK_FALSE(std::filesystem::exists(storage));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe"));

    auto json = run_pipe({"--dry-run", "--json", "build"}, repo, env);
    REQUIRE(json.exit_code == 0);
    auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["dry_run"] == true);
    REQUIRE(doc["services"].size() == 1);
    CHECK(doc["services"][0]["name"] == "payments-api");
    CHECK(doc["services"][0]["image"] == "ghcr.io/acme/payments-api");
    CHECK(doc["services"][0]["image_id"] == "");
    CHECK(doc["services"][0]["tags"] == nlohmann::json::array({"main", "sha-" + sha}));
    CHECK(doc["services"][0]["platforms"] == nlohmann::json::array());
    CHECK_THAT(doc["services"][0]["commands"][0].get<std::string>(), Catch::Contains("buildah"));
}

TEST_CASE("pipe build without a Containerfile exits 2 and says what it looked for", "[cli][build]") {
    TempDir dir;
    init_repository(dir.path());
    auto run = run_pipe({"build"}, dir.path());
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::StartsWith("pipe: error: "));
    CHECK_THAT(run.err, Catch::Contains("looked for Containerfile and Dockerfile"));
    CHECK_THAT(run.err, Catch::Contains("hint:"));

    dir.write("pipe.yaml", "image: ghcr.io/acme/app\nfile: docker/Containerfile\n");
    auto configured = run_pipe({"--json", "build"}, dir.path());
    CHECK(configured.exit_code == 2);
    auto doc = nlohmann::json::parse(configured.out);
    CHECK(doc["error"]["kind"] == "config");
    CHECK(doc["error"]["where"] == "pipe.yaml:2:7");
}

TEST_CASE("pipe build without buildah on PATH exits 3 with the install hint", "[cli][build]") {
    TempDir dir;
    auto repo = service_repository(dir);
    std::filesystem::create_directories(dir.path() / "empty-bin");
    auto run = run_pipe({"build"}, repo, {{"PATH", (dir.path() / "empty-bin").string()}});
    CHECK(run.exit_code == 3);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains("pipe: error: buildah build for service 'payments-api'") &&
                            Catch::Contains("not found on PATH"));
    CHECK_THAT(run.err, Catch::Contains("hint: install buildah: apt-get install buildah"));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe/state.json"));
}

TEST_CASE("pipe build rejects bad flags and configuration with exit 2", "[cli][build]") {
    TempDir dir;
    auto repo = service_repository(dir);
    auto isolation = run_pipe({"build", "--isolation", "chrot"}, repo);
    CHECK(isolation.exit_code == 2);
    CHECK_THAT(isolation.err,
               Catch::Contains("--isolation: unknown isolation 'chrot'") && Catch::Contains("did you mean 'chroot'?"));
    auto arg = run_pipe({"build", "--build-arg", "NOVALUE"}, repo);
    CHECK(arg.exit_code == 2);
    CHECK_THAT(arg.err, Catch::Contains("NAME=VALUE"));
    auto platform = run_pipe({"build", "--platform", "amd64"}, repo);
    CHECK(platform.exit_code == 2);
    CHECK_THAT(platform.err, Catch::Contains("invalid platform 'amd64'"));
    auto variable = run_pipe({"build"}, repo, {{"PIPE_STORAGE_DRIVER", "overlay3"}});
    CHECK(variable.exit_code == 2);
    CHECK_THAT(variable.err, Catch::Contains("PIPE_STORAGE_DRIVER: unknown storage driver 'overlay3'"));
    dir.write("repo/pipe.yaml", "image: ghcr.io/acme/app\nbuild:\n  layer: false\n");
    auto key = run_pipe({"build"}, repo);
    CHECK(key.exit_code == 2);
    CHECK_THAT(key.err,
               Catch::Contains("pipe.yaml:3:3: unknown key 'layer'") && Catch::Contains("did you mean 'layers'?"));
}

TEST_CASE("pipe build --help shows the flags and examples", "[cli][build]") {
    TempDir dir;
    auto help = run_pipe({"build", "--help"}, dir.path());
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--build-arg") && Catch::Contains("--platform") &&
                             Catch::Contains("--no-layers") && Catch::Contains("Examples:") &&
                             Catch::Contains("pipe --dry-run build"));
}
