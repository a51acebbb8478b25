#include <pipe/steps/verify_policy.h>

#include <pipe/core/regex_literal.h>

#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/command.h>
#include <pipe/tools/cosign.h>

#include <fmt/format.h>

#include <regex>

namespace pipeline::steps {
namespace {

bool any_set(const VerifyPolicy& policy) {
    return !policy.key.empty() || !policy.identity.empty() || !policy.identity_regexp.empty() || !policy.issuer.empty();
}

Result<VerifyPolicy> checked(VerifyPolicy policy, const std::string& origin) {
    if (!policy.key.empty() &&
        (!policy.identity.empty() || !policy.identity_regexp.empty() || !policy.issuer.empty())) {
        return located_error(origin, "a key and a certificate identity were both given",
                             "verify with --key cosign.pub, or with --certificate-identity[-regexp] and "
                             "--certificate-oidc-issuer, not both");
    }
    if (!policy.identity.empty() && !policy.identity_regexp.empty()) {
        return located_error(origin, "both an exact certificate identity and an identity pattern were given",
                             "keep --certificate-identity or --certificate-identity-regexp");
    }
    if (policy.key.empty() && policy.issuer.empty()) {
        return located_error(
            origin, "a certificate identity needs its OIDC issuer",
            fmt::format("add --certificate-oidc-issuer (GitHub Actions: {})", tools::k_github_actions_issuer));
    }
    if (policy.key.empty() && policy.identity.empty() && policy.identity_regexp.empty()) {
        return located_error(origin, "an OIDC issuer alone does not say who signed",
                             "add --certificate-identity or --certificate-identity-regexp");
    }
    if (!policy.identity_regexp.empty()) {
        try {
            // Compiled only to find out whether it is a valid pattern.
            static_cast<void>(std::regex(policy.identity_regexp, std::regex::ECMAScript).mark_count());
        } catch (const std::regex_error&) {
            return located_error(origin, fmt::format("'{}' is not a valid pattern", policy.identity_regexp));
        }
    }
    return policy;
}

}  // namespace

std::string github_repository(const Workspace& workspace) {
    if (ci::in_github_actions(workspace.env)) {
        if (auto repository = lookup(workspace.env, "GITHUB_REPOSITORY"); repository && !repository->empty()) {
            return *repository;
        }
    }
    if (!workspace.git) {
        return {};
    }
    const std::string html = ci::repository_from_remote(workspace.git->remote_url, "").html_url;
    constexpr std::string_view prefix = "https://github.com/";
    return html.rfind(prefix, 0) == 0 ? html.substr(prefix.size()) : std::string();
}

Result<VerifyPolicy> resolve_verify_policy(const Workspace& workspace, const VerifyPolicy& flags) {
    if (any_set(flags)) {
        VerifyPolicy policy = flags;
        policy.source = "flags";
        return checked(std::move(policy), flags.key.empty() ? "--certificate-identity" : "--key");
    }
    if (!workspace.config.services.empty()) {
        const config::ServiceConfig& service = workspace.config.services.front();
        const config::VerifyConfig& configured = service.verify;
        if (configured.configured()) {
            VerifyPolicy policy{configured.key, configured.certificate_identity, configured.certificate_identity_regexp,
                                configured.certificate_oidc_issuer, "pipe.yaml"};
            if (!policy.key.empty() && policy.key.find("://") == std::string::npos) {
                policy.key = (workspace.root / policy.key).string();
            }
            const std::string origin =
                service.origin_of(configured.key.empty() ? "verify.certificate_oidc_issuer" : "verify.key");
            return checked(std::move(policy), origin.empty() ? "pipe.yaml verify" : origin);
        }
    }
    const std::string repository = github_repository(workspace);
    if (repository.empty()) {
        return usage_error(
            "no signer to verify against: no --key, no identity flags, no `verify:` in pipe.yaml, "
            "and the repository is not on GitHub",
            "give --key cosign.pub, or --certificate-identity[-regexp] with "
            "--certificate-oidc-issuer");
    }
    VerifyPolicy policy;
    policy.identity_regexp = fmt::format("^https://github\\.com/{}/\\.github/workflows/", regex_literal(repository));
    policy.issuer = std::string(tools::k_github_actions_issuer);
    policy.source = "default for github.com/" + repository;
    return policy;
}

std::string verify_command_line(const VerifyPolicy& policy, const std::string& image, bool without_tlog) {
    std::vector<std::string> argv{"pipe", "verify"};
    if (!policy.key.empty()) {
        argv.insert(argv.end(), {"--key", policy.key});
    }
    if (!policy.identity.empty()) {
        argv.insert(argv.end(), {"--certificate-identity", policy.identity});
    }
    if (!policy.identity_regexp.empty()) {
        argv.insert(argv.end(), {"--certificate-identity-regexp", policy.identity_regexp});
    }
    if (!policy.issuer.empty()) {
        argv.insert(argv.end(), {"--certificate-oidc-issuer", policy.issuer});
    }
    if (without_tlog) {
        argv.emplace_back("--insecure-ignore-tlog");
    }
    argv.push_back(image);
    std::string line;
    for (const std::string& word : argv) {
        line += (line.empty() ? "" : " ") + proc::shell_quote(word);
    }
    return line;
}

}  // namespace pipeline::steps
