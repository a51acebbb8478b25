// `pipe build` with real buildah (vfs storage, chroot isolation, a private storage root per test
// under its temp dir): images exist under every tag with every label, the JSON and the state
// file agree with buildah's storage, Actions outputs and groups, manifest lists, failures.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;
using Storage = pipeline::testing::BuildahStorage;

namespace {

// A committed repository at dir/repo with pipe.yaml and the given Containerfile.
std::filesystem::path repository(const TempDir& dir, const std::string& yaml, const std::string& containerfile) {
    return pipeline::testing::service_repository(
        dir.path() / "repo",
        {{"pipe.yaml", yaml}, {"Containerfile", containerfile}, {"hello.txt", "hello from pipe\n"}});
}

const char* const k_containerfile =
    "FROM scratch\n"
    "ARG GREETING=unset\n"
    "COPY hello.txt /hello.txt\n"
    "LABEL greeting=$GREETING\n";

}  // namespace

TEST_CASE("pipe build builds the image under every tag with every label", "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    auto repo = repository(dir,
                           "image: [ghcr.io/acme/payments-api, 127.0.0.1:5000/acme/payments-api]\n"
                           "labels: [org.opencontainers.image.vendor=Acme]\n"
                           "build:\n  args: {GREETING: hi}\n  annotations: [org.example.team=payments]\n",
                           k_containerfile);
    std::string sha = git(repo, {"rev-parse", "HEAD"});
    auto env = storage.env();
    env["SOURCE_DATE_EPOCH"] = "1704846600";
    auto run = run_pipe({"--json", "build"}, repo, env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto doc = nlohmann::json::parse(run.out);
    REQUIRE(doc["services"].size() == 1);
    const auto& service = doc["services"][0];
    CHECK(service["name"] == "payments-api");
    CHECK(service["image"] == "ghcr.io/acme/payments-api");
    CHECK(service["tags"] == nlohmann::json::array({"main", "sha-" + sha}));
    CHECK(service["platforms"] == nlohmann::json::array());
    const std::string image_id = service["image_id"];
    CHECK(image_id.rfind("sha256:", 0) == 0);
    CHECK(image_id.size() == 71);
    REQUIRE(service["references"].size() == 4);
    CHECK_THAT(run.err, Catch::Contains("STEP") && Catch::Contains("COMMIT"));

    for (const auto& reference : service["references"]) {
        auto image = storage.inspect(reference.get<std::string>());
        CHECK("sha256:" + image["FromImageID"].get<std::string>() == image_id);
        const auto& labels = image["OCIv1"]["config"]["Labels"];
        CHECK(labels["org.opencontainers.image.revision"] == sha);
        CHECK(labels["org.opencontainers.image.version"] == "main");
        CHECK(labels["org.opencontainers.image.created"] == "2024-01-10T00:30:00.000Z");
        CHECK(labels["org.opencontainers.image.title"] == "repo");
        CHECK(labels["org.opencontainers.image.vendor"] == "Acme");
        CHECK(labels["greeting"] == "hi");
        CHECK(image["ImageAnnotations"]["org.example.team"] == "payments");
    }

    auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    CHECK(state["commit"] == sha);
    CHECK(state["services"]["payments-api"]["build"]["image_id"] == image_id);
    CHECK(state["services"]["payments-api"]["build"]["references"] == service["references"]);
    CHECK(git(repo, {"status", "--porcelain"}).empty());  // .pipe/ ignores itself

    auto human = run_pipe({"-q", "build"}, repo, env);
    CHECK(human.exit_code == 0);
    CHECK(human.err.empty());
    CHECK(human.out == "ghcr.io/acme/payments-api:main\nghcr.io/acme/payments-api:sha-" + sha +
                           "\n127.0.0.1:5000/acme/payments-api:main\n127.0.0.1:5000/acme/payments-api:sha-" + sha +
                           "\n");
}

TEST_CASE("inside GitHub Actions buildah's output is grouped and outputs are written",
          "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    auto repo = repository(dir, "image: ghcr.io/acme/api\n", k_containerfile);
    std::string sha = git(repo, {"rev-parse", "HEAD"});
    auto output = dir.write("github_output", "");
    auto summary = dir.write("summary.md", "");
    auto env = storage.env();
    env.insert({{"GITHUB_ACTIONS", "true"},
                {"GITHUB_EVENT_NAME", "push"},
                {"GITHUB_REF", "refs/heads/main"},
                {"GITHUB_SHA", sha},
                {"GITHUB_REPOSITORY", "acme/api"},
                {"GITHUB_OUTPUT", output.string()},
                {"GITHUB_STEP_SUMMARY", summary.string()}});
    auto run = run_pipe({"build"}, repo, env);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto group = run.err.find("::group::buildah build api\n");
    auto step = run.err.find("STEP 1/");
    auto end = run.err.find("::endgroup::\n");
    REQUIRE(group != std::string::npos);
    REQUIRE(end != std::string::npos);
    CHECK(group < step);
    CHECK(step < end);

    std::string outputs = read_file(output);
    auto image_id = storage.inspect("ghcr.io/acme/api:main")["FromImageID"].get<std::string>();
    CHECK_THAT(outputs, Catch::Contains("image=ghcr.io/acme/api\n"));
    CHECK_THAT(outputs, Catch::Contains("image-id=sha256:" + image_id + "\n"));
    CHECK_THAT(outputs, Catch::Contains("tags<<ghadelimiter_"));
    CHECK_THAT(outputs, Catch::Contains("ghcr.io/acme/api:main\nghcr.io/acme/api:sha-" + sha + "\n"));
    CHECK_THAT(read_file(summary), Catch::Contains("### pipe build") && Catch::Contains("| api | `sha256:"));
}

