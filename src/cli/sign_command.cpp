// `pipe sign`: signs the pushed digests (or the images named), prints which digest was signed
// and the `pipe verify` command deployers should use, and publishes both as step outputs.
// `--generate-key` writes a cosign-format key pair instead.
#include "cli/actions_publish.h"
#include "cli/command_table.h"
#include "cli/step_output.h"

#include <pipe/ci/source_context_builder.h>
#include <pipe/proc/system_runner.h>
#include <pipe/sign/private_key.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/sign_step.h>

#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>

namespace pipeline::cli {
namespace {

nlohmann::json image_json(const steps::SignedImage& image, bool dry_run) {
    nlohmann::json doc{{"service", image.service},
                       {"image", image.image},
                       {"digest", image.digest},
                       {"method", image.method},
                       {"signed_digests", image.signed_digests},
                       {"attestations", image.attestations},
                       {"verified", image.self_verified},
                       {"verify_command", image.verify_command},
                       {"duration_ms", image.duration.count()}};
    if (!image.resolved_from.empty()) {
        doc["resolved_from"] = image.resolved_from;
    }
    if (!image.stored_at.empty()) {
        doc["stored_at"] = image.stored_at;
        doc["signatures"] = image.signatures;
    }
    if (dry_run) {
        doc["plan"] = image.plan;
    }
    return doc;
}

ci::StepOutputs step_outputs(const steps::SignReport& report) {
    ci::StepOutputs outputs;
    nlohmann::json all = nlohmann::json::array();
    const bool multi = report.images.size() > 1;
    for (const steps::SignedImage& image : report.images) {
        const std::string prefix = multi ? image.service + "-" : "";
        outputs.emplace_back(prefix + "signed", image.image);
        outputs.emplace_back(prefix + "verify-command", image.verify_command);
        all.push_back(image_json(image, false));
    }
    outputs.emplace_back("json", nlohmann::json{{"images", all}}.dump());
    return outputs;
}

std::string step_summary(const steps::SignReport& report) {
    std::string text = "### pipe sign\n\n| service | signed | method | attestations |\n|---|---|---|---|\n";
    for (const steps::SignedImage& image : report.images) {
        text += fmt::format("| {} | `{}` | {} | {} |\n", image.service, image.image, image.method,
                            image.attestations.empty() ? "-" : fmt::format("{}", fmt::join(image.attestations, " ")));
    }
    text += "\nVerify before deploying:\n\n```sh\n";
    for (const steps::SignedImage& image : report.images) {
        text += image.verify_command + "\n";
    }
    return text + "```\n";
}

// Writes text to path with mode, refusing to replace an existing file.
Result<void> write_new_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        return usage_error(fmt::format("{} already exists", path.string()),
                           "pipe never overwrites a key; move it away or choose another path with --key");
    }
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
        if (!out) {
            return runtime_error(fmt::format("cannot write {}", path.string()), "check the directory is writable");
        }
    }
    ::chmod(path.c_str(), mode);
    return {};
}

class SignCommand final : public CommandHandler {
public:
    void add_options(CLI::App& command) override {
        command
            .add_option("image", m_options.images, "Images to sign instead of the pushed digests (a tag is resolved)")
            ->option_text("IMAGE...");
        command.add_option("--key", m_options.key, "Key file (cosign.key) or KMS URI; without it, keyless (Sigstore)")
            ->option_text("KEY");
        command.add_flag("--native", m_options.native,
                         "Sign with pipe's own signer (key files only) even when cosign is installed");
        command.add_flag("--recursive,-r", m_recursive, "Also sign each platform manifest of a multi-arch index");
        command.add_option("--tlog-upload", m_tlog, "Upload to the Rekor transparency log (false for private setups)")
            ->option_text("BOOL");
        command.add_option("-a,--annotation", m_annotations, "Signed annotation key=value (repeatable)")
            ->option_text("KEY=VALUE")
            ->allow_extra_args(false);
        command.add_option("--attest", m_options.attest, "Attach an attestation: sbom or provenance (repeatable)")
            ->option_text("KIND")
            ->allow_extra_args(false)
            ->check(CLI::IsMember({"sbom", "provenance"}));
        command.add_flag("--no-ambient", m_no_ambient, "Keyless: ignore the GitHub Actions OIDC token, log in instead");
        command.add_flag("--require-ambient", m_require_ambient,
                         "Keyless: fail unless the GitHub Actions OIDC token is available");
        command.add_flag("--generate-key", m_generate,
                         "Write a cosign key pair (--key PATH, default cosign.key, and .pub) with COSIGN_PASSWORD");
        add_registry_options(command, m_registry);
    }

