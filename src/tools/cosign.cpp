#include <pipe/oci/reference.h>
#include <pipe/tools/cosign.h>
#include <pipe/tools/start_error.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

namespace pipeline::tools {
namespace {

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// "v2.4.1", "2.4.1", "v3.0.0-rc.1", "v2.4.1-fake" -> the numbers and the text; the text must
// start with the version ("devel" or "unknown" is no version).
std::optional<CosignVersion> parse_version_text(std::string_view text) {
    text = trim(text);
    const std::string_view numbers = !text.empty() && text.front() == 'v' ? text.substr(1) : text;
    std::optional<ToolVersion> found = find_version(numbers);
    if (!found || numbers.empty() || std::isdigit(static_cast<unsigned char>(numbers.front())) == 0) {
        return std::nullopt;
    }
    CosignVersion version;
    static_cast<ToolVersion&>(version) = *found;
    version.text = std::string(text);
    return version;
}

// Cosign's last error line: the last `Error:` line, else its last non-empty line.
std::string last_error_line(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string last;
    std::string last_error;
    for (std::string line; std::getline(in, line);) {
        const std::string_view trimmed = trim(line);
        if (trimmed.empty()) {
            continue;
        }
        last = std::string(trimmed);
        if (trimmed.rfind("Error:", 0) == 0 || contains(trimmed, "main.go")) {
            last_error = last;
        }
    }
    return last_error.empty() ? last : last_error;
}

Result<void> require_digest(std::string_view reference, std::string_view command) {
    Result<oci::ImageReference> parsed = oci::parse_reference(reference);
    if (!parsed) {
        return usage_error(fmt::format("cosign {}: {}", command, parsed.error().message), parsed.error().hint);
    }
    if (!parsed->digest) {
        return usage_error(fmt::format("cosign {}: {} is not a reference by digest", command, reference),
                           "pipe signs and verifies images by digest only (repo@sha256:...), as a tag can move; "
                           "use the digest `pipe push` recorded");
    }
    return {};
}

// The --key / identity-mode consistency shared by sign and attest.
Result<void> check_identity(std::string_view key, CosignIdentityMode identity, std::string_view command) {
    if (identity == CosignIdentityMode::key && key.empty()) {
        return usage_error(fmt::format("cosign {}: key signing needs a key (a cosign.key path or KMS URI)", command),
                           "set a signing key, or choose keyless signing");
    }
    if (identity != CosignIdentityMode::key && !key.empty()) {
        return usage_error(fmt::format("cosign {}: a key was given for keyless signing", command),
                           "use either a key or a keyless identity, not both");
    }
    return {};
}

// The flags that choose where the signing identity comes from.
void add_identity_flags(std::vector<std::string>& args, const std::string& key, CosignIdentityMode identity) {
    switch (identity) {
        case CosignIdentityMode::key:
            args.insert(args.end(), {"--key", key});
            break;
        case CosignIdentityMode::ambient:
            args.emplace_back("--oidc-provider=github-actions");
            break;
        case CosignIdentityMode::interactive:
            args.emplace_back("--fulcio-auth-flow=device");
            break;
    }
}

std::string string_at(const nlohmann::json& object, std::string_view name) {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string()) {
        return {};
    }
    return found->get<std::string>();
}

std::optional<std::int64_t> integer_at(const nlohmann::json& object, std::string_view name) {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_number_integer()) {
        return std::nullopt;
    }
    return found->get<std::int64_t>();
}

// Keys cosign itself adds under `optional`; everything else string-valued is a signed annotation.
bool is_cosign_claim(const std::string& key) {
    static const std::array<std::string_view, 10> k_claims{"Subject",
                                                           "Issuer",
                                                           "Bundle",
                                                           "RFC3161Timestamp",
                                                           "githubWorkflowName",
                                                           "githubWorkflowRef",
                                                           "githubWorkflowSha",
                                                           "githubWorkflowTrigger",
                                                           "githubWorkflowRepository",
                                                           "CertificateChain"};
    return std::find(k_claims.begin(), k_claims.end(), key) != k_claims.end() ||
           key.rfind("1.3.6.1.4.1.57264.", 0) == 0;
}

