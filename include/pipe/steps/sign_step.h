// `pipe sign`: signs each pushed image by digest (a tag is resolved first, since signing by tag
// races with pushes), attaches the requested attestations (the SBOM `pipe scan --sbom`
// recorded, a SLSA v1 provenance pipe builds from git and CI facts), verifies its own signature
// at once and returns the `pipe verify` command deployers should run. Keyless and KMS signing go
// through cosign; a key file is signed natively when cosign is absent or --native is given.
// Prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/tool_progress.h>
#include <pipe/steps/workspace.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// Whether keyless signing may use the GitHub Actions OIDC token.
enum class AmbientToken { automatic, refuse, require };

// How to run the sign step.
struct SignOptions {
    std::vector<std::string> images;  // IMAGE arguments; empty: every selected service's pushed digest
    std::string key;                  // --key: a key file or KMS URI; empty: the `sign.key` setting
    Secret password;                  // COSIGN_PASSWORD (possibly empty)
    bool native = false;              // --native: sign with pipe's own signer even if cosign exists
    AmbientToken ambient = AmbientToken::automatic;
    std::optional<bool> recursive;                   // --recursive; nullopt: `sign.recursive`
    std::optional<bool> tlog_upload;                 // --tlog-upload; nullopt: `sign.tlog_upload`
    std::map<std::string, std::string> annotations;  // -a key=value
    std::vector<std::string> attest;                 // sbom, provenance; empty: `sign.attest`
    std::string cosign = "cosign";                   // the cosign executable
    bool dry_run = false;
    ToolProgress progress;
    std::function<void(std::string_view)> trace;  // registry requests, for --verbose; may be empty
};

// What was signed for one image.
struct SignedImage {
    std::string service;
    std::string image;  // repository@digest that was signed
    std::string digest;
    std::string resolved_from;                // the tag given, when a tag was resolved to its digest
    std::string method;                       // "native key", "cosign key", "cosign keyless (GitHub Actions OIDC)", ...
    std::vector<std::string> signed_digests;  // the digest, and with --recursive each platform manifest
    std::vector<std::string> attestations;    // predicate type URIs attached
    std::string stored_at;                    // where the signature lives (native: repo:sha256-<hex>.sig)
    std::size_t signatures = 0;               // signatures now stored there (native)
    bool already_signed = false;              // native: this key had signed this digest already
    bool self_verified = false;               // the signature verified right after signing
    std::string verify_command;               // `pipe verify ...` for deployers
    std::chrono::milliseconds duration{0};
    std::vector<std::string> plan;  // dry run: commands and registry calls
};

// The outcome of the sign step.
struct SignReport {
    std::vector<SignedImage> images;
    std::vector<std::string> warnings;
    std::filesystem::path state_file;  // empty in a dry run or when images were named
};

// Signs every target in order and records the result in the state file; stops at the first
// failure. Errors: no push recorded (usage, says to run `pipe push`), no cosign for keyless or
// KMS signing (runtime, says how to install it or to use --key), a failed own verification.
Result<SignReport> run_sign(const Workspace& workspace, proc::Runner& runner, const SignOptions& options);

}  // namespace pipeline::steps
