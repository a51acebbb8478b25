// The build step with fake-buildah: the exact commands per service, Containerfile detection,
// overrides, default image, dry run, the state record, and failures.
#include "fake_buildah_runner.h"
#include "git_fixture.h"
#include "temp_dir.h"

#include <pipe/state/build_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/build_step.h>

#include <catch2/catch.hpp>

using pipeline::ErrorKind;
using pipeline::steps::BuildOptions;
using pipeline::steps::Workspace;
using pipeline::testing::exited;
using pipeline::testing::FakeBuildahRunner;
using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::TempDir;

namespace {

using Argv = std::vector<std::string>;

const std::string k_image_id = "sha256:" + std::string(64, 'd');

Workspace open(const TempDir& dir, pipeline::Environment env = {}) {
    env["SOURCE_DATE_EPOCH"] = "1704846600";
    pipeline::steps::WorkspaceOptions options;
    options.directory = dir.path();
    auto workspace = pipeline::steps::open_workspace(options, env);
    INFO((workspace ? "" : workspace.error().message));
    REQUIRE(workspace.has_value());
    return *workspace;
}

// A repository with a pipe.yaml and a Containerfile at the root, both committed.
std::string repository(const TempDir& dir, const std::string& yaml) {
    init_repository(dir.path());
    dir.write("pipe.yaml", yaml);
    dir.write("Containerfile", "FROM scratch\n");
    git(dir.path(), {"add", "."});
    git(dir.path(), {"commit", "-q", "-m", "add service"});
    return git(dir.path(), {"rev-parse", "HEAD"});
}

// Options with a scratch directory outside the repository, as the CLI's private temp directory is.
BuildOptions options_for(const TempDir& scratch) {
    BuildOptions options;
    options.scratch = scratch.path();
    return options;
}

// The label arguments buildah gets for the computed OCI labels of this repository.
Argv label_args(const TempDir& dir, const std::string& sha) {
    return {"--label", "org.opencontainers.image.created=2024-01-10T00:30:00.000Z",
            "--label", "org.opencontainers.image.description=",
            "--label", "org.opencontainers.image.licenses=",
            "--label", "org.opencontainers.image.revision=" + sha,
            "--label", "org.opencontainers.image.source=",
            "--label", "org.opencontainers.image.title=" + dir.path().filename().string(),
            "--label", "org.opencontainers.image.url=",
            "--label", "org.opencontainers.image.version=main"};
}

Argv concat(std::initializer_list<Argv> parts) {
    Argv all;
    for (const Argv& part : parts) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

}  // namespace

TEST_CASE("a service is built with every tag and label, and recorded in the state file", "[build]") {
    TempDir dir;
    TempDir scratch;
    std::string sha = repository(dir,
                                 "image: ghcr.io/acme/api\nbuild:\n  args: {GO: '1.22'}\n  storage_driver: vfs\n"
                                 "  isolation: chroot\n  root: .storage\n");
    Workspace workspace = open(dir);
    BuildOptions options = options_for(scratch);
    std::vector<std::string> events;
    options.progress.started = [&](const std::string& name) { events.push_back("start " + name); };
    options.progress.finished = [&](const std::string& name) { events.push_back("end " + name); };
    FakeBuildahRunner runner(k_image_id);
    Argv expected = concat({{"buildah",
                             "--storage-driver",
                             "vfs",
                             "--root",
                             (dir.path() / ".storage").string(),
                             "build",
                             "--format",
                             "oci",
                             "--layers",
                             "--isolation",
                             "chroot",
                             "--file",
                             "Containerfile",
                             "--iidfile",
                             (options.scratch / "api.iid").string(),
                             "--tag",
                             "ghcr.io/acme/api:main",
                             "--tag",
                             "ghcr.io/acme/api:sha-" + sha,
                             "--build-arg",
                             "GO=1.22"},
                            label_args(dir, sha),
                            {"."}});
    runner.expect(expected, exited(0, "STEP 1/1: FROM scratch\n"));
    auto report = pipeline::steps::run_build(workspace, runner, options);
    INFO((report ? "" : report.error().message + " / " + report.error().hint));
    REQUIRE(report.has_value());
    CHECK(runner.unanswered() == 0);
    CHECK(runner.commands().at(0).cwd == dir.path());
    CHECK(events == std::vector<std::string>{"start api", "end api"});
    REQUIRE(report->services.size() == 1);
    const auto& built = report->services[0];
    CHECK(built.name == "api");
    CHECK(built.image == "ghcr.io/acme/api");
    CHECK(built.image_id == k_image_id);
    CHECK(built.tags == std::vector<std::string>{"main", "sha-" + sha});
    CHECK(report->state_file == dir.path() / ".pipe/state.json");

    auto tree = pipeline::state::current_tree(dir.path(), sha);
    REQUIRE(tree.has_value());
    auto state = pipeline::state::read_state(dir.path(), *tree);
    REQUIRE(state.has_value());
    REQUIRE(state->has_value());
    auto record = pipeline::state::parse_build_record(*(*state)->section("api", "build"), "state");
    REQUIRE(record.has_value());
    CHECK(record->image_id == k_image_id);
    CHECK(record->local_name == "ghcr.io/acme/api:main");
    CHECK(record->references == built.references);
    CHECK_FALSE(record->manifest_list);
    CHECK(record->started_at.size() == 20);
}

TEST_CASE("a dry run returns the commands and runs and writes nothing", "[build]") {
    TempDir dir;
    TempDir scratch;
    repository(dir, "image: ghcr.io/acme/api\n");
    Workspace workspace = open(dir);
    BuildOptions options = options_for(scratch);
    options.dry_run = true;
    FakeBuildahRunner runner;  // nothing scripted: any command would fail the build
    auto report = pipeline::steps::run_build(workspace, runner, options);
    REQUIRE(report.has_value());
    CHECK(runner.commands().empty());
    REQUIRE(report->services.size() == 1);
    REQUIRE(report->services[0].commands.size() == 1);
    CHECK(report->services[0].commands[0].argv.front() == "buildah");
    CHECK(report->services[0].image_id.empty());
    CHECK(report->state_file.empty());
    CHECK_FALSE(std::filesystem::exists(dir.path() / ".pipe"));
}

TEST_CASE("the Containerfile is found from `file`, else Containerfile, else Dockerfile", "[build]") {
    TempDir dir;
    init_repository(dir.path());
    pipeline::config::ServiceConfig service;
    service.name = "api";
    service.context = "services/api";
    service.origins["context"] = "pipe.yaml:3:14";
    dir.write("services/api/Dockerfile", "FROM scratch\n");
    CHECK(*pipeline::steps::find_containerfile(dir.path(), service) == "services/api/Dockerfile");
    dir.write("services/api/Containerfile", "FROM scratch\n");
    CHECK(*pipeline::steps::find_containerfile(dir.path(), service) == "services/api/Containerfile");

    service.file = "build/api.Containerfile";  // relative to the repository root
    service.origins["file"] = "pipe.yaml:4:11";
    dir.write("build/api.Containerfile", "FROM scratch\n");
    CHECK(*pipeline::steps::find_containerfile(dir.path(), service) == "build/api.Containerfile");
    service.file = "Dockerfile";  // not at the root: found relative to the context, as buildah does
    CHECK(*pipeline::steps::find_containerfile(dir.path(), service) == "services/api/Dockerfile");

    service.file = "missing.Containerfile";
    auto missing = pipeline::steps::find_containerfile(dir.path(), service);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == ErrorKind::config);
    CHECK(missing.error().where == "pipe.yaml:4:11");
    CHECK_THAT(missing.error().message,
               Catch::Contains("missing.Containerfile and services/api/missing.Containerfile"));

