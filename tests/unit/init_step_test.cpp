// pipe init's pure parts: GitHub remotes to ghcr.io repositories, the .gitignore entry added once,
// language detection by build file, and the starter pipe.yaml parsed by the real loader.
#include "temp_dir.h"

#include <pipe/config/loader.h>
#include <pipe/steps/init_step.h>
#include <pipe/steps/project_detection.h>

#include <catch2/catch.hpp>

using pipeline::steps::github_image;
using pipeline::steps::github_repository;
using pipeline::steps::gitignore_addition;

TEST_CASE("GitHub remotes name ghcr.io/<owner>/<repo> in lower case - others nothing", "[unit][init]") {
    struct Row {
        std::string url;
        std::optional<std::string> image;
    };
    const std::vector<Row> rows{
        {"https://github.com/Acme/API.git", "ghcr.io/acme/api"},
        {"https://github.com/acme/api", "ghcr.io/acme/api"},
        {"https://github.com/acme/api/", "ghcr.io/acme/api"},
        {"git@github.com:acme/web-ui.git", "ghcr.io/acme/web-ui"},
        {"ssh://git@github.com/acme/svc_1.git", "ghcr.io/acme/svc_1"},
        {"https://gitlab.com/acme/api.git", std::nullopt},
        {"https://github.com/acme", std::nullopt},
        {"https://github.com/acme/api/tree/main", std::nullopt},
        {"https://github.example.com/acme/api", std::nullopt},
        {"", std::nullopt},
    };
    for (const Row& row : rows) {
        INFO(row.url);
        CHECK(github_image(row.url) == row.image);
    }
    CHECK(github_repository("git@github.com:Acme/API.git") == "Acme/API");
}

TEST_CASE("the .gitignore entry is added once, after a final newline", "[unit][init]") {
    const std::string entry = "# pipe's state between steps (pipe init)\n.pipe/\n";
    CHECK(gitignore_addition("") == entry);
    CHECK(gitignore_addition("build/\n") == entry);
    CHECK(gitignore_addition("build/") == "\n" + entry);
    CHECK(gitignore_addition("build/\n.pipe/\n") == std::nullopt);
    CHECK(gitignore_addition("/.pipe\r\n") == std::nullopt);
    CHECK(gitignore_addition(".pipe/ \n") == std::nullopt);
    CHECK(gitignore_addition(".pipeline/\n") == entry);
}

TEST_CASE("the language comes from the first matching build file", "[unit][init]") {
    pipeline::testing::TempDir dir;
    CHECK_FALSE(pipeline::steps::detect_language(dir.path()));
    dir.write("Makefile", "all:\n");
    CHECK(pipeline::steps::detect_language(dir.path())->name == "make");
    dir.write("CMakeLists.txt", "project(x)\n");
    CHECK(pipeline::steps::detect_language(dir.path())->name == "cmake");
    dir.write("package.json", "{}\n");
    CHECK(pipeline::steps::detect_language(dir.path())->marker == "package.json");
    dir.write("go.mod", "module x\n");
    CHECK(pipeline::steps::detect_language(dir.path())->name == "go");
    CHECK(pipeline::steps::detect_containerfile(dir.path()).empty());
    dir.write("Dockerfile", "FROM scratch\n");
    CHECK(pipeline::steps::detect_containerfile(dir.path()) == "Dockerfile");
    dir.write("Containerfile", "FROM scratch\n");
    CHECK(pipeline::steps::detect_containerfile(dir.path()) == "Containerfile");
}

TEST_CASE("every shape of the starter pipe.yaml loads", "[unit][init]") {
    for (bool remote : {true, false}) {
        for (const std::string containerfile : {"", "Dockerfile"}) {
            pipeline::steps::ProjectFacts facts;
            facts.language = pipeline::steps::ProjectLanguage{"go", "go.mod"};
            facts.containerfile = containerfile;
            facts.remote_url = remote ? "https://github.com/acme/api.v2" : "";
            facts.image = remote ? "ghcr.io/acme/api.v2" : "ghcr.io/your-org/api";
            facts.image_from_remote = remote;
            const std::string text = pipeline::steps::starter_config(facts);
            auto config = pipeline::config::parse_config(text, "pipe.yaml", "api");
            INFO(text << (config ? std::string() : pipeline::describe(config.error())));
            REQUIRE(config);
            CHECK(config->services[0].images == std::vector<std::string>{facts.image});
            CHECK(config->services[0].file == containerfile);
            CHECK(config->services[0].verify.configured() == remote);
            CHECK(config->services[0].sign.attest == "sbom,provenance");
        }
    }
}
