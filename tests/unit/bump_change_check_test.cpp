// `pipe bump --check`'s classification: which changes of a config file are image versions (a
// bump may make them) and which are not (a human must look).
#include <pipe/bump/change_check.h>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using pipeline::bump::check_file_change;
using pipeline::bump::CheckFinding;

namespace {

const std::string k_digest = "sha256:" + std::string(64, 'a');

struct Case {
    const char* what;
    std::string before;
    std::string after;
    bool image_version;
    std::string path;
};

}  // namespace

TEST_CASE("bump --check tells image versions from other changes", "[bump][check]") {
    const std::vector<Case> cases{
        {"a Helm tag", "image:\n  tag: sha-1  # pinned\n", "image:\n  tag: sha-2  # pinned\n", true, "image.tag"},
        {"a tag with a digest", "image:\n  tag: v1\n", "image:\n  tag: v1@" + k_digest + "\n", true, "image.tag"},
        {"an imageTag key", "imageTag: '1.0'\n", "imageTag: '1.1'\n", true, "imageTag"},
        {"a digest key", "image:\n  digest: ''\n", "image:\n  digest: " + k_digest + "\n", true, "image.digest"},
        {"a whole reference", "spec:\n  containers:\n    - image: ghcr.io/acme/api:sha-1\n",
         "spec:\n  containers:\n    - image: ghcr.io/acme/api:sha-2@" + k_digest + "\n", true,
         "spec.containers[0].image"},
        {"kustomize newTag", "images:\n  - name: ghcr.io/acme/api\n    newTag: sha-1\n",
         "images:\n  - name: ghcr.io/acme/api\n    newTag: sha-2\n", true, "images[0].newTag"},
        {"kustomize digest added", "images:\n  - name: ghcr.io/acme/api\n    newTag: sha-1\n",
         "images:\n  - name: ghcr.io/acme/api\n    newTag: sha-1\n    digest: " + k_digest + "\n", true,
         "images[0].digest"},
        {"another repository", "image: ghcr.io/acme/api:1\n", "image: ghcr.io/evil/api:1\n", false, "image"},
        {"replicas", "replicas: 2\n", "replicas: 3\n", false, "replicas"},
        {"a tag key with an invalid tag", "tag: v1\n", "tag: 'v1; rm -rf /'\n", false, "tag"},
        {"a digest key with a tag", "digest: " + k_digest + "\n", "digest: latest\n", false, "digest"},
        {"an added key", "a: 1\n", "a: 1\nb: 2\n", false, "b"},
        {"a removed key", "a: 1\nb: 2\n", "a: 1\n", false, "b"},
        {"a structure change", "a: [1]\n", "a: {b: 1}\n", false, "a"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        std::vector<CheckFinding> found = check_file_change("values.yaml", c.before, c.after, {});
        REQUIRE(found.size() == 1);
        CHECK(found[0].image_version == c.image_version);
        CHECK(found[0].path == c.path);
        CHECK(found[0].file == "values.yaml");
        CHECK(found[0].line > 0);
    }
}

TEST_CASE("bump --check: positions, extra keys, documents and whole files", "[bump][check]") {
    auto replicas =
        check_file_change("v.yaml", "image:\n  tag: a\nreplicas: 2\n", "image:\n  tag: b\nreplicas: 3\n", {});
    REQUIRE(replicas.size() == 2);
    CHECK(replicas[0].image_version);
    CHECK(replicas[0].line == 2);
    CHECK(replicas[0].column == 8);
    CHECK_FALSE(replicas[1].image_version);
    CHECK(replicas[1].line == 3);
    CHECK(replicas[1].description == "replicas: 2 -> 3");

    auto extra = check_file_change("v.yaml", "app:\n  version: a\n", "app:\n  version: b\n", {"app.version"});
    REQUIRE(extra.size() == 1);
    CHECK(extra[0].image_version);

    auto second_document =
        check_file_change("m.yaml", "a: 1\n---\nimage: nginx:1.25\n", "a: 1\n---\nimage: nginx:1.26\n", {});
    REQUIRE(second_document.size() == 1);
    CHECK(second_document[0].image_version);
    CHECK(second_document[0].path == "documents[1].image");

    CHECK_FALSE(check_file_change("v.yaml", std::nullopt, "a: 1\n", {}).at(0).image_version);
    CHECK(check_file_change("v.yaml", std::nullopt, "a: 1\n", {}).at(0).description == "file added");
    CHECK(check_file_change("v.yaml", "a: 1\n", std::nullopt, {}).at(0).description == "file deleted");
    CHECK_FALSE(check_file_change("run.sh", "echo 1\n", "echo 2\n", {}).at(0).image_version);
    CHECK_FALSE(check_file_change("v.yaml", "a: 1 # x\n", "a: 1 # y\n", {}).at(0).image_version);
    CHECK_FALSE(check_file_change("v.yaml", "a: 1\n", "a: [\n", {}).at(0).image_version);
    CHECK(check_file_change("v.yaml", "a: 1\n", "a: 1\n", {}).empty());
}
