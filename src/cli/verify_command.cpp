// `pipe verify`: the deploy gate. Prints the policy it enforced, then one row per image (who
// signed it, or why it failed); exit 0 only when every image verified, 1 when one was rejected,
// 3 when one could not be checked.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/system_runner.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/verify_step.h>

#include <fmt/format.h>

namespace pipeline::cli {
namespace {

std::string_view status_name(steps::VerifyStatus status) {
    switch (status) {
        case steps::VerifyStatus::verified:
            return "verified";
        case steps::VerifyStatus::rejected:
            return "rejected";
        case steps::VerifyStatus::unchecked:
            break;
    }
    return "unchecked";
}

nlohmann::json signer_json(const steps::SignerInfo& signer) {
    nlohmann::json doc{{"format", signer.format}, {"identity", signer.identity}};
    const std::pair<const char*, const std::string*> fields[] = {
        {"issuer", &signer.issuer},         {"workflow", &signer.workflow}, {"workflow_ref", &signer.workflow_ref},
        {"repository", &signer.repository}, {"commit", &signer.commit},     {"time", &signer.time}};
    for (const auto& [name, value] : fields) {
        if (!value->empty()) {
            doc[name] = *value;
        }
    }
    if (signer.log_index) {
        doc["log_index"] = *signer.log_index;
    }
    return doc;
}

nlohmann::json image_json(const steps::ImageVerification& image) {
    nlohmann::json signers = nlohmann::json::array();
    for (const steps::SignerInfo& signer : image.signers) {
        signers.push_back(signer_json(signer));
    }
    nlohmann::json doc{{"reference", image.reference},
                       {"image", image.image},
                       {"digest", image.digest},
                       {"status", status_name(image.status)},
                       {"signers", signers}};
    if (!image.reason.empty()) {
        doc["reason"] = image.reason;
    }
    if (!image.locations.empty()) {
        doc["locations"] = image.locations;
    }
    if (!image.plan.empty()) {
        doc["plan"] = image.plan;
    }
    return doc;
}

nlohmann::json policy_json(const steps::VerifyPolicy& policy) {
    nlohmann::json doc{{"source", policy.source}};
    const std::pair<const char*, const std::string*> fields[] = {
        {"key", &policy.key},
        {"certificate_identity", &policy.identity},
        {"certificate_identity_regexp", &policy.identity_regexp},
        {"certificate_oidc_issuer", &policy.issuer}};
    for (const auto& [name, value] : fields) {
        if (!value->empty()) {
            doc[name] = *value;
        }
    }
    return doc;
}

std::string policy_text(const steps::VerifyPolicy& policy) {
    if (!policy.key.empty()) {
        return fmt::format("signed with the key {} ({})", policy.key, policy.source);
    }
    return fmt::format("signed by {} {} issued by {} ({})", policy.identity.empty() ? "identity matching" : "identity",
                       policy.identity.empty() ? policy.identity_regexp : policy.identity, policy.issuer,
                       policy.source);
}

std::string signer_text(const steps::SignerInfo& signer) {
    std::string text = signer.identity;
    if (!signer.issuer.empty()) {
        text += " via " + signer.issuer;
    }
    if (!signer.workflow_ref.empty()) {
        text += ", ref " + signer.workflow_ref;
    }
    if (!signer.commit.empty()) {
        text += ", commit " + signer.commit.substr(0, 12);
    }
    if (!signer.time.empty()) {
        text += ", at " + signer.time;
    }
    if (signer.log_index) {
        text += fmt::format(", tlog #{}", *signer.log_index);
    }
    return text;
}

std::string step_summary(const steps::VerifyReport& report) {
    std::string text =
        fmt::format("### pipe verify\n\nPolicy: {}\n\n| image | status | signer or reason |\n|---|---|---|\n",
                    policy_text(report.policy));
    for (const steps::ImageVerification& image : report.images) {
        text += fmt::format("| `{}` | {} | {} |\n", image.image.empty() ? image.reference : image.image,
                            status_name(image.status),
                            image.signers.empty() ? image.reason : signer_text(image.signers.front()));
    }
    return text + "\n";
}

class VerifyCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command.add_option("image", m_options.images, "Images to verify (a tag is resolved to its digest)")
            ->option_text("IMAGE...");
        command.add_option("-f,--file", m_files, "Deployment files or folders: verify every image they reference")
            ->option_text("PATH")
            ->allow_extra_args(false);
        command.add_flag("--allow-tags", m_options.allow_tags,
                         "In -f files, resolve tag references instead of failing them");
        command
            .add_option("--key", m_options.policy.key, "Public key (cosign.pub) or KMS URI the signature must match")
            ->option_text("KEY");
        command.add_option("--certificate-identity", m_options.policy.identity, "Exact signer identity (keyless)")
            ->option_text("ID");
        command
            .add_option("--certificate-identity-regexp", m_options.policy.identity_regexp,
                        "Signer identity pattern (keyless)")
            ->option_text("REGEX");
        command.add_option("--certificate-oidc-issuer", m_options.policy.issuer, "OIDC issuer of the signer (keyless)")
            ->option_text("URL");
        command
            .add_option("--attestation-type", m_options.attestation_type,
                        "Verify attestations of this type (spdxjson, cyclonedx, slsaprovenance1, or a URI)")
            ->option_text("TYPE");
        command.add_flag("--native", m_options.native, "Verify key signatures with pipe itself, without cosign");
        command.add_flag("--insecure-ignore-tlog", m_options.ignore_tlog,
                         "Accept signatures that were never uploaded to the transparency log");
        add_registry_options(command, m_registry);
    }

