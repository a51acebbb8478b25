// `pipe verify`: checks that images are signed (or attested) by the expected signer, by digest,
// and says who signed what. Images come from arguments, from deployment files (`-f k8s/`: the
// deploy gate, where every reference must be pinned by digest), or from the pushed digests in
// the state. It fails closed: an image whose check could not run is never reported as verified.
// Prints nothing itself.
#pragma once

#include <pipe/core/result.h>
#include <pipe/proc/runner.h>
#include <pipe/steps/tool_progress.h>
#include <pipe/steps/verify_policy.h>
#include <pipe/steps/workspace.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::steps {

// How to run the verify step.
struct VerifyOptions {
    std::vector<std::string> images;           // IMAGE arguments
    std::vector<std::filesystem::path> files;  // -f: deployment files or folders
    bool allow_tags = false;                   // --allow-tags: resolve tags in files instead of failing
    VerifyPolicy policy;                       // identity flags (empty: pipe.yaml, then the GitHub default)
    std::string attestation_type;              // --attestation-type: verify attestations of this type
    bool native = false;                       // --native: verify key signatures without cosign
    bool ignore_tlog = false;                  // --insecure-ignore-tlog (signatures never uploaded to Rekor)
    std::string cosign = "cosign";             // the cosign executable
    bool dry_run = false;
    ToolProgress progress;
    std::function<void(std::string_view)> trace;  // registry requests, for --verbose; may be empty
};

// Who made one signature that verified.
struct SignerInfo {
    std::string format;    // "cosign .sig", "sigstore bundle", "cosign" (as cosign reported it)
    std::string identity;  // certificate subject (keyless) or "key sha256:..." (key)
    std::string issuer;
    std::string workflow;
    std::string workflow_ref;
    std::string repository;
    std::string commit;
    std::string time;  // RFC 3339, from the transparency log entry
    std::optional<std::int64_t> log_index;
};

// The three outcomes of one image's check.
enum class VerifyStatus { verified, rejected, unchecked };

// The check of one image (or one reference found in files).
struct ImageVerification {
    std::string reference;  // as given or found
    std::string image;      // repository@digest checked; empty when it never got a digest
    std::string digest;
    VerifyStatus status = VerifyStatus::unchecked;
    std::string reason;                  // why it was rejected or unchecked
    std::vector<SignerInfo> signers;     // verified signatures
    std::vector<std::string> locations;  // file:line:column where -f found it
    std::vector<std::string> plan;       // dry run
};

// The outcome of the verify step.
struct VerifyReport {
    VerifyPolicy policy;  // what was enforced
    std::vector<ImageVerification> images;
    std::vector<std::string> warnings;

    // True when every image verified.
    bool verified() const;
    // True when some image's check could not run (and none was rejected): exit 3 rather than 1.
    bool only_unchecked_failures() const;
};

// Verifies every image, each digest once. Errors are only for bad arguments or files (usage or
// config); registry or cosign trouble makes an image unchecked, not verified.
Result<VerifyReport> run_verify(const Workspace& workspace, proc::Runner& runner, const VerifyOptions& options);

}  // namespace pipeline::steps
