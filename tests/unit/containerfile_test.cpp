// Base images of a Containerfile: FROM lines with ARG expansion, stages and scratch skipped.
#include <pipe/tools/containerfile.h>

#include <catch2/catch.hpp>

using pipeline::tools::base_images;
using pipeline::tools::expand_variables;

TEST_CASE("FROM images with ARG defaults, build args, platforms and stages", "[tools][containerfile]") {
    const std::string text =
        "# syntax=docker/dockerfile:1\n"
        "ARG GO_VERSION=1.21 BASE=\"alpine\"\n"
        "ARG REGISTRY\n"
        "from --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build\n"
        "RUN go build \\\n"
        "    ./...\n"
        "FROM build AS test\n"
        "FROM ${REGISTRY:-docker.io}/library/${BASE}:3.19\n"
        "FROM scratch\n"
        "COPY --from=build /app /app\n";
    auto images = base_images(text, {{"GO_VERSION", "1.22"}});
    REQUIRE(images.size() == 2);
    CHECK(images[0].reference == "golang:1.22");
    CHECK(images[0].platform.empty());
    CHECK(images[0].line == 4);
    CHECK(images[1].reference == "docker.io/library/alpine:3.19");
    CHECK(images[1].line == 8);
}

TEST_CASE("variable expansion forms", "[tools][containerfile]") {
    const std::map<std::string, std::string> vars{{"A", "x"}, {"EMPTY", ""}};
    CHECK(expand_variables("$A-${A}", vars) == "x-x");
    CHECK(expand_variables("${MISSING:-def}/${A:-def}", vars) == "def/x");
    CHECK(expand_variables("${A:+alt}/${EMPTY:+alt}", vars) == "alt/");
    CHECK(expand_variables("cost $5 and $", vars) == "cost  and $");
    CHECK(expand_variables("${unterminated", vars) == "${unterminated");
}