    Result<Verdict> run(Invocation& invocation) override {
        Result<steps::Workspace*> workspace = invocation.workspace(!m_options.images.empty() || !m_files.empty());
        if (!workspace) {
            return workspace.error();
        }
        if (auto applied = steps::apply_registry_overrides(**workspace, m_registry); !applied) {
            return applied.error();
        }
        Output& out = invocation.out();
        m_options.files.assign(m_files.begin(), m_files.end());
        m_options.dry_run = invocation.globals().dry_run;
        m_options.progress = tool_progress(out, ci::in_github_actions(invocation.env()), "cosign verify", "verifying");
        m_options.progress.started = nullptr;  // one result line per image says enough
        m_options.progress.finished = nullptr;
        m_options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<steps::VerifyReport> report = steps::run_verify(**workspace, runner, m_options);
        if (!report) {
            return report.error();
        }
        print(out, *report);
        if (m_options.dry_run) {
            return Verdict::pass;
        }
        ci::StepOutputs outputs{{"verified", report->verified() ? "true" : "false"},
                                {"json", report_json(*report).dump()}};
        if (auto published = publish_to_actions(invocation, outputs, step_summary(*report)); !published) {
            return published.error();
        }
        if (report->verified()) {
            return Verdict::pass;
        }
        if (report->only_unchecked_failures()) {
            return runtime_error("verification could not run for every image; nothing was verified for those",
                                 "see the reasons above; fix the registry or cosign setup and run again");
        }
        return Verdict::fail;
    }

private:
    static nlohmann::json report_json(const steps::VerifyReport& report) {
        nlohmann::json images = nlohmann::json::array();
        for (const steps::ImageVerification& image : report.images) {
            images.push_back(image_json(image));
        }
        return nlohmann::json{
            {"policy", policy_json(report.policy)}, {"verified", report.verified()}, {"images", images}};
    }

    void print(Output& out, const steps::VerifyReport& report) const {
        if (out.options().json) {
            nlohmann::json doc = report_json(report);
            if (m_options.dry_run) {
                doc["dry_run"] = true;
            }
            out.document(doc);
            return;
        }
        out.info(fmt::format("pipe: requiring images {}", policy_text(report.policy)));
        for (const steps::ImageVerification& image : report.images) {
            if (m_options.dry_run) {
                for (const std::string& step : image.plan) {
                    out.line(step);
                }
                continue;
            }
            const std::string where = image.locations.empty() ? "" : " (" + image.locations.front() + ")";
            const std::string subject = image.image.empty() ? image.reference : image.image;
            if (image.status == steps::VerifyStatus::verified) {
                for (const steps::SignerInfo& signer : image.signers) {
                    out.line(fmt::format("verified  {}{}  {}", subject, where, signer_text(signer)));
                }
                continue;
            }
            out.line(fmt::format("{}  {}{}  {}", status_name(image.status), subject, where, image.reason));
        }
    }

    steps::VerifyOptions m_options;
    std::vector<std::string> m_files;
    steps::RegistryOverrides m_registry;
};

}  // namespace

std::unique_ptr<CommandHandler> make_verify_command() {
    return std::make_unique<VerifyCommand>();
}

}  // namespace pipeline::cli
