// The buildah wrapper: exact argv for every option, the environment it hands over, failure
// classification over real stderr samples (tests/data/buildah), and build() with fake-buildah.
#include "fake_buildah_runner.h"
#include "temp_dir.h"

#include <pipe/tools/buildah.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using pipeline::ErrorKind;
using pipeline::testing::exited;
using pipeline::testing::FakeBuildahRunner;
using pipeline::testing::TempDir;
using pipeline::tools::Buildah;
using pipeline::tools::BuildahFailure;
using pipeline::tools::BuildahSettings;
using pipeline::tools::BuildSpec;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/buildah/" + name);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

BuildSpec minimal_spec() {
    BuildSpec spec;
    spec.service = "api";
    spec.context = ".";
    spec.containerfile = "Containerfile";
    spec.references = {"ghcr.io/acme/api:main"};
    spec.iidfile = "/scratch/api.iid";
    return spec;
}

using Argv = std::vector<std::string>;

}  // namespace

TEST_CASE("a minimal build: oci format, layers on, iidfile, one tag, context last", "[buildah]") {
    FakeBuildahRunner runner;
    Buildah buildah(runner, BuildahSettings{});
    auto command = buildah.build_command(minimal_spec());
    CHECK(command.argv == Argv{"buildah", "build", "--format", "oci", "--layers", "--file", "Containerfile",
                               "--iidfile", "/scratch/api.iid", "--tag", "ghcr.io/acme/api:main", "."});
    CHECK(command.env.empty());
    CHECK(command.cwd.empty());
}

TEST_CASE("every build option becomes its buildah flag, global options come first", "[buildah]") {
    FakeBuildahRunner runner;
    BuildahSettings settings;
    settings.storage_driver = "vfs";
    settings.root = "/tmp/storage";
    settings.runroot = "/tmp/run";
    settings.isolation = "chroot";
    settings.directory = "/repo";
    Buildah buildah(runner, settings);
    BuildSpec spec = minimal_spec();
    spec.context = "services/api";
    spec.containerfile = "services/api/Containerfile";
    spec.references = {"ghcr.io/acme/api:main", "ghcr.io/acme/api:sha-abc"};
    spec.labels = {{"org.opencontainers.image.revision", "abc"}, {"org.opencontainers.image.title", "a b"}};
    spec.annotations = {"org.opencontainers.image.vendor=Acme"};
    spec.build_args = {{"GO_VERSION", "1.22"}, {"EMPTY", ""}};
    spec.target = "runtime";
    spec.platforms = {"linux/arm64"};
    spec.layers = false;
    spec.cache_from = {"ghcr.io/acme/cache"};
    spec.cache_to = {"ghcr.io/acme/cache"};
    auto command = buildah.build_command(spec);
    CHECK(command.argv == Argv{"buildah",
                               "--storage-driver",
                               "vfs",
                               "--root",
                               "/tmp/storage",
                               "--runroot",
                               "/tmp/run",
                               "build",
                               "--format",
                               "oci",
                               "--layers=false",
                               "--isolation",
                               "chroot",
                               "--file",
                               "services/api/Containerfile",
                               "--iidfile",
                               "/scratch/api.iid",
                               "--tag",
                               "ghcr.io/acme/api:main",
                               "--tag",
                               "ghcr.io/acme/api:sha-abc",
                               "--platform",
                               "linux/arm64",
                               "--target",
                               "runtime",
                               "--build-arg",
                               "EMPTY=",
                               "--build-arg",
                               "GO_VERSION=1.22",
                               "--label",
                               "org.opencontainers.image.revision=abc",
                               "--label",
                               "org.opencontainers.image.title=a b",
                               "--annotation",
                               "org.opencontainers.image.vendor=Acme",
                               "--cache-from",
                               "ghcr.io/acme/cache",
                               "--cache-to",
                               "ghcr.io/acme/cache",
                               "services/api"});
    CHECK(command.cwd == "/repo");
    CHECK(pipeline::proc::describe(command).rfind("cd /repo && buildah --storage-driver vfs", 0) == 0);
}

TEST_CASE("the registry auth file reaches buildah through REGISTRY_AUTH_FILE, never argv", "[buildah]") {
    FakeBuildahRunner runner;
    BuildahSettings settings;
    settings.auth_file = "/run/pipe-auth/auth.json";
    Buildah buildah(runner, settings);
    for (const auto& command :
         {buildah.build_command(minimal_spec()), buildah.inspect_command("x"), buildah.tag_command("x", {"y"})}) {
        CHECK(command.env.at("REGISTRY_AUTH_FILE") == "/run/pipe-auth/auth.json");
        for (const std::string& word : command.argv) {
            CHECK_THAT(word, !Catch::Contains("auth"));
        }
    }
}

