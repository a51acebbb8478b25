// The typed pipe.yaml model. Values come from the file, then PIPE_* variables, then flags;
// each value remembers where it came from so later errors can point at file:line:column.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::config {

// The `build:` settings of a service: how buildah builds its image. Top-level values are
// defaults; a service's own `build:` replaces them key by key (`args` merge by name).
struct BuildConfig {
    std::map<std::string, std::string> args;  // --build-arg NAME=VALUE, sorted by name
    std::string target;                       // --target stage; empty: the last stage
    std::vector<std::string> platforms;       // os/arch[/variant]; several build a manifest list
    bool layers = true;                       // cache intermediate layers (buildah --layers)
    std::vector<std::string> cache_from;      // repositories holding layer cache (--cache-from)
    std::vector<std::string> cache_to;        // repositories to push layer cache to (--cache-to)
    std::vector<std::string> annotations;     // key=value OCI annotations (--annotation)
    std::string storage_driver;               // buildah --storage-driver; empty: buildah's default
    std::string isolation;                    // oci, rootless or chroot; empty: buildah's default
    std::string root;                         // buildah --root (storage); empty: buildah's default
    std::string runroot;                      // buildah --runroot; empty: buildah's default
};

// The `registry:` settings: how pipe and the tools it runs reach the service's registries.
struct RegistryConfig {
    bool insecure = false;  // plain HTTP or unverified TLS (local and test registries)
    std::string ca_file;    // PEM bundle of a private CA, relative to the repository root
};

// The `scan:` settings: what `pipe scan` gates on and how it runs Trivy.
struct ScanConfig {
    std::string severity = "CRITICAL,HIGH";  // severities that fail the gate, or "none"
    bool ignore_unfixed = false;             // only findings with a fix fail the gate
    std::string ignore_file;                 // .trivyignore or .trivyignore.yaml, relative to the root
    std::string scanners = "vuln,secret";    // Trivy --scanners
    std::string timeout;                     // Trivy --timeout, e.g. "10m"
    std::string max_db_age = "72h";          // how old a cached DB may be when the download fails
};

// The `sign:` section: how `pipe sign` signs (flags override it).
struct SignConfig {
    std::string key;          // cosign.key path (relative to the root) or a KMS URI; empty: keyless
    bool tlog_upload = true;  // upload to the Rekor transparency log (false for private setups)
    bool recursive = false;   // also sign each platform manifest of an index
    std::string attest;       // comma list of attestations to attach: sbom, provenance
};

// The `verify:` section: the policy `pipe verify` (and the verify-before-bump gate) enforces.
struct VerifyConfig {
    std::string key;                          // cosign.pub path (relative to the root) or KMS URI
    std::string certificate_identity;         // exact signer identity (keyless)
    std::string certificate_identity_regexp;  // signer identity pattern (keyless)
    std::string certificate_oidc_issuer;      // OIDC issuer of the signer's certificate
    // True when some policy is configured.
    bool configured() const {
        return !key.empty() || !certificate_identity.empty() || !certificate_identity_regexp.empty() ||
               !certificate_oidc_issuer.empty();
    }
};

// One entry of a service's `bump:` list: where `pipe bump` writes the new image reference.
struct BumpTarget {
    std::string repo;                       // GitHub owner/name (API mode)
    std::string url;                        // any git URL (git mode)
    std::vector<std::string> files;         // paths in the config repository
    std::string key;                        // YAML path of the scalar, e.g. image.tag
    bool kustomize = false;                 // set the kustomization `images:` entry's newTag/digest
    std::string image;                      // replace every reference to this repository
    std::string digest_key;                 // a Helm values key receiving the digest next to the tag
    std::string base;                       // base branch; empty: the repository's default branch
    std::string branch = "bump/{service}";  // bump branch template
    bool supersede = false;                 // close older bump PRs of this service
    std::string message;                    // commit message template; empty: pipe's default
    std::string title;                      // PR title template; empty: the message's first line
    std::string body;                       // PR body template; empty: pipe's default
    std::vector<std::string> labels;
    std::vector<std::string> reviewers;
    bool draft = false;
    bool auto_merge = false;
    std::string origin;  // file:line:column of the entry, for messages
};

// One buildable service: the whole repository, or one entry under `services:`.
struct ServiceConfig {
    std::string name;
    std::vector<std::string> images;               // repositories, e.g. ghcr.io/acme/app
    std::optional<std::vector<std::string>> tags;  // metadata-action tag rules; nullopt: pipe's default
    std::vector<std::string> flavor;
    std::vector<std::string> labels;  // key=value
    std::string context = ".";
    std::string file;  // Containerfile path; empty: detect in context
    BuildConfig build;
    RegistryConfig registry;
    ScanConfig scan;
    SignConfig sign;
    VerifyConfig verify;
    std::vector<BumpTarget> bump;

    // Key path ("image", "tags[2]", "build.target", "build.args.NAME") -> origin ("pipe.yaml:4:5",
    // "PIPE_TAGS", "--tag").
    std::map<std::string, std::string> origins;

    // The origin of a key path, or of its list when the item has none, or "" when unknown.
    std::string origin_of(const std::string& key_path) const;

    // Records that key (and all its items) now comes from origin, forgetting older positions.
    void set_origin(const std::string& key, const std::string& origin);
};

// The top-level `test:` section: how `pipe test` runs the repository's tests. It belongs to the
// repository, not to a service, so a service may not have one.
struct TestConfig {
    std::vector<std::string> command;            // argv; empty: detect from the project's files
    bool shell = false;                          // command was written as a string: run `sh -c command[0]`
    std::map<std::string, std::string> env;      // added to (or replacing in) the runner's environment
    std::string coverage;                        // coverage file to record, relative to the root
    std::chrono::seconds timeout{0};             // stop the runner's process group after this; zero: never
    std::map<std::string, std::string> origins;  // "command", "env.NAME", "coverage", "timeout" -> file:line:column
};

// The loaded configuration: the file it came from (empty when none) and its services.
struct Config {
    std::filesystem::path file;
    bool multi_service = false;
    std::vector<ServiceConfig> services;
    TestConfig test;
};

// The services' names, in the file's order.
std::vector<std::string> service_names(const Config& config);

// pipe's default tag rules when `tags` is not configured: the seed's three.
const std::vector<std::string>& default_tag_rules();

// The isolation modes buildah accepts, for validation and suggestions.
const std::vector<std::string>& isolation_modes();

// The storage drivers of containers/storage, for validation and suggestions.
const std::vector<std::string>& storage_drivers();

}  // namespace pipeline::config
