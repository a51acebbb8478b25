// Image references in deployment files: Kubernetes workloads, kustomizations and Helm values are
// read with their positions, templates are skipped and mistakes are located at file:line:column.
#include <pipe/deploy/manifest_files.h>
#include <pipe/deploy/manifest_images.h>

#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::deploy::find_images;
using pipeline::deploy::find_images_in_text;
using pipeline::deploy::FoundImage;

namespace {

namespace fs = std::filesystem;

const std::string k_digest_1 = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";
const std::string k_digest_2 = "sha256:9a7ed8d7d5d2ec2b4b3c1a0f5d4c6a8e2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d";

fs::path data(const std::string& relative) {
    return fs::path(PIPE_TEST_DATA) / "deploy" / relative;
}

std::vector<FoundImage> images_of(const std::vector<fs::path>& paths) {
    auto found = find_images(paths);
    INFO((found ? std::string() : describe(found.error())));
    REQUIRE(found.has_value());
    return *found;
}

std::vector<FoundImage> images_in(const std::string& text, const std::string& origin = "manifest.yaml") {
    auto found = find_images_in_text(text, origin);
    INFO((found ? std::string() : describe(found.error())));
    REQUIRE(found.has_value());
    return *found;
}

pipeline::Error error_in(const std::string& text, const std::string& origin = "manifest.yaml") {
    auto found = find_images_in_text(text, origin);
    REQUIRE_FALSE(found.has_value());
    return found.error();
}

std::vector<std::string> references(const std::vector<FoundImage>& images) {
    std::vector<std::string> out;
    out.reserve(images.size());
    for (const FoundImage& image : images) {
        out.push_back(image.reference);
    }
    return out;
}

}  // namespace

TEST_CASE("a Deployment yields init containers and containers in document order with positions", "[deploy]") {
    auto images = images_of({data("k8s/payments.yaml")});
    REQUIRE(images.size() == 3);
    CHECK(images[0].reference == "ghcr.io/acme/payments-migrate:1.4.2");
    CHECK(images[0].context == "Deployment/payments-api initContainer migrate");
    CHECK(images[0].file == data("k8s/payments.yaml"));
    CHECK(images[0].line == 20);
    CHECK(images[0].column == 18);
    CHECK(images[1].reference == "ghcr.io/acme/payments-api@" + k_digest_1);
    CHECK(images[1].context == "Deployment/payments-api container app");
    CHECK(images[1].line == 24);
    CHECK(images[2].reference == "docker.io/envoyproxy/envoy:v1.30.1");
    CHECK(images[2].context == "Deployment/payments-api container envoy");
    CHECK(images[2].line == 28);
    CHECK(images[2].column == 18);  // the quoted scalar starts at its quote
}

TEST_CASE("a CronJob's job template and any CRD embedding a pod spec are searched", "[deploy]") {
    auto cron = images_of({data("k8s/nightly-report.yml")});
    REQUIRE(cron.size() == 1);
    CHECK(cron[0].reference == "registry.acme.internal:5000/reports/nightly:2024.06.01");
    CHECK(cron[0].context == "CronJob/nightly-report container report");

    auto custom = images_in(
        "apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r}\n"
        "spec:\n  pool:\n    podTemplate:\n      ephemeralContainers:\n        - image: busybox:1.36\n"
        "      containers:\n        - name: main\n          image: alpine:3.20\n");
    REQUIRE(custom.size() == 2);
    CHECK(custom[0].context == "Runner/r ephemeralContainer #1");
    CHECK(custom[0].reference == "busybox:1.36");
    CHECK(custom[1].context == "Runner/r container main");

    auto list = images_in(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n"
        "    spec:\n      containers: [{name: c, image: 'nginx:1.27'}]\n");
    REQUIRE(list.size() == 1);
    CHECK(list[0].context == "Pod/p container c");
    CHECK(list[0].line == 8);
}