const char* const k_both_platforms =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aa","size":1,
         "platform":{"architecture":"amd64","os":"linux"}},
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bb","size":1,
         "platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]})";

const char* const k_amd64_only =
    R"({"schemaVersion":2,"manifests":[{"digest":"sha256:aa","platform":{"architecture":"amd64","os":"linux"}}]})";

TEST_CASE("several platforms build a manifest list named after the first reference", "[buildah]") {
    FakeBuildahRunner runner;
    Buildah buildah(runner, BuildahSettings{});
    BuildSpec spec = minimal_spec();
    spec.references = {"ghcr.io/acme/api:main", "ghcr.io/acme/api:sha-abc"};
    spec.platforms = {"linux/amd64", "linux/arm64"};
    REQUIRE(pipeline::tools::builds_manifest_list(spec));
    auto plan = buildah.build_plan(spec);
    REQUIRE(plan.size() == 4);
    CHECK(plan[0].argv == Argv{"buildah", "manifest", "rm", "ghcr.io/acme/api:main"});
    CHECK(plan[1].argv == Argv{"buildah", "build", "--format", "oci", "--layers", "--file", "Containerfile",
                               "--manifest", "ghcr.io/acme/api:main", "--platform", "linux/amd64,linux/arm64", "."});
    CHECK(plan[2].argv == Argv{"buildah", "tag", "ghcr.io/acme/api:main", "ghcr.io/acme/api:sha-abc"});
    CHECK(plan[3].argv ==
          Argv{"buildah", "images", "--json", "--no-trunc", "--filter", "reference=ghcr.io/acme/api:main"});

    std::string list_json = read_data("images-manifest-list.json");
    spec.references = {"localhost/multi:one", "localhost/multi:two"};
    FakeBuildahRunner scripted;
    Buildah real(scripted, BuildahSettings{});
    auto steps = real.build_plan(spec);
    scripted.expect(steps[0].argv,
                    exited(125, "", "Error: 1 error occurred:\n\t* localhost/multi:one: image not known\n"));
    scripted.expect(steps[1].argv, exited(0, "STEP 1/1: FROM scratch\n"));
    scripted.expect(real.manifest_inspect_command("localhost/multi:one").argv, exited(0, k_both_platforms));
    scripted.expect(steps[2].argv, exited(0));
    scripted.expect(steps[3].argv, exited(0, list_json));
    auto built = real.build(spec, {});
    REQUIRE(built.has_value());
    CHECK(built->image_id == "sha256:97b6d69e130897c2228c74f069ebb7c3f617fcc46dac8c63289739191c907daf");
    CHECK(built->notes.empty());
    CHECK(scripted.unanswered() == 0);
}

TEST_CASE("a manifest list that lacks a platform is built again without layers", "[buildah]") {
    BuildSpec spec = minimal_spec();
    spec.references = {"localhost/multi:one"};
    spec.platforms = {"linux/amd64", "linux/arm64"};
    FakeBuildahRunner scripted;
    Buildah buildah(scripted, BuildahSettings{});
    BuildSpec without_layers = spec;
    without_layers.layers = false;
    const auto inspect = buildah.manifest_inspect_command("localhost/multi:one").argv;
    scripted.expect(buildah.manifest_rm_command("localhost/multi:one").argv, exited(0));
    scripted.expect(buildah.build_command(spec).argv, exited(0));
    scripted.expect(inspect, exited(0, k_amd64_only));
    scripted.expect(buildah.manifest_rm_command("localhost/multi:one").argv, exited(0));
    scripted.expect(buildah.build_command(without_layers).argv, exited(0));

    SECTION("the second build has every platform") {
        scripted.expect(inspect, exited(0, k_both_platforms));
        scripted.expect(buildah.image_id_command("localhost/multi:one").argv,
                        exited(0, read_data("images-manifest-list.json")));
        auto built = buildah.build(spec, {});
        REQUIRE(built.has_value());
        REQUIRE(built->notes.size() == 1);
        CHECK_THAT(built->notes[0], Catch::Contains("linux/arm64") && Catch::Contains("without layers"));
    }
    SECTION("still lacking, it is an error") {
        scripted.expect(inspect, exited(0, k_amd64_only));
        auto built = buildah.build(spec, {});
        REQUIRE_FALSE(built.has_value());
        CHECK_THAT(built.error().message, Catch::Contains("the manifest list lacks linux/arm64"));
    }
}

