#include "cli/command_table.h"

namespace pipeline::cli {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> k_table{
        {"test",
         "Run the project's tests (test.command, or detected: go, cargo, npm, CMake, pytest, make) and record the "
         "result",
         {"pipe test", "pipe test -- -run TestParse -v", "pipe --dry-run test",
          "pipe test --command 'make lint && make check'", "pipe test --timeout 20m --coverage coverage.xml",
          "pipe test --json | jq .passed"},
         make_test_command},
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
        {"sign",
         "Sign the pushed digest (keyless in CI, or with a key), attach SBOM/provenance attestations, self-verify",
         {"pipe sign", "pipe sign --key cosign.key", "pipe sign --attest sbom --attest provenance",
          "pipe sign --recursive ghcr.io/acme/api:1.4.2", "COSIGN_PASSWORD=... pipe sign --generate-key",
          "pipe sign --key cosign.key --native --tlog-upload=false", "pipe --dry-run sign"},
         make_sign_command},
        {"verify",
         "Verify signatures or attestations by digest against the expected signer; the deploy gate for manifests",
         {"pipe verify", "pipe verify --key cosign.pub ghcr.io/acme/api@sha256:...", "pipe verify -f k8s/",
          "pipe verify -f values.yaml --allow-tags",
          "pipe verify --certificate-identity-regexp '^https://github.com/acme/' --certificate-oidc-issuer URL IMAGE",
          "pipe verify --attestation-type slsaprovenance1 --json IMAGE"},
         make_verify_command},
        {"bump",
         "Write the pushed image into the GitOps config repository: byte-exact YAML edit, one PR per service",
         {"pipe bump", "pipe bump --pin digest", "pipe bump --direct", "pipe bump --mode git --no-pr",
          "pipe bump --value sha-0123abc --json", "pipe --dry-run bump"},
         make_bump_command},
        {"version",
         "Print pipe's version",
         {"pipe version", "pipe --version", "pipe version --json"},
         make_version_command},
    };
    return k_table;
}

}  // namespace pipeline::cli