void read_optional(const nlohmann::json& optional, CosignSignature& signature) {
    if (!optional.is_object()) {
        return;
    }
    signature.identity = string_at(optional, "Subject");
    signature.issuer = string_at(optional, "Issuer");
    if (signature.issuer.empty()) {
        signature.issuer = string_at(optional, "1.3.6.1.4.1.57264.1.1");
    }
    signature.workflow = string_at(optional, "githubWorkflowName");
    signature.workflow_ref = string_at(optional, "githubWorkflowRef");
    signature.repository = string_at(optional, "githubWorkflowRepository");
    signature.commit = string_at(optional, "githubWorkflowSha");
    signature.trigger = string_at(optional, "githubWorkflowTrigger");
    const auto bundle = optional.find("Bundle");
    if (bundle != optional.end() && bundle->is_object()) {
        const auto payload = bundle->find("Payload");
        if (payload != bundle->end() && payload->is_object()) {
            signature.log_index = integer_at(*payload, "logIndex");
            signature.integrated_time = integer_at(*payload, "integratedTime");
        }
    }
    for (const auto& [key, value] : optional.items()) {
        if (value.is_string() && !is_cosign_claim(key)) {
            signature.annotations[key] = value.get<std::string>();
        }
    }
}

Result<CosignSignature> read_signature(const nlohmann::json& element) {
    Error malformed = runtime_error("`cosign verify -o json` printed a signature pipe cannot read",
                                    "check that `cosign` on PATH is cosign v2.4 or later");
    if (!element.is_object()) {
        return malformed;
    }
    CosignSignature signature;
    if (const auto critical = element.find("critical"); critical != element.end() && critical->is_object()) {
        const auto image = critical->find("image");
        if (image == critical->end() || !image->is_object()) {
            return malformed;
        }
        signature.digest = string_at(*image, "docker-manifest-digest");
    } else if (const auto subject = element.find("subject");
               subject != element.end() && subject->is_array() && !subject->empty() && subject->front().is_object()) {
        const nlohmann::json& first = subject->front();
        if (const auto digests = first.find("digest"); digests != first.end() && digests->is_object()) {
            const std::string hex = string_at(*digests, "sha256");
            if (!hex.empty()) {
                signature.digest = "sha256:" + hex;
            }
        }
        if (const auto annotations = first.find("annotations"); annotations != first.end()) {
            read_optional(*annotations, signature);
        }
    } else {
        return malformed;
    }
    if (signature.digest.empty()) {
        return malformed;
    }
    if (const auto optional = element.find("optional"); optional != element.end()) {
        read_optional(*optional, signature);
    }
    return signature;
}

}  // namespace

Result<CosignVersion> parse_cosign_version(std::string_view output) {
    Error unreadable = runtime_error("`cosign version` printed something pipe cannot read",
                                     "check that `cosign` on PATH is cosign v2.4 or later (`cosign version`)");
    std::string text;
    const std::string_view trimmed = trim(output);
    if (!trimmed.empty() && trimmed.front() == '{') {
        const nlohmann::json doc = nlohmann::json::parse(trimmed, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
            return unreadable;
        }
        text = string_at(doc, "gitVersion");
    } else {
        std::istringstream in{std::string(output)};
        for (std::string line; std::getline(in, line);) {
            const std::string_view current = trim(line);
            if (current.rfind("GitVersion:", 0) == 0) {
                text = std::string(trim(current.substr(std::string_view("GitVersion:").size())));
                break;
            }
        }
    }
    std::optional<CosignVersion> version = parse_version_text(text);
    if (!version) {
        return unreadable;
    }
    return *version;
}

Result<std::vector<CosignSignature>> parse_verify_output(std::string_view stdout_json) {
    const nlohmann::json doc = nlohmann::json::parse(trim(stdout_json), nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
        return runtime_error("`cosign verify -o json` did not print a JSON array of signatures",
                             "check that `cosign` on PATH is cosign v2.4 or later");
    }
    std::vector<CosignSignature> signatures;
    for (const nlohmann::json& element : doc) {
        Result<CosignSignature> signature = read_signature(element);
        if (!signature) {
            return signature.error();
        }
        signatures.push_back(std::move(*signature));
    }
    return signatures;
}

CosignVerifyOutcome classify_verify_exit(int exit_code) {
    switch (exit_code) {
        case 0:
            return CosignVerifyOutcome::verified;
        case 10:
            return CosignVerifyOutcome::no_signature;
        case 11:
            return CosignVerifyOutcome::tag_missing;
        case 12:
            return CosignVerifyOutcome::no_match;
        case 13:
            return CosignVerifyOutcome::no_certificate;
        default:
            return CosignVerifyOutcome::failed;
    }
}