TEST_CASE("several platforms build a manifest list carrying every tag", "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    auto repo = repository(dir, "image: ghcr.io/acme/api\n", k_containerfile);
    std::string sha = git(repo, {"rev-parse", "HEAD"});
    // buildah 1.28 reuses a FROM scratch layer cache across platforms, so the list is built without layers.
    auto run =
        run_pipe({"--json", "build", "--platform", "linux/amd64,linux/arm64", "--no-layers"}, repo, storage.env());
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["services"][0]["platforms"] == nlohmann::json::array({"linux/amd64", "linux/arm64"}));
    for (const std::string& reference : {std::string("ghcr.io/acme/api:main"), "ghcr.io/acme/api:sha-" + sha}) {
        auto list = storage.buildah({"manifest", "inspect", reference});
        INFO(list.err);
        REQUIRE(list.status.success());
        auto manifests = nlohmann::json::parse(list.out)["manifests"];
        REQUIRE(manifests.size() == 2);
        std::vector<std::string> architectures;
        for (const auto& manifest : manifests) {
            architectures.push_back(manifest["platform"]["architecture"]);
        }
        std::sort(architectures.begin(), architectures.end());
        CHECK(architectures == std::vector<std::string>{"amd64", "arm64"});
    }
    auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    CHECK(state["services"]["api"]["build"]["manifest_list"] == true);

    auto again = run_pipe({"build", "--platform", "linux/amd64,linux/arm64", "--no-layers"}, repo, storage.env());
    INFO(again.err);
    REQUIRE(again.exit_code == 0);  // the old list is replaced, not extended
    auto list = storage.buildah({"manifest", "inspect", "ghcr.io/acme/api:main"});
    CHECK(nlohmann::json::parse(list.out)["manifests"].size() == 2);
}

TEST_CASE("monorepo services build from their own contexts - --service picks one", "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    auto repo = dir.path() / "repo";
    init_repository(repo);
    dir.write("repo/pipe.yaml",
              "tags: ['type=raw,value=dev']\nservices:\n  api: {image: ghcr.io/acme/api, context: api}\n"
              "  web: {image: ghcr.io/acme/web, context: web, file: web/web.Containerfile}\n");
    dir.write("repo/api/Containerfile", "FROM scratch\nCOPY a.txt /a.txt\n");
    dir.write("repo/api/a.txt", "a\n");
    dir.write("repo/web/web.Containerfile", "FROM scratch\nCOPY w.txt /w.txt\n");
    dir.write("repo/web/w.txt", "w\n");
    git(repo, {"add", "."});
    git(repo, {"commit", "-q", "-m", "services"});
    auto web = run_pipe({"--service", "web", "build"}, repo, storage.env());
    INFO(web.err);
    REQUIRE(web.exit_code == 0);
    CHECK(web.out == "ghcr.io/acme/web:dev\n");
    CHECK_FALSE(storage.buildah({"inspect", "--type", "image", "ghcr.io/acme/api:dev"}).status.success());
    auto all = run_pipe({"build"}, repo, storage.env());
    INFO(all.err);
    REQUIRE(all.exit_code == 0);
    CHECK(all.out == "ghcr.io/acme/api:dev\nghcr.io/acme/web:dev\n");
    auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    CHECK(state["services"].contains("api"));
    CHECK(state["services"].contains("web"));
}

TEST_CASE("a failing instruction exits 3 with buildah's reason and records nothing", "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    auto repo = repository(dir, "image: ghcr.io/acme/api\n", "FROM scratch\nCOPY missing.txt /missing.txt\n");
    auto run = run_pipe({"build"}, repo, storage.env());
    CHECK(run.exit_code == 3);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains("pipe: error: buildah build for service 'api' failed (exited with code") &&
                            Catch::Contains("COPY missing.txt"));
    CHECK_THAT(run.err, Catch::Contains("hint: a Containerfile instruction failed"));
    CHECK_FALSE(std::filesystem::exists(repo / ".pipe/state.json"));
}

TEST_CASE("a base image that cannot be pulled explains the cause", "[integration][build][buildah]") {
    TempDir dir;
    Storage storage(dir);
    // Port 9 on loopback refuses connections: the pull fails at once without any network.
    auto repo = repository(dir, "image: ghcr.io/acme/api\n", "FROM 127.0.0.1:9/nothing/here:1\n");
    auto run = run_pipe({"build"}, repo, storage.env());
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("127.0.0.1:9/nothing/here"));
    CHECK_THAT(run.err, Catch::Contains("hint: check the FROM image's name"));
}
