#include "cli/command_table.h"

namespace pipeline::cli {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> k_table{
        {"tags",
         "Compute image tags and OCI labels with docker/metadata-action's rules",
         {"pipe tags", "pipe tags --refs", "pipe tags --json | jq -r '.references[]'",
          "pipe tags --tag 'type=semver,pattern={{major}}.{{minor}}' --flavor latest=false", "pipe --service api tags"},
         make_tags_command},
        {"build",
         "Build each service's image with buildah under every computed tag and OCI label",
         {"pipe build", "pipe --dry-run build", "pipe build --json | jq -r '.services[].image_id'",
          "pipe build --platform linux/amd64,linux/arm64 --build-arg GO_VERSION=1.22",
          "pipe build --storage-driver vfs --isolation chroot", "pipe --service api build --target runtime"},
         make_build_command},
        {"scan",
         "Scan the pushed image with Trivy and fail on CRITICAL/HIGH findings; SARIF, JUnit, SBOM",
         {"pipe scan", "pipe scan --sarif trivy.sarif --junit trivy.xml",
          "pipe scan --severity CRITICAL --ignore-unfixed", "pipe scan ghcr.io/acme/api:1.4.2",
          "pipe scan --fail-on none --json | jq .counts", "pipe scan --sbom sbom.spdx.json"},
         make_scan_command},
        {"push",
         "Push the built images, verify every tag's digest and record image@sha256 for later steps",
         {"pipe build && pipe push", "pipe push --json | jq -r '.services[].pinned'",
          "pipe push --tag v1.4.2 --tag stable", "pipe push --insecure-registry", "pipe push --ca-file certs/ca.pem",
          "pipe --dry-run push"},
         make_push_command},
        {"version",
         "Print pipe's version",
         {"pipe version", "pipe --version", "pipe version --json"},
         make_version_command},
    };
    return k_table;
}

}  // namespace pipeline::cli