    Result<Verdict> run(Invocation& invocation) override {
        Output& out = invocation.out();
        m_options.password = Secret(value_or(invocation.env(), "COSIGN_PASSWORD", ""));
        if (m_generate) {
            return generate(out, invocation.env());
        }
        if (m_no_ambient && m_require_ambient) {
            return usage_error("--no-ambient and --require-ambient contradict each other", "give one of them");
        }
        m_options.ambient = m_no_ambient        ? steps::AmbientToken::refuse
                            : m_require_ambient ? steps::AmbientToken::require
                                                : steps::AmbientToken::automatic;
        if (m_recursive) {
            m_options.recursive = true;
        }
        if (!m_tlog.empty()) {
            if (m_tlog != "true" && m_tlog != "false") {
                return usage_error(fmt::format("--tlog-upload must be true or false, not '{}'", m_tlog));
            }
            m_options.tlog_upload = m_tlog == "true";
        }
        for (const std::string& annotation : m_annotations) {
            const std::size_t equals = annotation.find('=');
            if (equals == std::string::npos || equals == 0) {
                return usage_error(fmt::format("-a '{}' is not key=value", annotation), "e.g. -a env=prod");
            }
            m_options.annotations[annotation.substr(0, equals)] = annotation.substr(equals + 1);
        }
        Result<steps::Workspace*> workspace = invocation.workspace(!m_options.images.empty());
        if (!workspace) {
            return workspace.error();
        }
        if (auto applied = steps::apply_registry_overrides(**workspace, m_registry); !applied) {
            return applied.error();
        }
        m_options.dry_run = invocation.globals().dry_run;
        m_options.progress = tool_progress(out, ci::in_github_actions(invocation.env()), "pipe sign", "signing");
        m_options.trace = [&](std::string_view line) { out.detail(line); };
        proc::SystemRunner runner;
        Result<steps::SignReport> report = steps::run_sign(**workspace, runner, m_options);
        if (!report) {
            return report.error();
        }
        for (const std::string& warning : report->warnings) {
            out.warn(warning);
        }
        print(out, *report, m_options.dry_run);
        if (m_options.dry_run) {
            return Verdict::pass;
        }
        return publish_to_actions(invocation, step_outputs(*report), step_summary(*report));
    }

    bool ran_step() const override { return !m_generate; }

private:
    Result<Verdict> generate(Output& out, const Environment& env) {
        if (!lookup(env, "COSIGN_PASSWORD")) {
            return usage_error("--generate-key needs the key password in COSIGN_PASSWORD",
                               "export COSIGN_PASSWORD (it may be empty for an unencrypted-equivalent key)");
        }
        const std::filesystem::path key_file = m_options.key.empty() ? "cosign.key" : m_options.key;
        std::filesystem::path public_file = key_file;
        public_file.replace_extension(".pub");
        Result<sign::PrivateKey> key = sign::PrivateKey::generate_p256();
        if (!key) {
            return key.error();
        }
        Result<std::string> encrypted = key->encrypted_pem(m_options.password);
        if (!encrypted) {
            return encrypted.error();
        }
        if (std::filesystem::exists(public_file)) {
            return usage_error(fmt::format("{} already exists", public_file.string()),
                               "pipe never overwrites a key; move it away or choose another path with --key");
        }
        if (auto written = write_new_file(key_file, *encrypted, 0600); !written) {
            return written.error();
        }
        if (auto written = write_new_file(public_file, key->public_pem(), 0644); !written) {
            return written.error();
        }
        if (out.options().json) {
            out.document(nlohmann::json{{"private_key", key_file.string()}, {"public_key", public_file.string()}});
        } else {
            out.line(fmt::format("Private key written to {}", key_file.string()));
            out.line(fmt::format("Public key written to {}", public_file.string()));
        }
        return Verdict::pass;
    }

    static void print(Output& out, const steps::SignReport& report, bool dry_run) {
        if (out.options().json) {
            nlohmann::json images = nlohmann::json::array();
            for (const steps::SignedImage& image : report.images) {
                images.push_back(image_json(image, dry_run));
            }
            nlohmann::json doc{{"images", images}};
            if (dry_run) {
                doc["dry_run"] = true;
            } else if (!report.state_file.empty()) {
                doc["state_file"] = report.state_file.string();
            }
            out.document(doc);
            return;
        }
        for (const steps::SignedImage& image : report.images) {
            if (dry_run) {
                for (const std::string& step : image.plan) {
                    out.line(step);
                }
                continue;
            }
            if (!image.resolved_from.empty()) {
                out.info(fmt::format("pipe: {} resolved to {}", image.resolved_from, image.digest));
            }
            out.info(fmt::format("pipe: signed {} ({}{}){}", image.image, image.method,
                                 image.already_signed ? ", this key had signed it already" : "",
                                 image.stored_at.empty() ? "" : " -> " + image.stored_at));
            for (const std::string& type : image.attestations) {
                out.info(fmt::format("pipe: attested {} for {}", type, image.digest));
            }
            out.info("pipe: verify it before deploying with:");
            out.line(image.verify_command);
        }
    }

    steps::SignOptions m_options;
    std::vector<std::string> m_annotations;
    std::string m_tlog;
    bool m_recursive = false;
    bool m_no_ambient = false;
    bool m_require_ambient = false;
    bool m_generate = false;
    steps::RegistryOverrides m_registry;
};

}  // namespace

std::unique_ptr<CommandHandler> make_sign_command() {
    return std::make_unique<SignCommand>();
}

}  // namespace pipeline::cli
