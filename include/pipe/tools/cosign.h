// The one cosign wrapper: argv for `cosign sign`, `attest`, `verify`, `verify-attestation` and
// `version` (always an argv, never a shell), the parsers for what cosign prints, and the meaning
// of its exit codes. Images are signed and verified by digest only. The key password reaches
// cosign as COSIGN_PASSWORD in the secret environment, always set (possibly empty) because a
// cosign without it reads all of stdin as the password. Keyless identity tokens never appear in
// argv: cosign fetches the GitHub Actions OIDC token itself from ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN in the inherited environment.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/core/secret.h>
#include <pipe/proc/command.h>
#include <pipe/proc/runner.h>
#include <pipe/tools/tool_version.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::tools {

// The GitHub Actions OIDC issuer, what keyless signatures made in Actions carry.
inline constexpr std::string_view k_github_actions_issuer = "https://token.actions.githubusercontent.com";

// What `cosign version` reports: the numbers (tools::find_version's reading) and the text.
struct CosignVersion : ToolVersion {
    std::string text;  // as printed, e.g. "v2.4.1"
};

// Reads `cosign version` text (the `GitVersion:` line) or `cosign version --json` (`gitVersion`);
// a version that does not start with its number ("devel", "unknown") is a runtime error.
Result<CosignVersion> parse_cosign_version(std::string_view output);

// How cosign reaches the registry.
struct CosignRegistry {
    bool insecure = false;    // --allow-insecure-registry --allow-http-registry (plain HTTP, unverified TLS)
    std::string ca_file;      // --registry-cacert
    Environment environment;  // DOCKER_CONFIG and friends from pipe's private auth file
};

// Where a signing identity comes from.
enum class CosignIdentityMode {
    key,          // a key file or KMS URI given with --key
    ambient,      // keyless with the GitHub Actions OIDC token: --oidc-provider=github-actions
    interactive,  // keyless with a login by a person: --fulcio-auth-flow=device (see sign_command)
};

// One `cosign sign` of one image.
struct CosignSignSpec {
    std::string reference;  // repo@sha256:...; a reference without digest is rejected
    std::string key;        // path or KMS URI; required for CosignIdentityMode::key, else must be empty
    Secret password;        // exported as COSIGN_PASSWORD (possibly empty)
    std::vector<std::pair<std::string, std::string>> annotations;  // -a k=v, in this order
    bool recursive = false;                                        // --recursive (each manifest of an index)
    bool tlog_upload = true;                                       // false: --tlog-upload=false
    CosignIdentityMode identity = CosignIdentityMode::key;
    CosignRegistry registry;
};

// One `cosign attest` of one predicate file to one image.
struct CosignAttestSpec {
    std::string reference;  // repo@sha256:...
    std::string key;        // as in CosignSignSpec
    Secret password;        // exported as COSIGN_PASSWORD (possibly empty)
    std::string predicate;  // --predicate FILE
    std::string type;       // --type: spdxjson, cyclonedx, slsaprovenance1, ... or a predicate URI
    bool tlog_upload = true;
    CosignIdentityMode identity = CosignIdentityMode::key;
    CosignRegistry registry;
};

// One `cosign verify` (or `verify-attestation`) of one image: exactly one of a key or a
// certificate identity (exact or regexp) with its OIDC issuer.
struct CosignVerifySpec {
    std::string reference;  // repo@sha256:...
    std::string key;        // --key cosign.pub (or KMS URI); empty for keyless
    std::string certificate_identity;
    std::string certificate_identity_regexp;
    std::string certificate_oidc_issuer;
    std::string attestation_type;  // non-empty: `cosign verify-attestation --type T`
    bool ignore_tlog = false;      // --insecure-ignore-tlog=true (signatures made with --tlog-upload=false)
    CosignRegistry registry;
};

// One verified signature as `cosign verify -o json` reports it: the legacy simple-signing
// payload with its `optional` claims, or a v3 in-toto statement. Absent claims stay empty.
struct CosignSignature {
    std::string digest;                           // critical.image.docker-manifest-digest (or the statement's subject)
    std::string identity;                         // optional.Subject: the certificate SAN (keyless)
    std::string issuer;                           // optional.Issuer
    std::string workflow;                         // optional.githubWorkflowName
    std::string workflow_ref;                     // optional.githubWorkflowRef
    std::string repository;                       // optional.githubWorkflowRepository
    std::string commit;                           // optional.githubWorkflowSha
    std::string trigger;                          // optional.githubWorkflowTrigger
    std::optional<std::int64_t> log_index;        // optional.Bundle.Payload.logIndex
    std::optional<std::int64_t> integrated_time;  // optional.Bundle.Payload.integratedTime (Unix seconds)
    std::map<std::string, std::string> annotations;  // the -a k=v annotations that were signed
};

