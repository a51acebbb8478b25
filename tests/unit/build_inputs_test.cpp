// The --skip-unchanged inputs digest: stable for the same inputs, changed by every input that
// changes the image, blind to what the ignore file excludes and to pipe's own .pipe/.
#include <pipe/steps/build_inputs.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>

using pipeline::steps::BuildInputsRequest;
using pipeline::steps::hash_build_inputs;

namespace {

std::string digest_of(const BuildInputsRequest& request) {
    auto inputs = hash_build_inputs(request);
    REQUIRE(inputs);
    return inputs->digest;
}

}  // namespace

TEST_CASE("the inputs digest covers exactly what the build sees", "[steps][inputs]") {
    pipeline::testing::TempDir dir;
    dir.write("Containerfile", "FROM scratch\nCOPY . /\n");
    dir.write("src/main.txt", "hello\n");
    dir.write("docs/notes.md", "notes\n");
    dir.write(".dockerignore", "docs\n*.log\n");
    BuildInputsRequest request;
    request.context = dir.path();
    request.containerfile = dir.path() / "Containerfile";
    const std::string base = digest_of(request);
    CHECK(base.rfind("sha256:", 0) == 0);
    CHECK(digest_of(request) == base);
    auto inputs = hash_build_inputs(request);
    CHECK(inputs->files == 3);  // Containerfile, .dockerignore, src/main.txt

    SECTION("ignored and pipe's own files do not count") {
        dir.write("docs/more.md", "x");
        dir.write("debug.log", "x");
        dir.write(".pipe/state.json", "{}");
        CHECK(digest_of(request) == base);
    }
    SECTION("a context file's content, name or mode counts") {
        dir.write("src/main.txt", "hello!\n");
        CHECK(digest_of(request) != base);
    }
    SECTION("a new file counts") {
        dir.write("src/other.txt", "");
        CHECK(digest_of(request) != base);
    }
    SECTION("the executable bit counts") {
        std::filesystem::permissions(dir.path() / "src/main.txt", std::filesystem::perms::owner_exec,
                                     std::filesystem::perm_options::add);
        CHECK(digest_of(request) != base);
    }
    SECTION("build arguments, target, platforms, labels and base images count") {
        BuildInputsRequest changed = request;
        changed.build_args["V"] = "1";
        CHECK(digest_of(changed) != base);
        changed = request;
        changed.target = "runtime";
        CHECK(digest_of(changed) != base);
        changed = request;
        changed.platforms = {"linux/arm64"};
        CHECK(digest_of(changed) != base);
        changed = request;
        changed.labels = {"org.opencontainers.image.vendor=Acme"};
        CHECK(digest_of(changed) != base);
        changed = request;
        changed.base_images = {"docker.io/library/alpine@sha256:" + std::string(64, 'a')};
        CHECK(digest_of(changed) != base);
    }
    SECTION("the Containerfile counts") {
        dir.write("Containerfile", "FROM scratch\nCOPY src /\n");
        CHECK(digest_of(request) != base);
    }
}

TEST_CASE("field boundaries cannot be shifted between inputs", "[steps][inputs]") {
    pipeline::testing::TempDir dir;
    dir.write("Containerfile", "FROM scratch\n");
    BuildInputsRequest a;
    a.context = dir.path();
    a.containerfile = dir.path() / "Containerfile";
    BuildInputsRequest b = a;
    a.build_args = {{"A", "1\narg 3:B=2"}};
    b.build_args = {{"A", "1"}, {"B", "2"}};
    CHECK(digest_of(a) != digest_of(b));
}