std::string describe_verify_outcome(CosignVerifyOutcome outcome) {
    switch (outcome) {
        case CosignVerifyOutcome::verified:
            return "signature verified";
        case CosignVerifyOutcome::no_signature:
            return "the image has no signature (cosign exit 10)";
        case CosignVerifyOutcome::tag_missing:
            return "the image reference does not exist in the registry (cosign exit 11)";
        case CosignVerifyOutcome::no_match:
            return "signatures exist but none matched the expected key or identity (cosign exit 12)";
        case CosignVerifyOutcome::no_certificate:
            return "a signature has no certificate to check the identity against (cosign exit 13)";
        case CosignVerifyOutcome::failed:
            break;
    }
    return "cosign could not check the signature (registry, network, transparency log or usage error)";
}

Cosign::Cosign(proc::Runner& runner, std::string executable) : m_runner(runner), m_executable(std::move(executable)) {}

proc::Command Cosign::command(std::vector<std::string> args, const CosignRegistry* registry) const {
    proc::Command command;
    command.argv = {m_executable};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    if (registry != nullptr) {
        for (const auto& [name, value] : registry->environment) {
            command.env[name] = value;
        }
    }
    return command;
}

namespace {

void add_registry_flags(std::vector<std::string>& args, const CosignRegistry& registry) {
    if (registry.insecure) {
        args.emplace_back("--allow-insecure-registry");
        args.emplace_back("--allow-http-registry");
    }
    if (!registry.ca_file.empty()) {
        args.insert(args.end(), {"--registry-cacert", registry.ca_file});
    }
}

}  // namespace

proc::Command Cosign::version_command() const {
    return command({"version", "--json"}, nullptr);
}

Result<proc::Command> Cosign::sign_command(const CosignSignSpec& spec) const {
    if (Result<void> digest = require_digest(spec.reference, "sign"); !digest) {
        return digest.error();
    }
    if (Result<void> identity = check_identity(spec.key, spec.identity, "sign"); !identity) {
        return identity.error();
    }
    std::vector<std::string> args{"sign", "--yes"};
    add_identity_flags(args, spec.key, spec.identity);
    if (!spec.tlog_upload) {
        args.emplace_back("--tlog-upload=false");
    }
    if (spec.recursive) {
        args.emplace_back("--recursive");
    }
    for (const auto& [name, value] : spec.annotations) {
        args.insert(args.end(), {"-a", fmt::format("{}={}", name, value)});
    }
    add_registry_flags(args, spec.registry);
    args.push_back(spec.reference);
    proc::Command command = this->command(std::move(args), &spec.registry);
    command.secret_env["COSIGN_PASSWORD"] = spec.password;
    return command;
}

Result<proc::Command> Cosign::attest_command(const CosignAttestSpec& spec) const {
    if (Result<void> digest = require_digest(spec.reference, "attest"); !digest) {
        return digest.error();
    }
    if (Result<void> identity = check_identity(spec.key, spec.identity, "attest"); !identity) {
        return identity.error();
    }
    if (spec.predicate.empty() || spec.type.empty()) {
        return usage_error("cosign attest: an attestation needs a predicate file and a predicate type");
    }
    std::vector<std::string> args{"attest", "--yes"};
    add_identity_flags(args, spec.key, spec.identity);
    args.insert(args.end(), {"--predicate", spec.predicate, "--type", spec.type});
    if (!spec.tlog_upload) {
        args.emplace_back("--tlog-upload=false");
    }
    add_registry_flags(args, spec.registry);
    args.push_back(spec.reference);
    proc::Command command = this->command(std::move(args), &spec.registry);
    command.secret_env["COSIGN_PASSWORD"] = spec.password;
    return command;
}

Result<proc::Command> Cosign::verify_command(const CosignVerifySpec& spec) const {
    const std::string_view name = spec.attestation_type.empty() ? "verify" : "verify-attestation";
    if (Result<void> digest = require_digest(spec.reference, name); !digest) {
        return digest.error();
    }
    const bool has_identity = !spec.certificate_identity.empty() || !spec.certificate_identity_regexp.empty();
    if (!spec.key.empty() && (has_identity || !spec.certificate_oidc_issuer.empty())) {
        return usage_error(fmt::format("cosign {}: both a key and a certificate identity were given", name),
                           "verify either with a public key or with a keyless identity and issuer, not both");
    }
    if (spec.key.empty() && !has_identity) {
        return usage_error(fmt::format("cosign {}: neither a key nor a certificate identity was given", name),
                           "give the public key (cosign.pub) or the expected signer identity and OIDC issuer");
    }
    if (!spec.certificate_identity.empty() && !spec.certificate_identity_regexp.empty()) {
        return usage_error(fmt::format("cosign {}: both an exact identity and an identity regexp were given", name),
                           "use one of them");
    }
    if (has_identity && spec.certificate_oidc_issuer.empty()) {
        return usage_error(fmt::format("cosign {}: a keyless identity needs its OIDC issuer", name),
                           fmt::format("for GitHub Actions the issuer is {}", k_github_actions_issuer));
    }
    std::vector<std::string> args{std::string(name)};
    if (!spec.attestation_type.empty()) {
        args.insert(args.end(), {"--type", spec.attestation_type});
    }
    if (!spec.key.empty()) {
        args.insert(args.end(), {"--key", spec.key});
    }
    if (!spec.certificate_identity.empty()) {
        args.insert(args.end(), {"--certificate-identity", spec.certificate_identity});
    }
    if (!spec.certificate_identity_regexp.empty()) {
        args.insert(args.end(), {"--certificate-identity-regexp", spec.certificate_identity_regexp});
    }
    if (!spec.certificate_oidc_issuer.empty()) {
        args.insert(args.end(), {"--certificate-oidc-issuer", spec.certificate_oidc_issuer});
    }
    if (spec.ignore_tlog) {
        args.emplace_back("--insecure-ignore-tlog=true");
    }
    args.insert(args.end(), {"-o", "json"});
    add_registry_flags(args, spec.registry);
    args.push_back(spec.reference);
    return command(std::move(args), &spec.registry);
}

