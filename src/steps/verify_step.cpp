#include <pipe/steps/verify_step.h>

#include <pipe/core/file_text.h>
#include <pipe/core/timestamp.h>
#include <pipe/deploy/manifest_images.h>
#include <pipe/oci/reference.h>
#include <pipe/proc/executable_search.h>
#include <pipe/sign/native_signatures.h>
#include <pipe/state/push_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/recorded_state.h>
#include <pipe/steps/registry_session.h>
#include <pipe/tools/cosign.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace pipeline::steps {
namespace {

// One reference to check and where it came from.
struct Candidate {
    std::string reference;
    std::string location;  // file:line:column for -f, else empty
};

Result<std::vector<Candidate>> candidates(const Workspace& workspace, const VerifyOptions& options) {
    std::vector<Candidate> found;
    found.reserve(options.images.size());
    for (const std::string& image : options.images) {
        found.push_back(Candidate{image, ""});
    }
    if (!options.files.empty()) {
        Result<std::vector<deploy::FoundImage>> images = deploy::find_images(options.files);
        if (!images) {
            return images.error();
        }
        if (images->empty()) {
            return usage_error("no image references found in the files given to -f",
                               "point -f at Kubernetes manifests, kustomizations or Helm values files");
        }
        for (const deploy::FoundImage& image : *images) {
            found.push_back(
                Candidate{image.reference, fmt::format("{}:{}:{}", image.file.string(), image.line, image.column)});
        }
    }
    if (!found.empty()) {
        return found;
    }
    Result<RecordedState> recorded = recorded_state(workspace, "pipe verify");
    if (!recorded) {
        return recorded.error();
    }
    for (const config::ServiceConfig& service : workspace.config.services) {
        Result<std::string> pinned =
            pushed_reference(workspace, recorded->state, service,
                             "name images (pipe verify IMAGE@DIGEST) or files (-f k8s/), or run `pipe push` first");
        if (!pinned) {
            return pinned.error();
        }
        found.push_back(Candidate{*pinned, ""});
    }
    return found;
}

std::string unix_time(std::int64_t seconds) {
    return rfc3339_utc(std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

class Verifier {
public:
    Verifier(const Workspace& workspace, proc::Runner& runner, const VerifyOptions& options, VerifyPolicy policy)
        : m_workspace(workspace), m_runner(runner), m_options(options), m_policy(std::move(policy)) {}

    Result<void> open() {
        if (m_workspace.config.services.empty()) {
            return usage_error("no service selected", "check --service and pipe.yaml");
        }
        Result<std::unique_ptr<RegistrySession>> session =
            RegistrySession::open(m_workspace, m_workspace.config.services.front(), m_runner, m_options.trace);
        if (!session) {
            return session.error();
        }
        m_session = std::move(*session);
        const bool kms = m_policy.key.find("://") != std::string::npos;
        m_native = !m_policy.key.empty() && !kms &&
                   (m_options.native || !proc::find_executable(m_options.cosign, m_workspace.env));
        if (m_options.native && (m_policy.key.empty() || kms)) {
            return usage_error("--native verifies key signatures only", "add --key cosign.pub, or drop --native");
        }
        if (m_native) {
            std::optional<std::string> pem = read_file_text(m_policy.key);
            if (!pem) {
                return usage_error(fmt::format("cannot read public key {}", m_policy.key),
                                   "give the cosign.pub that belongs to the signing key");
            }
            Result<sign::PublicKey> key = sign::PublicKey::from_pem(*pem, m_policy.key);
            if (!key) {
                return key.error();
            }
            m_key = std::move(*key);
        }
        if (!m_options.attestation_type.empty() && !sign::predicate_type_uri(m_options.attestation_type)) {
            return usage_error(fmt::format("unknown attestation type '{}'", m_options.attestation_type),
                               "use spdxjson, cyclonedx, slsaprovenance1, vuln, openvex, custom, or a predicate "
                               "type URI");
        }
        return {};
    }

    ImageVerification check(const Candidate& candidate) {
        ImageVerification result;
        result.reference = candidate.reference;
        if (!candidate.location.empty()) {
            result.locations.push_back(candidate.location);
        }
        Result<oci::ImageReference> reference = oci::parse_reference(candidate.reference);
        if (!reference) {
            return rejected(std::move(result), reference.error().message);
        }
        if (reference->digest) {
            oci::ImageReference pinned = *reference;
            pinned.tag.reset();
            if (auto cached = m_cache.find(pinned.string()); cached != m_cache.end()) {
                return from_cache(cached->second, std::move(result));
            }
        }
        if (!reference->digest) {
            if (!candidate.location.empty() && !m_options.allow_tags) {
                return rejected(std::move(result),
                                "not pinned by digest (a tag can move after verification; pin it, or --allow-tags)");
            }
            if (m_options.dry_run) {
                result.plan.push_back(fmt::format("HEAD manifest {}  # resolve the tag", reference->string()));
                reference->digest = "sha256:<digest>";
            } else {
                Result<std::optional<oci::ManifestHead>> head = m_session->client().head_manifest(*reference);
                if (!head) {
                    return unchecked(std::move(result), head.error().message);
                }
                if (!*head) {
                    return rejected(std::move(result), "the tag does not exist in the registry");
                }
                reference->digest = (*head)->digest;
            }
        }
        reference->tag.reset();
        result.digest = *reference->digest;
        result.image = reference->string();
        if (m_options.dry_run) {
            result.plan.push_back(m_native ? fmt::format("verify natively with {}: {}", m_policy.key, result.image)
                                           : fmt::format("cosign verify{} {}",
                                                         m_options.attestation_type.empty() ? "" : "-attestation",
                                                         result.image));
            return result;
        }
        if (auto cached = m_cache.find(result.image); cached != m_cache.end()) {
            return from_cache(cached->second, std::move(result));
        }
        if (m_options.progress.started) {
            m_options.progress.started(result.image);
        }
        ImageVerification checked =
            m_native ? check_native(*reference, std::move(result)) : check_with_cosign(*reference, std::move(result));
        if (m_options.progress.finished) {
            m_options.progress.finished(checked.image);
        }
        m_cache.emplace(checked.image, checked);
        return checked;
    }

private:
    // An earlier check of the same digest, reported for this reference and location.
    static ImageVerification from_cache(ImageVerification cached, ImageVerification result) {
        cached.reference = std::move(result.reference);
        cached.locations = std::move(result.locations);
        return cached;
    }

    static ImageVerification rejected(ImageVerification result, std::string reason) {
        result.status = VerifyStatus::rejected;
        result.reason = std::move(reason);
        return result;
    }

    static ImageVerification unchecked(ImageVerification result, std::string reason) {
        result.status = VerifyStatus::unchecked;
        result.reason = std::move(reason);
        return result;
    }

    ImageVerification check_native(const oci::ImageReference& image, ImageVerification result) {
        const std::string type =
            m_options.attestation_type.empty() ? "" : *sign::predicate_type_uri(m_options.attestation_type);
        Result<sign::NativeVerification> found =
            type.empty() ? sign::verify_signatures(m_session->client(), image, *m_key)
                         : sign::verify_attestations(m_session->client(), image, *m_key, type);
        if (!found) {
            return unchecked(std::move(result), found.error().message);
        }
        if (found->found == 0) {
            // Whether the image itself is missing is asked only when it matters: a request less per image.
            Result<std::optional<oci::ManifestHead>> head = m_session->client().head_manifest(image);
            if (!head) {
                return unchecked(std::move(result), head.error().message);
            }
            if (!*head) {
                return rejected(std::move(result), "no image with this digest exists in the registry");
            }
            return rejected(std::move(result),
                            type.empty() ? "no signature found" : "no " + type + " attestation found");
        }
        if (found->verified.empty()) {
            return rejected(std::move(result), fmt::format("none of the {} signature(s) verified with {}: {}",
                                                           found->found, m_policy.key, found->rejected.front()));
        }
        for (const sign::VerifiedSignature& signature : found->verified) {
            SignerInfo signer;
            signer.format = signature.format;
            signer.identity = "key " + m_key->fingerprint();
            result.signers.push_back(std::move(signer));
        }
        result.status = VerifyStatus::verified;
        return result;
    }

    ImageVerification check_with_cosign(const oci::ImageReference& image, ImageVerification result) {
        if (!proc::find_executable(m_options.cosign, m_workspace.env)) {
            return unchecked(std::move(result), m_policy.key.empty()
                                                    ? "cosign is not installed (keyless verification needs it)"
                                                    : "cosign is not installed (KMS keys need it)");
        }
        Result<const oci::PrivateAuthFile*> auth = m_session->auth_file({image});
        if (!auth) {
            return unchecked(std::move(result), auth.error().message);
        }
        tools::CosignVerifySpec spec;
        spec.reference = image.string();
        spec.key = m_policy.key;
        spec.certificate_identity = m_policy.identity;
        spec.certificate_identity_regexp = m_policy.identity_regexp;
        spec.certificate_oidc_issuer = m_policy.issuer;
        spec.attestation_type = m_options.attestation_type;
        spec.ignore_tlog = m_options.ignore_tlog;
        spec.registry.insecure = m_session->insecure();
        const config::ServiceConfig& service = m_workspace.config.services.front();
        if (!service.registry.ca_file.empty()) {
            const std::filesystem::path given(service.registry.ca_file);
            spec.registry.ca_file = (given.is_absolute() ? given : m_workspace.root / given).string();
        }
        spec.registry.environment = (*auth)->environment();
        tools::Cosign cosign(m_runner, m_options.cosign);
        const proc::OutputSink& progress = m_options.progress.output;
        Result<tools::CosignVerification> verified =
            cosign.verify(spec, [&](proc::Stream stream, std::string_view line) {
                if (stream == proc::Stream::err && progress) {
                    progress(stream, line);
                }
            });
        if (!verified) {
            return unchecked(std::move(result), verified.error().message);
        }
        const std::string reason = tools::describe_verify_outcome(verified->outcome) +
                                   (verified->detail.empty() ? "" : " (" + verified->detail + ")");
        switch (verified->outcome) {
            case tools::CosignVerifyOutcome::verified:
                break;
            case tools::CosignVerifyOutcome::failed:
                return unchecked(std::move(result), reason);
            default:
                return rejected(std::move(result), reason);
        }
        for (const tools::CosignSignature& signature : verified->signatures) {
            if (!signature.digest.empty() && signature.digest != *image.digest) {
                return rejected(std::move(result), fmt::format("cosign reported a signature for {}, not {}",
                                                               signature.digest, *image.digest));
            }
            SignerInfo signer{"cosign",
                              signature.identity,
                              signature.issuer,
                              signature.workflow,
                              signature.workflow_ref,
                              signature.repository,
                              signature.commit,
                              signature.integrated_time ? unix_time(*signature.integrated_time) : "",
                              signature.log_index};
            if (signer.identity.empty() && !m_policy.key.empty()) {
                signer.identity = "key " + m_policy.key;
            }
            result.signers.push_back(std::move(signer));
        }
        if (result.signers.empty()) {
            result.signers.push_back(SignerInfo{
                "cosign", m_policy.key.empty() ? m_policy.identity + m_policy.identity_regexp : "key " + m_policy.key,
                m_policy.issuer, "", "", "", "", "", std::nullopt});
        }
        result.status = VerifyStatus::verified;
        return result;
    }

    const Workspace& m_workspace;
    proc::Runner& m_runner;
    const VerifyOptions& m_options;
    VerifyPolicy m_policy;
    std::unique_ptr<RegistrySession> m_session;
    bool m_native = false;
    std::optional<sign::PublicKey> m_key;
    std::map<std::string, ImageVerification> m_cache;  // by repository@digest
};

}  // namespace

bool VerifyReport::verified() const {
    return std::all_of(images.begin(), images.end(),
                       [](const ImageVerification& image) { return image.status == VerifyStatus::verified; });
}

bool VerifyReport::only_unchecked_failures() const {
    const bool any_unchecked = std::any_of(images.begin(), images.end(), [](const ImageVerification& image) {
        return image.status == VerifyStatus::unchecked;
    });
    const bool any_rejected = std::any_of(images.begin(), images.end(), [](const ImageVerification& image) {
        return image.status == VerifyStatus::rejected;
    });
    return any_unchecked && !any_rejected;
}

Result<VerifyReport> run_verify(const Workspace& workspace, proc::Runner& runner, const VerifyOptions& options) {
    Result<VerifyPolicy> policy = resolve_verify_policy(workspace, options.policy);
    if (!policy) {
        return policy.error();
    }
    Result<std::vector<Candidate>> found = candidates(workspace, options);
    if (!found) {
        return found.error();
    }
    VerifyReport report;
    report.policy = *policy;
    Verifier verifier(workspace, runner, options, *policy);
    if (auto opened = verifier.open(); !opened) {
        return opened.error();
    }
    for (const Candidate& candidate : *found) {
        report.images.push_back(verifier.check(candidate));
    }
    return report;
}

}  // namespace pipeline::steps