// Reads the JSON array `cosign verify -o json` prints on stdout; anything else is a runtime error.
Result<std::vector<CosignSignature>> parse_verify_output(std::string_view stdout_json);

// What a `cosign verify` exit code means.
enum class CosignVerifyOutcome {
    verified,        // 0
    no_signature,    // 10: the image has no signature
    tag_missing,     // 11: the tag does not exist
    no_match,        // 12: signatures exist, none matched the key or identity
    no_certificate,  // 13: a keyless check found a signature without certificate
    failed,          // 1 or anything else: cosign could not check (network, registry, tlog, usage)
};

// Maps a cosign verify exit code to its outcome.
CosignVerifyOutcome classify_verify_exit(int exit_code);

// A precise one-line reason for an outcome, for pipe's error and verdict messages.
std::string describe_verify_outcome(CosignVerifyOutcome outcome);

// The outcome of a verify that ran: the exit code judged, the signatures when verified, and
// cosign's last error line otherwise.
struct CosignVerification {
    CosignVerifyOutcome outcome = CosignVerifyOutcome::failed;
    int exit_code = 0;
    std::vector<CosignSignature> signatures;
    std::string detail;  // cosign's last stderr line for anything but verified
};

// Runs cosign through a Runner.
class Cosign {
public:
    explicit Cosign(proc::Runner& runner, std::string executable = "cosign");

    // `cosign version --json`.
    proc::Command version_command() const;

    // Runs version_command; a missing cosign is a runtime error saying how to install it.
    Result<CosignVersion> version();

    // `cosign sign --yes [--key K] [identity flags] [--tlog-upload=false] [--recursive] [-a k=v]...
    // [registry flags] REF@DIGEST` with COSIGN_PASSWORD in secret_env. Identity flags: none for
    // key; `--oidc-provider=github-actions` for ambient (cosign reads the token request variables
    // from its environment); `--fulcio-auth-flow=device` for interactive, which works without a
    // browser on the machine running pipe (SSH, containers): cosign prints the verification URL and
    // code on stderr, which the caller streams through the Command's sink, and waits for the login.
    // A reference without digest, a key-mode spec without key, or a keyless spec with a key is a
    // usage error.
    Result<proc::Command> sign_command(const CosignSignSpec& spec) const;

    // `cosign attest --yes --predicate F --type T ...` with the same rules as sign_command.
    Result<proc::Command> attest_command(const CosignAttestSpec& spec) const;

    // `cosign verify -o json ...` or `cosign verify-attestation --type T -o json ...`: a key
    // (`--key`), or an identity (`--certificate-identity` or `--certificate-identity-regexp`) with
    // `--certificate-oidc-issuer`. Both, neither, or an identity without issuer is a usage error.
    Result<proc::Command> verify_command(const CosignVerifySpec& spec) const;

    // Runs sign_command; any exit but 0 or a signal is a runtime error quoting cosign's last error.
    Result<void> sign(const CosignSignSpec& spec, const proc::OutputSink& sink);

    // Runs attest_command, judged like sign.
    Result<void> attest(const CosignAttestSpec& spec, const proc::OutputSink& sink);

    // Runs verify_command. Every exit code is an outcome (a negative one is a verdict, not an
    // error); a signal, a cosign that cannot start, or unreadable JSON after exit 0 is an error.
    // verify-attestation prints DSSE envelopes, which are not read: its signatures stay empty.
    Result<CosignVerification> verify(const CosignVerifySpec& spec, const proc::OutputSink& sink);

    const std::string& executable() const { return m_executable; }

private:
    proc::Command command(std::vector<std::string> args, const CosignRegistry* registry) const;
    Result<proc::ProcessResult> run(const proc::Command& command, std::string_view doing);

    proc::Runner& m_runner;
    std::string m_executable;
};

}  // namespace pipeline::tools