Result<proc::ProcessResult> Cosign::run(const proc::Command& command, std::string_view doing) {
    Result<proc::ProcessResult> result = m_runner.run(command);
    if (!result) {
        return start_error(
            doing, result.error(),
            "install cosign v2.4 or later (https://docs.sigstore.dev/cosign/system_config/installation/, "
            "or the sigstore/cosign-installer action in GitHub Actions); pipe looks for `cosign` on PATH");
    }
    if (auto signal = result->status.signal()) {
        return runtime_error(fmt::format("{}: cosign was killed by signal {}", doing, *signal),
                             "nothing was signed or verified by this call; run it again with `pipe -v`");
    }
    return result;
}

Result<CosignVersion> Cosign::version() {
    Result<proc::ProcessResult> ran = run(version_command(), "cosign version");
    if (!ran) {
        return ran.error();
    }
    if (!ran->status.success()) {
        return runtime_error(fmt::format("cosign version failed (exit {}): {}", ran->status.exit_code().value_or(-1),
                                         last_error_line(ran->err)),
                             "check that `cosign` on PATH is cosign v2.4 or later");
    }
    return parse_cosign_version(ran->out);
}

namespace {

Result<void> judge_signing(const Result<proc::ProcessResult>& ran, std::string_view doing) {
    if (!ran) {
        return ran.error();
    }
    if (ran->status.success()) {
        return {};
    }
    const std::string summary = last_error_line(ran->err);
    return runtime_error(fmt::format("{} failed (exit {}){}{}", doing, ran->status.exit_code().value_or(-1),
                                     summary.empty() ? "" : ": ", summary),
                         "see cosign's output above; `pipe -v` shows the exact command");
}

}  // namespace

Result<void> Cosign::sign(const CosignSignSpec& spec, const proc::OutputSink& sink) {
    Result<proc::Command> command = sign_command(spec);
    if (!command) {
        return command.error();
    }
    command->sink = sink;
    const std::string doing = fmt::format("cosign sign {}", spec.reference);
    return judge_signing(run(*command, doing), doing);
}

Result<void> Cosign::attest(const CosignAttestSpec& spec, const proc::OutputSink& sink) {
    Result<proc::Command> command = attest_command(spec);
    if (!command) {
        return command.error();
    }
    command->sink = sink;
    const std::string doing = fmt::format("cosign attest --type {} {}", spec.type, spec.reference);
    return judge_signing(run(*command, doing), doing);
}

Result<CosignVerification> Cosign::verify(const CosignVerifySpec& spec, const proc::OutputSink& sink) {
    Result<proc::Command> command = verify_command(spec);
    if (!command) {
        return command.error();
    }
    command->sink = sink;
    Result<proc::ProcessResult> ran = run(*command, fmt::format("cosign {} {}", command->argv.at(1), spec.reference));
    if (!ran) {
        return ran.error();
    }
    CosignVerification verification;
    verification.exit_code = ran->status.exit_code().value_or(-1);
    verification.outcome = classify_verify_exit(verification.exit_code);
    if (verification.outcome != CosignVerifyOutcome::verified) {
        verification.detail = last_error_line(ran->err);
        return verification;
    }
    if (!spec.attestation_type.empty()) {
        return verification;
    }
    Result<std::vector<CosignSignature>> signatures = parse_verify_output(ran->out);
    if (!signatures) {
        return signatures.error();
    }
    verification.signatures = std::move(*signatures);
    return verification;
}

}  // namespace pipeline::tools
