// `pipe init` in temporary git repositories (Go, Node and CMake projects, with and without a
// Containerfile, with GitHub remotes over https and ssh): the written pipe.yaml loads with the real
// loader and names the detected image, .gitignore gains `.pipe/` exactly once, existing files are
// never replaced without --force, --dry-run writes nothing, and the CI files are pipe's examples.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/config/loader.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::testing::git;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

const std::string k_source = PIPE_SOURCE_DIR;

// A repository with files and, when remote is not empty, an origin remote.
std::filesystem::path project(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& remote = "") {
    auto repo = pipeline::testing::service_repository(dir.path() / "repo", files);
    if (!remote.empty()) {
        git(repo, {"remote", "add", "origin", remote});
    }
    return repo;
}

// Loads pipe.yaml the way every step does; fails the test with the loader's error.
pipeline::config::Config load(const std::filesystem::path& repo) {
    auto loaded = pipeline::config::load_config({}, repo, repo.filename().string());
    INFO((loaded ? std::string() : pipeline::describe(loaded.error())));
    REQUIRE(loaded);
    return *loaded;
}

}  // namespace

TEST_CASE("pipe init in a Go project with a GitHub remote names ghcr.io/<owner>/<repo>", "[cli][init]") {
    TempDir dir;
    auto repo = project(dir, {{"go.mod", "module example.com/api\n"}, {"Containerfile", "FROM scratch\n"}},
                        "https://github.com/Acme-Corp/Payments.API.git");
    auto run = run_pipe({"init"}, repo);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out == "create    pipe.yaml\ncreate    .gitignore\n");
    CHECK_THAT(run.err,
               Catch::Contains("go project; image ghcr.io/acme-corp/payments.api (from origin); Containerfile"));
    const std::string yaml = read_file(repo / "pipe.yaml");
    CHECK_THAT(yaml,
               Catch::Contains("# Detected: a go project (go.mod).") &&
                   Catch::Contains("image: ghcr.io/acme-corp/payments.api\n") &&
                   Catch::Contains("file: Containerfile\n") &&
                   Catch::Contains(R"(certificate_identity_regexp: '^https://github\.com/Acme-Corp/Payments\.API/')"));
    const auto config = load(repo);
    REQUIRE(config.services.size() == 1);
    CHECK(config.services[0].images == std::vector<std::string>{"ghcr.io/acme-corp/payments.api"});
    CHECK(config.services[0].file == "Containerfile");
    CHECK(config.services[0].verify.certificate_oidc_issuer == "https://token.actions.githubusercontent.com");
    CHECK(read_file(repo / ".gitignore") == "# pipe's state between steps (pipe init)\n.pipe/\n");
    // The state directory is ignored by git now.
    CHECK(git(repo, {"check-ignore", ".pipe/state.json"}) == ".pipe/state.json");
}

TEST_CASE("pipe init in a Node project over ssh without Containerfile, and a CMake one without remote", "[cli][init]") {
    TempDir dir;
    auto repo =
        project(dir, {{"package.json", "{}\n"}, {".gitignore", "node_modules/"}}, "git@github.com:acme/web-ui.git");
    auto run = run_pipe({"init", "--json"}, repo);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["language"] == "node");
    CHECK(doc["image"] == "ghcr.io/acme/web-ui");
    CHECK(doc["containerfile"] == "");
    CHECK(doc["files"][1] == nlohmann::json{{"path", ".gitignore"}, {"action", "append"}});
    CHECK(read_file(repo / ".gitignore") == "node_modules/\n# pipe's state between steps (pipe init)\n.pipe/\n");
    CHECK_THAT(read_file(repo / "pipe.yaml"), Catch::Contains("No Containerfile was found"));
    load(repo);

    TempDir other;
    auto cmake = project(other, {{"CMakeLists.txt", "project(x)\n"}, {"Dockerfile", "FROM scratch\n"}});
    auto plain = run_pipe({"init"}, cmake);
    REQUIRE(plain.exit_code == 0);
    CHECK_THAT(plain.err, Catch::Contains("cmake project; image ghcr.io/your-org/repo (a placeholder"));
    const auto config = load(cmake);
    CHECK(config.services[0].file == "Dockerfile");
    CHECK_FALSE(config.services[0].verify.configured());
}

TEST_CASE("pipe init is idempotent and never replaces a changed file without --force", "[cli][init]") {
    TempDir dir;
    auto repo = project(dir, {{"go.mod", "module x\n"}}, "https://github.com/acme/api");
    REQUIRE(run_pipe({"init"}, repo).exit_code == 0);
    const std::string gitignore = read_file(repo / ".gitignore");
    auto again = run_pipe({"init"}, repo);
    CHECK(again.exit_code == 0);
    CHECK(again.out == "unchanged pipe.yaml\nunchanged .gitignore\n");
    CHECK(read_file(repo / ".gitignore") == gitignore);

    const std::string edited = read_file(repo / "pipe.yaml") + "# mine\n";
    dir.write("repo/pipe.yaml", edited);
    auto refused = run_pipe({"init", "--makefile"}, repo);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("pipe: error: pipe.yaml already exists with other content") &&
                                Catch::Contains("--force"));
    CHECK(read_file(repo / "pipe.yaml") == edited);
    CHECK_FALSE(std::filesystem::exists(repo / "Makefile"));

    auto forced = run_pipe({"init", "--force"}, repo);
    CHECK(forced.exit_code == 0);
    CHECK(forced.out == "replace   pipe.yaml\nunchanged .gitignore\n");
    CHECK(read_file(repo / "pipe.yaml") != edited);
}

TEST_CASE("pipe --dry-run init lists the files and writes nothing", "[cli][init]") {
    TempDir dir;
    auto repo = project(dir, {{"go.mod", "module x\n"}});
    auto run = run_pipe({"--dry-run", "init", "--github-actions", "--makefile"}, repo);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out ==
          "would create    pipe.yaml\nwould create    .gitignore\nwould create    Makefile\n"
          "would create    .github/workflows/ci.yaml\n");
    CHECK_FALSE(std::filesystem::exists(repo / "pipe.yaml"));
    CHECK_FALSE(std::filesystem::exists(repo / ".gitignore"));
}

TEST_CASE("pipe init --github-actions --makefile --tekton copies pipe's examples byte for byte", "[cli][init]") {
    TempDir dir;
    auto repo = project(dir, {{"go.mod", "module x\n"}, {"Containerfile", "FROM scratch\n"}});
    auto run = run_pipe({"init", "--github-actions", "--makefile", "--tekton"}, repo);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(read_file(repo / ".github/workflows/ci.yaml") == read_file(k_source + "/examples/github-actions/ci.yaml"));
    CHECK(read_file(repo / "Makefile") == read_file(k_source + "/examples/Makefile"));
    int tekton = 0;
    for (const auto& entry : std::filesystem::directory_iterator(k_source + "/examples/tekton")) {
        if (entry.path().extension() == ".yaml") {
            ++tekton;
            INFO(entry.path());
            CHECK(read_file(repo / ".tekton" / entry.path().filename()) == read_file(entry.path()));
        }
    }
    CHECK(tekton > 0);
    CHECK_FALSE(std::filesystem::exists(repo / ".tekton" / "Containerfile"));
}