    service.file.clear();
    service.context = "web";
    std::filesystem::create_directories(dir.path() / "web");
    auto none = pipeline::steps::find_containerfile(dir.path(), service);
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().kind == ErrorKind::config);
    CHECK(none.error().where == "pipe.yaml:3:14");
    CHECK_THAT(none.error().message, Catch::Contains("looked for web/Containerfile and web/Dockerfile"));
    CHECK_THAT(none.error().hint, Catch::Contains("--file"));

    service.context = "nowhere";
    auto context = pipeline::steps::find_containerfile(dir.path(), service);
    REQUIRE_FALSE(context.has_value());
    CHECK_THAT(context.error().message, Catch::Contains("'nowhere'") && Catch::Contains("not a directory"));

    service.context = "web";
    service.file = "nope";
    service.origins["file"] = "--file";
    auto flag = pipeline::steps::find_containerfile(dir.path(), service);
    REQUIRE_FALSE(flag.has_value());
    CHECK(flag.error().kind == ErrorKind::usage);
}

TEST_CASE("a missing Containerfile stops the build before buildah runs", "[build]") {
    TempDir dir;
    TempDir scratch;
    init_repository(dir.path());
    dir.write("pipe.yaml", "image: ghcr.io/acme/api\n");
    Workspace workspace = open(dir);
    FakeBuildahRunner runner;
    auto report = pipeline::steps::run_build(workspace, runner, options_for(scratch));
    REQUIRE_FALSE(report.has_value());
    CHECK(report.error().kind == ErrorKind::config);
    CHECK_THAT(report.error().message, Catch::Contains("no Containerfile or Dockerfile"));
    CHECK(runner.commands().empty());
}