TEST_CASE("every document of a multi-document file is read, separators and empty documents included", "[deploy]") {
    auto images = images_in(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: x, image: "
        "'a:1'}\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  "
        "containers:\n    - {name: y, image: 'b:2'}\n...\n");
    CHECK(references(images) == std::vector<std::string>{"a:1", "b:2"});
    CHECK(images[1].line == 17);
}

TEST_CASE("template-looking, empty and missing images are skipped, not errors", "[deploy]") {
    auto images = images_in(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - {name: a, image: '{{ .Values.image }}'}\n    - {name: b, image: '${IMAGE}'}\n"
        "    - {name: c, image: ''}\n    - {name: d, image: }\n    - {name: e}\n    - {name: f, image: 'ok:1'}\n");
    CHECK(references(images) == std::vector<std::string>{"ok:1"});
}

TEST_CASE("a kustomization joins newName or name with newTag and digest", "[deploy]") {
    auto images = images_of({data("overlay/kustomization.yaml")});
    CHECK(references(images) == std::vector<std::string>{
                                    "ghcr.io/acme/payments-api:1.5.0",
                                    "docker.io/envoyproxy/envoy@" + k_digest_2,
                                    "ghcr.io/acme/migrate:1.5.0@" + k_digest_1,
                                });
    REQUIRE(images.size() == 3);
    CHECK(images[0].context == "kustomization images[ghcr.io/acme/payments-api]");
    CHECK(images[0].line == 6);
    CHECK(images[0].column == 11);
    CHECK(images[1].context == "kustomization images[envoy]");
    CHECK(images[1].line == 9);  // the newName scalar
    CHECK(images[1].column == 14);
}

TEST_CASE("a file named kustomization.yaml is a kustomization even without apiVersion and kind", "[deploy]") {
    const std::string text = "images:\n  - name: app\n    newTag: v2\n";
    CHECK(references(images_in(text, "base/kustomization.yml")) == std::vector<std::string>{"app:v2"});
    CHECK(references(images_in(text, "base/Kustomization")) == std::vector<std::string>{"app:v2"});
    CHECK(images_in(text, "base/other.yaml").empty());
}

TEST_CASE("Helm values give registry/repository/tag/digest maps and reference strings", "[deploy]") {
    auto images = images_of({data("chart/values.yaml")});
    CHECK(references(images) == std::vector<std::string>{
                                    "ghcr.io/acme/payments-api:1.5.0",
                                    "ghcr.io/acme/payments-worker@" + k_digest_2,
                                    "quay.io/prometheus/statsd-exporter:v0.26.1",
                                    "hashicorp/vault:1.16",
                                });
    REQUIRE(images.size() == 4);
    CHECK(images[0].context == "values image");
    CHECK(images[0].line == 4);  // the repository scalar
    CHECK(images[1].context == "values worker.image");
    CHECK(images[2].context == "values metrics.image");
    CHECK(images[3].context == "values sidecars[0].image");
    CHECK(images[3].line == 19);
}

TEST_CASE("a chart's templates folder is skipped and a folder walk is sorted and skips hidden folders", "[deploy]") {
    auto images = images_of({data("")});
    std::vector<std::string> files;
    for (const FoundImage& image : images) {
        if (files.empty() || files.back() != image.file.filename().string()) {
            files.push_back(image.file.filename().string());
        }
    }
    CHECK(files ==
          std::vector<std::string>{"values.yaml", "nightly-report.yml", "payments.yaml", "kustomization.yaml"});
    CHECK(images.size() == 4 + 1 + 3 + 3);
    for (const FoundImage& image : images) {
        CHECK(image.reference.find("hidden") == std::string::npos);
    }

    auto listed = pipeline::deploy::manifest_files({data("k8s"), data("chart/values.yaml")});
    REQUIRE(listed);
    CHECK(*listed ==
          std::vector<fs::path>{data("k8s/nightly-report.yml"), data("k8s/payments.yaml"), data("chart/values.yaml")});
    CHECK(pipeline::deploy::in_chart_templates(data("chart/templates/deployment.yaml")));
    CHECK_FALSE(pipeline::deploy::in_chart_templates(data("chart/values.yaml")));
    CHECK(images_of({data("chart/templates/deployment.yaml")}).empty());
}

