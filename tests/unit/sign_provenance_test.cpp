// The SLSA v1 provenance predicate: the field names of https://slsa.dev/provenance/v1, the source and
// base images as resolved dependencies, no credentials from remotes, and nothing for unknown facts.
#include <pipe/sign/provenance.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;
using pipeline::sign::ProvenanceFacts;
using pipeline::sign::slsa_provenance_predicate;

namespace {

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const std::string k_alpine_hex = "4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";
const std::string k_base_hex = "9a7ed8d7d5d2ec2b4b3c1a0f5d4c6a8e2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d";

ProvenanceFacts github_facts() {
    ProvenanceFacts facts;
    facts.builder_id = "https://github.com/acme/app/.github/workflows/ci.yaml@refs/heads/main";
    facts.source_repository = "https://github.com/acme/app";
    facts.source_commit = k_commit;
    facts.source_ref = "refs/heads/main";
    facts.workflow_path = ".github/workflows/ci.yaml";
    facts.run_url = "https://github.com/acme/app/actions/runs/123/attempts/1";
    facts.invocation_id = facts.run_url;
    facts.build_command = {"buildah", "build", "--file", "Containerfile", "--target", "runtime", "."};
    facts.parameters = json{{"containerfile", "Containerfile"},
                            {"target", "runtime"},
                            {"platforms", json::array({"linux/amd64", "linux/arm64"})},
                            {"buildArgs", json{{"GO_VERSION", "1.22"}}}};
    facts.base_images = {{"docker.io/library/alpine:3.20", "sha256:" + k_alpine_hex},
                         {"ghcr.io/acme/base:2024.06", "sha256:" + k_base_hex}};
    facts.started_on = "2024-06-01T12:00:00Z";
    facts.finished_on = "2024-06-01T12:03:30Z";
    facts.pipe_version = "0.1.0";
    return facts;
}

}  // namespace

TEST_CASE("the predicate has the SLSA v1 buildDefinition and runDetails fields", "[provenance]") {
    const json predicate = slsa_provenance_predicate(github_facts());
    CHECK(pipeline::sign::k_slsa_provenance_v1 == "https://slsa.dev/provenance/v1");

    const json& definition = predicate.at("buildDefinition");
    CHECK(definition.at("buildType") == std::string(pipeline::sign::k_pipe_build_type));
    const json& external = definition.at("externalParameters");
    CHECK(external.at("containerfile") == "Containerfile");
    CHECK(external.at("target") == "runtime");
    CHECK(external.at("platforms") == json::array({"linux/amd64", "linux/arm64"}));
    CHECK(external.at("buildArgs").at("GO_VERSION") == "1.22");
    CHECK(external.at("source") == json{{"repository", "https://github.com/acme/app"}, {"ref", "refs/heads/main"}});
    CHECK(external.at("workflow") == json{{"path", ".github/workflows/ci.yaml"},
                                          {"repository", "https://github.com/acme/app"},
                                          {"ref", "refs/heads/main"}});
    CHECK(definition.at("internalParameters").at("buildCommand").size() == 7);
    CHECK_FALSE(definition.at("internalParameters").contains("runUrl"));  // it is the invocationId

    const json& dependencies = definition.at("resolvedDependencies");
    REQUIRE(dependencies.size() == 3);
    CHECK(dependencies[0] ==
          json{{"uri", "git+https://github.com/acme/app@refs/heads/main"}, {"digest", {{"gitCommit", k_commit}}}});

    const json& run = predicate.at("runDetails");
    CHECK(run.at("builder").at("id") == "https://github.com/acme/app/.github/workflows/ci.yaml@refs/heads/main");
    CHECK(run.at("builder").at("version") == json{{"pipe", "0.1.0"}});
    CHECK(run.at("metadata") == json{{"invocationId", "https://github.com/acme/app/actions/runs/123/attempts/1"},
                                     {"startedOn", "2024-06-01T12:00:00Z"},
                                     {"finishedOn", "2024-06-01T12:03:30Z"}});
    CHECK_FALSE(run.contains("byproducts"));
}