TEST_CASE("without an image a service builds localhost/<name>", "[build]") {
    CHECK(pipeline::steps::default_image("payments-api") == "localhost/payments-api");
    CHECK(pipeline::steps::default_image("pipe-test-AbC_1.x") == "localhost/pipe-test-abc-1-x");
    CHECK(pipeline::steps::default_image("__") == "localhost/image");

    TempDir dir;
    TempDir scratch;
    std::string sha = repository(dir, "services:\n  api: {}\n");
    Workspace workspace = open(dir);
    BuildOptions options = options_for(scratch);
    options.dry_run = true;
    FakeBuildahRunner runner;
    auto report = pipeline::steps::run_build(workspace, runner, options);
    REQUIRE(report.has_value());
    CHECK(report->services.at(0).references ==
          std::vector<std::string>{"localhost/api:main", "localhost/api:sha-" + sha});
}

TEST_CASE("flags override the configuration, and several platforms build a manifest list", "[build]") {
    TempDir dir;
    TempDir scratch;
    std::string sha = repository(dir, "image: ghcr.io/acme/api\nbuild:\n  args: {A: '1', B: '2'}\n");
    Workspace workspace = open(dir);
    pipeline::steps::BuildOverrides overrides;
    overrides.build_args = {"B=3", "C=x=y"};
    overrides.platforms = {"linux/amd64,linux/arm64"};
    overrides.target = "runtime";
    overrides.no_layers = true;
    REQUIRE(pipeline::steps::apply_build_overrides(workspace, overrides).has_value());
    FakeBuildahRunner runner;
    std::string list = "ghcr.io/acme/api:main";
    runner.expect({"buildah", "manifest", "rm", list}, exited(125, "", "Error: " + list + ": image not known\n"));
    runner.expect(concat({{"buildah", "build", "--format", "oci", "--layers=false", "--file", "Containerfile",
                           "--manifest", list, "--platform", "linux/amd64,linux/arm64", "--target", "runtime",
                           "--build-arg", "A=1", "--build-arg", "B=3", "--build-arg", "C=x=y"},
                          label_args(dir, sha),
                          {"."}}),
                  exited(0));
    runner.expect({"buildah", "manifest", "inspect", list},
                  exited(0, R"({"manifests": [{"platform": {"architecture": "amd64", "os": "linux"}},
                                               {"platform": {"architecture": "arm64", "os": "linux"}}]})"));
    runner.expect({"buildah", "tag", list, "ghcr.io/acme/api:sha-" + sha}, exited(0));
    runner.expect({"buildah", "images", "--json", "--no-trunc", "--filter", "reference=" + list},
                  exited(0, "[{\"id\": \"sha256:" + std::string(64, 'e') + "\", \"names\": [\"" + list + "\"]}]"));
    auto report = pipeline::steps::run_build(workspace, runner, options_for(scratch));
    INFO((report ? "" : report.error().message));
    REQUIRE(report.has_value());
    CHECK(runner.unanswered() == 0);
    CHECK(report->services[0].image_id == "sha256:" + std::string(64, 'e'));
    CHECK(report->services[0].platforms == std::vector<std::string>{"linux/amd64", "linux/arm64"});
}

