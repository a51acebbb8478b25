// `pipe bump` after a real build, push and sign (buildah, docker-registry on loopback, pipe's
// native signer): --pin digest writes the pushed digest into a kustomization and a Kubernetes
// manifest of a config repository over file://, and the gates refuse (exit 1, nothing written)
// an image whose signature does not verify or whose tag was pushed over since.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

using pipeline::Environment;
using pipeline::testing::BuildahStorage;
using pipeline::testing::git;
using pipeline::testing::LocalRegistry;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

TEST_CASE("build, push, sign, then bump --pin digest: gated by the signature and the tag",
          "[integration][bump][buildah]") {
    TempDir dir;
    LocalRegistry registry(dir.path());
    BuildahStorage storage(dir);
    const std::string image = registry.host() + "/acme/api";

    const std::filesystem::path seed = dir.path() / "seed";
    pipeline::testing::service_repository(
        seed, {{"k8s/kustomization.yaml",
                "resources:\n  - deploy.yaml\nimages:\n  - name: " + image + "  # the api\n    newTag: old\n"},
               {"k8s/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
                "      containers:\n        - name: api\n          image: " +
                    image + ":old\n"}});
    const std::filesystem::path bare = dir.path() / "config.git";
    git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
    const std::string config_base = git(bare, {"rev-parse", "main"});

    Environment env = storage.env();
    env["COSIGN_PASSWORD"] = "bump-gate-password";
    const std::filesystem::path key = dir.path() / "keys" / "cosign.key";
    const std::string pipe_yaml = fmt::format(
        "image: {0}\nregistry:\n  insecure: true\nverify:\n  key: {1}\nbump:\n"
        "  - url: file://{2}\n    file: k8s/kustomization.yaml\n    kustomize: true\n"
        "  - url: file://{2}\n    file: k8s/deploy.yaml\n    image: {0}\n",
        image, (dir.path() / "keys" / "cosign.pub").string(), bare.string());
    const auto repo = pipeline::testing::service_repository(
        dir.path() / "repo", {{"pipe.yaml", pipe_yaml},
                              {"Containerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
                              {"hello.txt", "hello from the bump test\n"},
                              {".containerignore", ".git\n"}});
    const std::string sha = git(repo, {"rev-parse", "HEAD"});
    std::filesystem::create_directories(key.parent_path());
    REQUIRE(run_pipe({"sign", "--generate-key", "--key", key.string()}, repo, env).exit_code == 0);
    auto built = run_pipe({"build"}, repo, env);
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
    auto pushed = run_pipe({"--json", "push"}, repo, env);
    INFO(pushed.err);
    REQUIRE(pushed.exit_code == 0);
    const std::string digest = nlohmann::json::parse(pushed.out)["services"][0]["digest"];

    // Not signed yet: refused, nothing written.
    auto unsigned_bump = run_pipe({"bump", "--pin", "digest", "--direct"}, repo, env);
    INFO(unsigned_bump.err);
    CHECK(unsigned_bump.exit_code == 1);
    CHECK(unsigned_bump.err.find("refusing to bump " + image + "@" + digest) != std::string::npos);
    CHECK(unsigned_bump.err.find("pipe sign") != std::string::npos);
    CHECK(git(bare, {"rev-parse", "main"}) == config_base);

    auto signed_run = run_pipe({"sign", "--key", key.string()}, repo, env);
    INFO(signed_run.err);
    REQUIRE(signed_run.exit_code == 0);
    auto bumped = run_pipe({"--json", "bump", "--pin", "digest", "--direct"}, repo, env);
    INFO(bumped.err);
    REQUIRE(bumped.exit_code == 0);
    const auto doc = nlohmann::json::parse(bumped.out);
    REQUIRE(doc["services"].size() == 2);
    CHECK(doc["services"][0]["new"] == "sha-" + sha + "@" + digest);
    CHECK(doc["services"][1]["new"] == image + ":sha-" + sha + "@" + digest);
    CHECK(git(bare, {"show", "main:k8s/kustomization.yaml"}) ==
          "resources:\n  - deploy.yaml\nimages:\n  - name: " + image + "  # the api\n    newTag: sha-" + sha +
              "\n    digest: " + digest);
    CHECK(git(bare, {"show", "main:k8s/deploy.yaml"}).find("image: " + image + ":sha-" + sha + "@" + digest) !=
          std::string::npos);
    CHECK(git(bare, {"rev-list", "--count", config_base + "..main"}) == "2");

    // Someone pushes another image over the tag: refused before anything is read or written.
    registry.seed_image("acme/api", "sha-" + sha);
    auto moved = run_pipe({"bump", "--pin", "digest", "--direct"}, repo, env);
    CHECK(moved.exit_code == 1);
    CHECK(moved.err.find("no longer resolves to the pushed digest") != std::string::npos);
}
