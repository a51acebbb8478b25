// Who may have signed an image: a public key, or a keyless identity (exact or pattern) and its
// OIDC issuer. Flags replace the `verify:` section of pipe.yaml; with neither, a repository on
// GitHub defaults to its own workflows and the Actions issuer, and pipe prints what it enforced.
#pragma once

#include <pipe/core/result.h>
#include <pipe/steps/workspace.h>

#include <string>

namespace pipeline::steps {

// The identity flags of `pipe verify`, each empty when not given.
struct VerifyPolicy {
    std::string key;              // cosign.pub path or KMS URI
    std::string identity;         // --certificate-identity
    std::string identity_regexp;  // --certificate-identity-regexp
    std::string issuer;           // --certificate-oidc-issuer
    std::string source;           // "flags", "pipe.yaml", or "default for github.com/o/r"

    bool keyless() const { return key.empty(); }
};

// The GitHub repository ("owner/name") the workspace builds: GITHUB_REPOSITORY inside Actions,
// else origin's URL when it is on github.com; empty otherwise.
std::string github_repository(const Workspace& workspace);

// The policy from flags, else the first service's `verify:` section, else the GitHub default.
// A key together with identity flags, an identity without issuer, or nothing at all outside
// GitHub is a usage error saying which flags to give.
Result<VerifyPolicy> resolve_verify_policy(const Workspace& workspace, const VerifyPolicy& flags);

// The `pipe verify` command a deployer should run for image under policy, ready to paste; with
// without_tlog for signatures that were never uploaded to a transparency log (native signatures,
// --tlog-upload=false), which cosign otherwise refuses.
std::string verify_command_line(const VerifyPolicy& policy, const std::string& image, bool without_tlog);

}  // namespace pipeline::steps