TEST_CASE("malformed flags are usage errors naming the flag", "[build]") {
    TempDir dir;
    repository(dir, "image: ghcr.io/acme/api\n");
    Workspace workspace = open(dir);
    struct Case {
        pipeline::steps::BuildOverrides overrides;
        std::string part;
    };
    std::vector<Case> cases(4);
    cases[0].overrides.build_args = {"NOVALUE"};
    cases[0].part = "--build-arg 'NOVALUE'";
    cases[1].overrides.platforms = {"linux/amd64,arm64"};
    cases[1].part = "invalid platform 'arm64'";
    cases[2].overrides.isolation = "chrot";
    cases[2].part = "unknown isolation 'chrot'";
    cases[3].overrides.storage_driver = "overlay3";
    cases[3].part = "unknown storage driver";
    for (const Case& c : cases) {
        INFO(c.part);
        auto applied = pipeline::steps::apply_build_overrides(workspace, c.overrides);
        REQUIRE_FALSE(applied.has_value());
        CHECK(applied.error().kind == ErrorKind::usage);
        CHECK_THAT(applied.error().message, Catch::Contains(c.part));
    }
}

TEST_CASE("an invalid cache repository is a config error at its position", "[build]") {
    TempDir dir;
    TempDir scratch;
    repository(dir, "image: ghcr.io/acme/api\nbuild:\n  cache_from: [ghcr.io/Acme/cache]\n");
    Workspace workspace = open(dir);
    FakeBuildahRunner runner;
    auto report = pipeline::steps::run_build(workspace, runner, options_for(scratch));
    REQUIRE_FALSE(report.has_value());
    CHECK(report.error().kind == ErrorKind::config);
    CHECK(report.error().where == "pipe.yaml:3:16");
}

TEST_CASE("a failed build keeps earlier services recorded and reports buildah's reason", "[build]") {
    TempDir dir;
    TempDir scratch;
    init_repository(dir.path());
    dir.write("pipe.yaml",
              "services:\n  api: {image: ghcr.io/acme/api, context: api}\n"
              "  web: {image: ghcr.io/acme/web, context: web}\n");
    dir.write("api/Containerfile", "FROM scratch\n");
    dir.write("web/Containerfile", "FROM scratch\nRUN false\n");
    git(dir.path(), {"add", "."});
    git(dir.path(), {"commit", "-q", "-m", "services"});
    std::string sha = git(dir.path(), {"rev-parse", "HEAD"});
    Workspace workspace = open(dir);
    BuildOptions options = options_for(scratch);
    options.dry_run = true;
    FakeBuildahRunner planner;
    auto plan = pipeline::steps::run_build(workspace, planner, options);
    REQUIRE(plan.has_value());
    REQUIRE(plan->services.size() == 2);
    CHECK(plan->services[1].commands[0].argv.back() == "web");

    std::vector<std::string> events;
    options.dry_run = false;
    options.progress.started = [&](const std::string& name) { events.push_back("start " + name); };
    options.progress.finished = [&](const std::string& name) { events.push_back("end " + name); };
    FakeBuildahRunner runner(k_image_id);
    runner.expect(plan->services[0].commands[0].argv, exited(0));
    runner.expect(plan->services[1].commands[0].argv,
                  exited(1, "STEP 2/2: RUN false\n", "Error: building at STEP \"RUN false\": exit status 1\n"));
    auto report = pipeline::steps::run_build(workspace, runner, options);
    REQUIRE_FALSE(report.has_value());
    CHECK(report.error().kind == ErrorKind::runtime);
    CHECK_THAT(report.error().message, Catch::Contains("service 'web'") && Catch::Contains("RUN false"));
    CHECK(events == std::vector<std::string>{"start api", "end api", "start web", "end web"});

    auto state = pipeline::state::read_state(dir.path(), *pipeline::state::current_tree(dir.path(), sha));
    INFO((state ? "" : state.error().message));
    REQUIRE(state.has_value());
    REQUIRE(state->has_value());
    CHECK((*state)->section("api", "build") != nullptr);
    CHECK((*state)->section("web", "build") == nullptr);
}