TEST_CASE("manifest platforms: variants match requests without one", "[buildah]") {
    auto platforms = pipeline::tools::parse_manifest_platforms(k_both_platforms);
    REQUIRE(platforms);
    CHECK(*platforms == std::vector<std::string>{"linux/amd64", "linux/arm64/v8"});
    CHECK(pipeline::tools::missing_platforms({"linux/amd64", "linux/arm64"}, *platforms).empty());
    CHECK(pipeline::tools::missing_platforms({"linux/arm64/v7", "linux/s390x"}, *platforms) ==
          std::vector<std::string>{"linux/arm64/v7", "linux/s390x"});
    CHECK_FALSE(pipeline::tools::parse_manifest_platforms("not json"));
}

TEST_CASE("a single-platform build reads the image id from the iidfile and streams output", "[buildah]") {
    TempDir dir;
    FakeBuildahRunner runner("sha256:" + std::string(64, 'b'));
    Buildah buildah(runner, BuildahSettings{});
    BuildSpec spec = minimal_spec();
    spec.iidfile = dir.path() / "api.iid";
    runner.expect(buildah.build_command(spec).argv, exited(0, "STEP 1/1: FROM scratch\n"));
    bool sink_set = false;
    auto built = buildah.build(spec, [&](pipeline::proc::Stream, std::string_view) { sink_set = true; });
    REQUIRE(built.has_value());
    CHECK(built->image_id == "sha256:" + std::string(64, 'b'));
    REQUIRE(runner.commands().size() == 1);
    CHECK(static_cast<bool>(runner.commands()[0].sink));
    CHECK(runner.unanswered() == 0);
}

TEST_CASE("a build that exits 0 without writing the iidfile is an error", "[buildah]") {
    TempDir dir;
    pipeline::proc::RecordingRunner runner;
    Buildah buildah(runner, BuildahSettings{});
    BuildSpec spec = minimal_spec();
    spec.iidfile = dir.path() / "api.iid";
    runner.expect(buildah.build_command(spec).argv, exited(0));
    auto built = buildah.build(spec, {});
    REQUIRE_FALSE(built.has_value());
    CHECK(built.error().kind == ErrorKind::runtime);
    CHECK_THAT(built.error().message, Catch::Contains("no image id"));
}

TEST_CASE("known failures are recognised from real buildah stderr", "[buildah]") {
    const std::vector<std::pair<std::string, BuildahFailure>> cases{
        {"missing-containerfile.stderr", BuildahFailure::containerfile},
        {"missing-file-flag.stderr", BuildahFailure::containerfile},
        {"base-image-offline.stderr", BuildahFailure::base_image},
        {"base-image-unknown.stderr", BuildahFailure::base_image},
        {"copy-source-missing.stderr", BuildahFailure::instruction},
        {"unknown-instruction.stderr", BuildahFailure::instruction},
        {"run-isolation-oci.stderr", BuildahFailure::isolation},
        {"bad-storage-driver.stderr", BuildahFailure::storage_driver},
        {"overlay-over-overlay.stderr", BuildahFailure::storage_driver},
        {"fuse-overlayfs-missing.stderr", BuildahFailure::storage_driver},
        {"no-user-namespaces.stderr", BuildahFailure::user_namespaces},
        {"newuidmap-denied.stderr", BuildahFailure::user_namespaces},
        {"not-a-manifest-list.stderr", BuildahFailure::not_a_list},
        {"unrecognized-isolation.stderr", BuildahFailure::unknown},
    };
    for (const auto& [file, cause] : cases) {
        INFO(file);
        CHECK(pipeline::tools::classify_failure(read_data(file)) == cause);
    }
    CHECK(pipeline::tools::classify_failure("") == BuildahFailure::unknown);
}

