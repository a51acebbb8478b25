// The SLSA Build provenance v1 predicate that `pipe sign --attest provenance` attests: a pure
// function of facts gathered elsewhere, so its shape is tested without a build, a registry or a key.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::sign {

// The predicateType of SLSA Build provenance v1 (https://slsa.dev/provenance/v1).
inline constexpr std::string_view k_slsa_provenance_v1 = "https://slsa.dev/provenance/v1";

// The buildType pipe declares: how to read the externalParameters of its predicates.
inline constexpr std::string_view k_pipe_build_type = "https://pipe.dev/build/v1";

// What pipe knows about one build; empty strings mean unknown and are left out of the predicate.
struct ProvenanceFacts {
    std::string builder_id;  // workflow URL with ref in GitHub Actions, "pipe://<hostname>" locally
    std::string build_type = std::string(k_pipe_build_type);       // the buildType URI
    std::string source_repository;                                 // "https://github.com/acme/app" or a git remote
    std::string source_commit;                                     // the commit built, 40 hex
    std::string source_ref;                                        // "refs/heads/main"
    std::string workflow_path;                                     // ".github/workflows/ci.yaml"
    std::string run_url;                                           // the GitHub Actions run attempt URL
    std::string invocation_id;                                     // the run URL or a local id
    std::vector<std::string> build_command;                        // argv of the build, informational
    nlohmann::json parameters;                                     // containerfile, target, platforms, build args
    std::vector<std::pair<std::string, std::string>> base_images;  // reference -> resolved "sha256:..." digest
    std::string started_on;                                        // RFC 3339 UTC
    std::string finished_on;                                       // RFC 3339 UTC
    std::string pipe_version;                                      // builder.version["pipe"]
};

// The predicate: buildDefinition {buildType, externalParameters (parameters plus source and
// workflow), internalParameters (build command, run URL), resolvedDependencies (the source as
// git+<repo>@<ref> with a gitCommit digest, base images as pkg:docker purls with their digest)} and
// runDetails {builder {id, version}, metadata {invocationId, startedOn, finishedOn}}. Credentials in
// URLs are removed everywhere; empty optional fields are omitted.
nlohmann::json slsa_provenance_predicate(const ProvenanceFacts& facts);

// The URL without userinfo ("https://user:token@host/x" -> "https://host/x"); text that is not a
// URL with "://" comes back unchanged.
std::string without_credentials(std::string_view url);

// A git remote as a credential-free URL: userinfo, query and fragment dropped, and the scp-like
// form "git@github.com:acme/app.git" rewritten as "ssh://github.com/acme/app.git".
std::string repository_url(std::string_view remote);

// The package URL pipe records for a container image: "pkg:docker/alpine@3.20" on Docker Hub,
// "pkg:docker/acme/app@1.2?repository_url=ghcr.io" elsewhere (version: tag, else digest, else
// latest); the reference itself when it does not parse.
std::string image_purl(std::string_view reference);

}  // namespace pipeline::sign