TEST_CASE("base images become pkg:docker dependencies with their resolved digests", "[provenance]") {
    ProvenanceFacts facts = github_facts();
    facts.base_images.emplace_back("127.0.0.1:5000/tools/builder@sha256:" + k_alpine_hex, "");
    facts.base_images.emplace_back("not a reference", "sha512:abcd");
    const json dependencies = slsa_provenance_predicate(facts).at("buildDefinition").at("resolvedDependencies");
    REQUIRE(dependencies.size() == 5);
    CHECK(dependencies[1] == json{{"uri", "pkg:docker/alpine@3.20"},
                                  {"name", "docker.io/library/alpine:3.20"},
                                  {"digest", {{"sha256", k_alpine_hex}}}});
    CHECK(dependencies[2] == json{{"uri", "pkg:docker/acme/base@2024.06?repository_url=ghcr.io"},
                                  {"name", "ghcr.io/acme/base:2024.06"},
                                  {"digest", {{"sha256", k_base_hex}}}});
    CHECK(dependencies[3].at("uri") ==
          "pkg:docker/tools/builder@sha256%3A" + k_alpine_hex + "?repository_url=127.0.0.1%3A5000");
    CHECK(dependencies[3].at("digest") == json{{"sha256", k_alpine_hex}});  // taken from the reference
    CHECK(dependencies[4] ==
          json{{"uri", "not a reference"}, {"name", "not a reference"}, {"digest", {{"sha512", "abcd"}}}});

    CHECK(pipeline::sign::image_purl("alpine") == "pkg:docker/alpine@latest");
    CHECK(pipeline::sign::image_purl("acme/app:1") == "pkg:docker/acme/app@1");
}

TEST_CASE("credentials in remotes and URLs never reach the predicate", "[provenance]") {
    ProvenanceFacts facts = github_facts();
    facts.source_repository = "https://x-access-token:ghs_SECRET@github.com/acme/app.git?token=SECRET#frag";
    facts.builder_id = "https://user:SECRET@ci.example.com/job";
    facts.invocation_id = "https://SECRET@ci.example.com/runs/9";
    facts.run_url = "https://user:SECRET@ci.example.com/runs/9/log";
    facts.build_command = {"buildah", "build", "--build-arg", "MIRROR=https://me:SECRET@mirror.example.com/pypi"};
    facts.parameters["buildArgs"]["INDEX"] = "https://me:SECRET@pypi.example.com/simple";
    facts.base_images = {{"ghcr.io/acme/base:1", "sha256:" + k_base_hex}};

    const json predicate = slsa_provenance_predicate(facts);
    const std::string text = predicate.dump();
    CHECK(text.find("SECRET") == std::string::npos);
    const json& definition = predicate.at("buildDefinition");
    CHECK(definition.at("resolvedDependencies")[0].at("uri") == "git+https://github.com/acme/app.git@refs/heads/main");
    CHECK(definition.at("externalParameters").at("buildArgs").at("INDEX") == "https://pypi.example.com/simple");
    CHECK(definition.at("internalParameters").at("buildCommand")[3] == "MIRROR=https://mirror.example.com/pypi");
    CHECK(definition.at("internalParameters").at("runUrl") == "https://ci.example.com/runs/9/log");
    CHECK(predicate.at("runDetails").at("builder").at("id") == "https://ci.example.com/job");
    CHECK(predicate.at("runDetails").at("metadata").at("invocationId") == "https://ci.example.com/runs/9");

    using pipeline::sign::repository_url;
    CHECK(repository_url("git@github.com:acme/app.git") == "ssh://github.com/acme/app.git");
    CHECK(repository_url("ssh://git@github.com/acme/app.git") == "ssh://github.com/acme/app.git");
    CHECK(repository_url("deploy:token@git.example.com:acme/app") == "ssh://git.example.com/acme/app");
    CHECK(repository_url("/srv/git/app.git") == "/srv/git/app.git");
    CHECK(pipeline::sign::without_credentials("https://github.com/a@b") == "https://github.com/a@b");
}

TEST_CASE("unknown facts are omitted instead of written empty", "[provenance]") {
    ProvenanceFacts facts;
    facts.builder_id = "pipe://build-host";
    facts.invocation_id = "local-7f3a";
    const json predicate = slsa_provenance_predicate(facts);
    CHECK(
        predicate ==
        json{{"buildDefinition", {{"buildType", "https://pipe.dev/build/v1"}, {"externalParameters", json::object()}}},
             {"runDetails",
              {{"builder", {{"id", "pipe://build-host"}}}, {"metadata", {{"invocationId", "local-7f3a"}}}}}});

    facts.source_repository = "https://github.com/acme/app";
    facts.run_url = "https://github.com/acme/app/actions/runs/1/attempts/1";
    facts.invocation_id.clear();
    const json with_source = slsa_provenance_predicate(facts);
    CHECK(with_source.at("buildDefinition").at("resolvedDependencies") ==
          json::array({json{{"uri", "git+https://github.com/acme/app"}}}));
    CHECK(with_source.at("runDetails").at("metadata").at("invocationId") == facts.run_url);
    CHECK_FALSE(with_source.at("buildDefinition").contains("internalParameters"));
}