TEST_CASE("failure errors quote buildah's error line and hint at the fix", "[buildah]") {
    struct Case {
        std::string file;
        ErrorKind kind;
        std::string message_part;
        std::string hint_part;
    };
    const std::vector<Case> cases{
        {"missing-containerfile.stderr", ErrorKind::config, "cannot find Containerfile or Dockerfile", "Containerfile"},
        {"no-user-namespaces.stderr", ErrorKind::runtime, "ERRO (unable to determine exit status)",
         "isolation: chroot"},
        {"fuse-overlayfs-missing.stderr", ErrorKind::runtime, "mount_program", "--storage-driver vfs"},
        {"base-image-offline.stderr", ErrorKind::runtime, "creating build container", "FROM image"},
        {"run-isolation-oci.stderr", ErrorKind::runtime, "building at STEP \"RUN true\"", "--isolation chroot"},
        {"copy-source-missing.stderr", ErrorKind::runtime, "COPY missing.txt", "instruction failed"},
        {"not-a-manifest-list.stderr", ErrorKind::runtime, "image is not a manifest list", "buildah rmi"},
    };
    for (const Case& c : cases) {
        INFO(c.file);
        auto error =
            pipeline::tools::failure_error("buildah build for service 'api'", exited(125, "", read_data(c.file)));
        CHECK(error.kind == c.kind);
        CHECK_THAT(error.message, Catch::StartsWith("buildah build for service 'api' failed (exited with code 125)"));
        CHECK_THAT(error.message, Catch::Contains(c.message_part));
        CHECK_THAT(error.hint, Catch::Contains(c.hint_part));
    }
}

TEST_CASE("the failure summary is buildah's last Error line, else its last words", "[buildah]") {
    using pipeline::tools::failure_summary;
    CHECK(failure_summary(exited(1, "", "Error: first\nnoise\nError: second\ntrailing\n")) == "second");
    CHECK(failure_summary(exited(1, "", "  just this  \n\n")) == "just this");
    CHECK(failure_summary(exited(1, "STEP 1/2\nlast out\n", "")) == "last out");
    CHECK(failure_summary(exited(1)).empty());
}

TEST_CASE("a missing buildah executable is a runtime error saying how to install it", "[buildah]") {
    pipeline::proc::RecordingRunner runner;
    Buildah buildah(runner, BuildahSettings{});
    runner.expect(buildah.build_command(minimal_spec()).argv,
                  pipeline::runtime_error("cannot run 'buildah': not found on PATH", "is it installed and on PATH?"));
    auto built = buildah.build(minimal_spec(), {});
    REQUIRE_FALSE(built.has_value());
    CHECK(built.error().kind == ErrorKind::runtime);
    CHECK_THAT(built.error().message, Catch::Contains("not found on PATH"));
    CHECK_THAT(built.error().hint, Catch::Contains("apt-get install buildah"));

    auto interrupted = pipeline::tools::start_error("buildah build", pipeline::interrupted_error(2));
    CHECK(interrupted.kind == ErrorKind::interrupted);
    CHECK(interrupted.signal == 2);
}

TEST_CASE("an old manifest list that cannot be removed stops the build", "[buildah]") {
    pipeline::proc::RecordingRunner runner;
    Buildah buildah(runner, BuildahSettings{});
    BuildSpec spec = minimal_spec();
    spec.platforms = {"linux/amd64", "linux/arm64"};
    runner.expect(buildah.manifest_rm_command("ghcr.io/acme/api:main").argv,
                  exited(125, "", read_data("not-a-manifest-list.stderr")));
    auto built = buildah.build(spec, {});
    REQUIRE_FALSE(built.has_value());
    CHECK_THAT(built.error().message, Catch::Contains("removing the old manifest list ghcr.io/acme/api:main"));
    CHECK_THAT(built.error().hint, Catch::Contains("buildah rmi"));
}

TEST_CASE("buildah inspect output gives the id, labels and annotations", "[buildah]") {
    auto details = pipeline::tools::parse_inspect(read_data("inspect-image.json"));
    REQUIRE(details.has_value());
    CHECK(details->id == "sha256:ee243c8d1b3e843d992ba21a1e777d8a0606fefacc6814810eb87d45874cd84a");
    CHECK(details->labels.at("org.foo") == "bar");
    CHECK(details->labels.at("io.buildah.version") == "1.28.2");
    CHECK(details->annotations.at("k") == "v");
    CHECK_FALSE(pipeline::tools::parse_inspect("not json").has_value());
    CHECK_FALSE(pipeline::tools::parse_inspect("{}").has_value());
    CHECK_FALSE(pipeline::tools::parse_image_id("{}", "x").has_value());
    CHECK_FALSE(pipeline::tools::parse_image_id("[]", "x").has_value());
}