TEST_CASE("Go template text that is not YAML yields nothing", "[deploy]") {
    CHECK(images_in("{{- if .Values.enabled }}\nkind: [\n{{- end }}\n", "deploy.yaml").empty());
}

TEST_CASE("malformed YAML is a config error at file:line:column", "[deploy]") {
    auto error =
        error_in("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n   image: [x\n", "k8s/broken.yaml");
    CHECK(error.kind == ErrorKind::config);
    CHECK(error.where.rfind("k8s/broken.yaml:", 0) == 0);
    CHECK(error.where.size() > std::string("k8s/broken.yaml:").size());
    CHECK(error.message.find("invalid YAML") != std::string::npos);

    pipeline::testing::TempDir dir;
    dir.write("k8s/a.yaml", "kind: Pod\nmetadata: {name: x\n");
    // yaml-cpp 0.7's LoadAll() loops allocating documents on a stray leading comma; refused instead.
    for (const char* text : {",", ",a: [1]\n", "---\n---\n,\n"}) {
        auto stray = error_in(text, "k8s/comma.yaml");
        CHECK(stray.kind == ErrorKind::config);
        CHECK(stray.message.find("invalid YAML") != std::string::npos);
    }

    auto found = find_images({dir.path() / "k8s"});
    REQUIRE_FALSE(found);
    CHECK(found.error().kind == ErrorKind::config);
    CHECK(found.error().where == (dir.path() / "k8s/a.yaml").string() + ":3:1");
}

TEST_CASE("an unparsable reference is a config error at the scalar that caused it", "[deploy]") {
    struct Case {
        std::string text;
        std::string origin;
        std::string where;
        std::string message_part;
    };
    const std::vector<Case> cases{
        {"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: "
         "ghcr.io/Acme/app:1\n",
         "pod.yaml", "pod.yaml:7:14", "Pod/p container app"},
        {"image:\n  repository: acme/app\n  tag: \"1.0 beta\"\n", "values.yaml", "values.yaml:3:8", "values image"},
        {"image:\n  repository: acme/app\n  digest: sha256:abc\n", "values.yaml", "values.yaml:3:11", "values image"},
        {"image: 'acme/app:'\n", "values.yaml", "values.yaml:1:8", "values image"},
        {"images:\n  - name: app\n    newName: Bad/Name\n    newTag: v1\n", "kustomization.yaml",
         "kustomization.yaml:3:14", "kustomization images[app]"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        auto error = error_in(c.text, c.origin);
        CHECK(error.kind == ErrorKind::config);
        CHECK(error.where == c.where);
        CHECK(error.message.find(c.message_part) != std::string::npos);
        CHECK(error.message.find("invalid") != std::string::npos);
        CHECK_FALSE(error.hint.empty());
    }
}

TEST_CASE("a container image that is not a string is an error - missing paths are usage errors", "[deploy]") {
    auto error = error_in("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: {x: 1}\n");
    CHECK(error.kind == ErrorKind::config);
    CHECK(error.where == "manifest.yaml:6:14");

    auto missing = find_images({data("no-such-folder")});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::usage);
}

TEST_CASE("alias cycles and runaway nesting are rejected instead of recursing forever", "[deploy]") {
    std::string deep = "a: ";
    for (int i = 0; i < 300; ++i) {
        deep += "[";
    }
    for (int i = 0; i < 300; ++i) {
        deep += "]";
    }
    auto deep_result = find_images_in_text(deep + "\n", "values.yaml");
    if (!deep_result) {
        CHECK(deep_result.error().kind == ErrorKind::config);
    }
    auto cycle = find_images_in_text("a: &x [*x]\n", "values.yaml");
    if (!cycle) {
        CHECK(cycle.error().kind == ErrorKind::config);
    }
}
