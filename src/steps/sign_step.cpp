#include <pipe/steps/sign_step.h>

#include <pipe/ci/source_context_builder.h>
#include <pipe/core/file_text.h>
#include <pipe/core/timestamp.h>
#include <pipe/oci/reference.h>
#include <pipe/proc/executable_search.h>
#include <pipe/sign/native_signatures.h>
#include <pipe/sign/provenance.h>
#include <pipe/state/build_record.h>
#include <pipe/state/push_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/recorded_state.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/steps/verify_policy.h>
#include <pipe/tools/containerfile.h>
#include <pipe/tools/cosign.h>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>

namespace pipeline::steps {
namespace {

constexpr const char* k_sign_section = "sign";
constexpr const char* k_scan_section = "scan";

// One image to sign and the service whose settings apply.
struct Target {
    const config::ServiceConfig* service;
    std::string reference;
    const nlohmann::json* scan = nullptr;   // the service's scan section, for --attest sbom
    const nlohmann::json* build = nullptr;  // the service's build section, for provenance
};

// How the signature is made.
enum class Engine { native, cosign_key, cosign_keyless };

bool is_kms_uri(std::string_view key) {
    return key.find("://") != std::string_view::npos;
}

std::string key_path(const Workspace& workspace, const std::string& key) {
    if (key.empty() || is_kms_uri(key) || std::filesystem::path(key).is_absolute()) {
        return key;
    }
    return (workspace.root / key).string();
}

Result<std::vector<Target>> targets(const Workspace& workspace, const SignOptions& options,
                                    const std::optional<state::State>& state) {
    std::vector<Target> found;
    if (!options.images.empty()) {
        for (const std::string& image : options.images) {
            found.push_back(Target{&workspace.config.services.front(), image});
        }
        return found;
    }
    for (const config::ServiceConfig& service : workspace.config.services) {
        Result<std::string> pinned = pushed_reference(workspace, state, service,
                                                      "run `pipe push` first (pipe signs the digest it pushed), or "
                                                      "name the image: pipe sign IMAGE@DIGEST");
        if (!pinned) {
            return pinned.error();
        }
        found.push_back(Target{&service, *pinned, state->section(service.name, k_scan_section),
                               state->section(service.name, state::k_build_section)});
    }
    return found;
}

// The cosign predicate type for the SBOM format `pipe scan --sbom` recorded.
std::string sbom_type(const std::string& format) {
    return format == "cyclonedx" ? "cyclonedx" : "spdxjson";
}

class Signer {
public:
    Signer(const Workspace& workspace, proc::Runner& runner, const SignOptions& options)
        : m_workspace(workspace), m_runner(runner), m_options(options) {}

    Result<SignedImage> sign(const Target& target) {
        const auto started = std::chrono::steady_clock::now();
        const config::ServiceConfig& service = *target.service;
        SignedImage result;
        result.service = service.name;
        Result<oci::ImageReference> reference = oci::parse_reference(target.reference);
        if (!reference) {
            return reference.error();
        }
        Result<std::unique_ptr<RegistrySession>> session =
            RegistrySession::open(m_workspace, service, m_runner, m_options.trace);
        if (!session) {
            return session.error();
        }
        m_session = std::move(*session);
        if (auto pinned = pin(*reference, result); !pinned) {
            return pinned.error();
        }
        const std::string key = key_path(m_workspace, m_options.key.empty() ? service.sign.key : m_options.key);
        Result<Engine> engine = choose_engine(key);
        if (!engine) {
            return engine.error();
        }
        const bool recursive = m_options.recursive.value_or(service.sign.recursive);
        const bool tlog = m_options.tlog_upload.value_or(service.sign.tlog_upload);
        Result<std::vector<std::string>> attest = attestations(service);
        if (!attest) {
            return attest.error();
        }
        result.method = method_name(*engine);
        if (m_options.dry_run) {
            return plan(*reference, key, *engine, recursive, tlog, *attest, std::move(result));
        }
        if (m_options.progress.started) {
            m_options.progress.started(service.name);
        }
        Result<void> done = *engine == Engine::native
                                ? sign_native(*reference, key, recursive, *attest, target, result)
                                : sign_with_cosign(*reference, key, *engine, recursive, tlog, *attest, target, result);
        if (m_options.progress.finished) {
            m_options.progress.finished(service.name);
        }
        if (!done) {
            return done.error();
        }
        result.duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        return result;
    }

    std::vector<std::string>& warnings() { return m_warnings; }

private:
    // Resolves a tag to its digest (signing by tag races with pushes) and says so.
    Result<void> pin(oci::ImageReference& reference, SignedImage& result) {
        if (!reference.digest && !m_options.dry_run) {
            Result<std::optional<oci::ManifestHead>> head = m_session->client().head_manifest(reference);
            if (!head) {
                return head.error();
            }
            if (!*head) {
                return usage_error(fmt::format("{} does not exist in the registry", reference.string()),
                                   "check the name and tag; pipe signs what a registry holds");
            }
            result.resolved_from = reference.string();
            reference.digest = (*head)->digest;
        }
        if (reference.digest) {
            reference.tag.reset();
            result.digest = *reference.digest;
        }
        result.image = reference.string();
        return {};
    }

    Result<Engine> choose_engine(const std::string& key) {
        const bool has_cosign = proc::find_executable(m_options.cosign, m_workspace.env).has_value();
        if (!key.empty()) {
            if (is_kms_uri(key)) {
                if (m_options.native) {
                    return usage_error(fmt::format("--native signs with key files only, not {}", key),
                                       "drop --native to sign with the KMS key through cosign");
                }
                if (!has_cosign) {
                    return runtime_error(fmt::format("signing with {} needs cosign, which is not installed", key),
                                         "install cosign (https://docs.sigstore.dev/cosign/system_config/installation/)"
                                         " or sign with a key file");
                }
                return Engine::cosign_key;
            }
            std::error_code ec;
            if (!std::filesystem::is_regular_file(key, ec)) {
                return usage_error(fmt::format("key file {} does not exist", key),
                                   "create one with `pipe sign --generate-key`, or sign keyless without --key");
            }
            return m_options.native || !has_cosign ? Engine::native : Engine::cosign_key;
        }
        if (m_options.native) {
            return usage_error("--native needs a key: pipe signs natively with key files only",
                               "add --key cosign.key (create one with `pipe sign --generate-key`)");
        }
        if (!has_cosign) {
            return runtime_error("keyless signing needs cosign, which is not installed",
                                 "install cosign (https://docs.sigstore.dev/cosign/system_config/installation/), or "
                                 "sign with a key file: pipe sign --key cosign.key");
        }
        const bool ambient = ci::oidc_token_available(m_workspace.env);
        if (m_options.ambient == AmbientToken::require && !ambient) {
            return usage_error("--require-ambient: no GitHub Actions OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN)",
                               "give the job `permissions: id-token: write`");
        }
        if (!(ambient && m_options.ambient != AmbientToken::refuse) && ci::in_github_actions(m_workspace.env)) {
            return usage_error("keyless signing in GitHub Actions without the OIDC token would wait for a person",
                               "give the job `permissions: id-token: write`, or sign with --key");
        }
        m_ambient = ambient && m_options.ambient != AmbientToken::refuse;
        return Engine::cosign_keyless;
    }

    std::string method_name(Engine engine) const {
        switch (engine) {
            case Engine::native:
                return "native key";
            case Engine::cosign_key:
                return "cosign key";
            case Engine::cosign_keyless:
                break;
        }
        return m_ambient ? "cosign keyless (GitHub Actions OIDC)" : "cosign keyless (interactive login)";
    }

    Result<std::vector<std::string>> attestations(const config::ServiceConfig& service) const {
        std::vector<std::string> kinds = m_options.attest;
        if (kinds.empty() && !service.sign.attest.empty()) {
            std::string_view list = service.sign.attest;
            while (!list.empty()) {
                const std::size_t comma = std::min(list.find(','), list.size());
                std::string item(list.substr(0, comma));
                item.erase(0, item.find_first_not_of(' '));
                item.erase(item.find_last_not_of(' ') + 1);
                if (!item.empty()) {
                    kinds.push_back(item);
                }
                list.remove_prefix(std::min(comma + 1, list.size()));
            }
        }
        for (const std::string& kind : kinds) {
            if (kind != "sbom" && kind != "provenance") {
                return located_error(m_options.attest.empty() ? service.origin_of("sign.attest") : "--attest",
                                     fmt::format("unknown attestation '{}'", kind),
                                     "pipe attests `sbom` (from pipe scan --sbom) and `provenance` (SLSA v1)");
            }
        }
        return kinds;
    }

    // The SBOM file and its cosign type from the scan section; a usage error without one.
    Result<std::pair<std::string, std::string>> sbom_of(const Target& target, const std::string& digest) const {
        if (target.scan == nullptr || target.scan->value("sbom", "").empty()) {
            return usage_error(fmt::format("--attest sbom: no SBOM recorded for service '{}'", target.service->name),
                               "run `pipe scan --sbom sbom.spdx.json` first");
        }
        if (target.scan->value("digest", "") != digest) {
            return usage_error(fmt::format("--attest sbom: the recorded SBOM describes {}, not {}",
                                           target.scan->value("digest", "another image"), digest),
                               "run `pipe scan --sbom FILE` on the image being signed");
        }
        return std::pair{target.scan->value("sbom", ""), sbom_type(target.scan->value("sbom_format", "spdx-json"))};
    }

    // Base images the pushed image was built from: buildah's base annotations on the manifest,
    // else the Containerfile's FROM lines resolved through the registry now.
    std::vector<std::pair<std::string, std::string>> base_images(const oci::ImageReference& image,
                                                                 const config::ServiceConfig& service) {
        std::vector<std::pair<std::string, std::string>> found;
        Result<oci::Manifest> manifest = m_session->client().get_manifest(image);
        if (manifest) {
            auto name = manifest->annotations.find("org.opencontainers.image.base.name");
            auto digest = manifest->annotations.find("org.opencontainers.image.base.digest");
            if (name != manifest->annotations.end() && digest != manifest->annotations.end() && !name->second.empty()) {
                found.emplace_back(name->second, digest->second);
                return found;
            }
        }
        std::filesystem::path containerfile = m_workspace.root / service.context / service.file;
        if (service.file.empty()) {
            for (const char* candidate : {"Containerfile", "Dockerfile"}) {
                containerfile = m_workspace.root / service.context / candidate;
                if (std::filesystem::exists(containerfile)) {
                    break;
                }
            }
        }
        for (const tools::BaseImage& base :
             tools::base_images(read_file_text(containerfile).value_or(""), service.build.args)) {
            Result<oci::ImageReference> reference = oci::parse_reference(base.reference);
            if (!reference) {
                continue;
            }
            Result<std::optional<oci::ManifestHead>> head = m_session->client().head_manifest(*reference);
            if (head && *head) {
                found.emplace_back(reference->string(), (*head)->digest);
            } else {
                m_warnings.push_back(fmt::format("provenance: could not resolve base image {}", base.reference));
            }
        }
        return found;
    }

    nlohmann::json provenance(const oci::ImageReference& image, const Target& target) {
        const Environment& env = m_workspace.env;
        const config::ServiceConfig& service = *target.service;
        sign::ProvenanceFacts facts;
        const std::string server = value_or(env, "GITHUB_SERVER_URL", "https://github.com");
        if (ci::in_github_actions(env)) {
            const std::string workflow_ref = value_or(env, "GITHUB_WORKFLOW_REF", "");
            facts.builder_id = workflow_ref.empty() ? server + "/actions/runner" : server + "/" + workflow_ref;
            const std::string repository = value_or(env, "GITHUB_REPOSITORY", "");
            facts.source_repository = server + "/" + repository;
            const std::size_t at = workflow_ref.find('@');
            const std::size_t path = workflow_ref.find("/.github/");
            if (path != std::string::npos) {
                facts.workflow_path = workflow_ref.substr(path + 1, at == std::string::npos ? at : at - path - 1);
            }
            facts.run_url = fmt::format("{}/{}/actions/runs/{}/attempts/{}", server, repository,
                                        value_or(env, "GITHUB_RUN_ID", "0"), value_or(env, "GITHUB_RUN_ATTEMPT", "1"));
            facts.invocation_id = facts.run_url;
        } else {
            std::array<char, 256> host{};
            ::gethostname(host.data(), host.size() - 1);
            facts.builder_id = fmt::format("pipe://{}", host.data());
            facts.invocation_id =
                fmt::format("pipe://{}/{}", host.data(), rfc3339_utc(std::chrono::system_clock::now()));
            if (m_workspace.git) {
                facts.source_repository = m_workspace.git->remote_url.empty()
                                              ? "file://" + m_workspace.root.string()
                                              : sign::repository_url(m_workspace.git->remote_url);
            }
        }
        if (m_workspace.git) {
            facts.source_commit = m_workspace.git->sha;
            facts.source_ref = value_or(env, "GITHUB_REF", m_workspace.git->ref);
        }
        facts.parameters = nlohmann::json{{"service", service.name},
                                          {"context", service.context},
                                          {"containerfile", service.file.empty() ? "(detected)" : service.file},
                                          {"target", service.build.target},
                                          {"platforms", service.build.platforms},
                                          {"build_args", service.build.args}};
        facts.build_command = {"pipe", "build", "--service", service.name};
        if (target.build != nullptr) {
            facts.started_on = target.build->value("started_at", "");
            facts.finished_on = target.build->value("finished_at", "");
        }
        facts.base_images = base_images(image, service);
        facts.pipe_version = PIPE_VERSION;
        return sign::slsa_provenance_predicate(facts);
    }

    Result<void> sign_native(const oci::ImageReference& image, const std::string& key_file, bool recursive,
                             const std::vector<std::string>& attest, const Target& target, SignedImage& result) {
        Result<sign::PrivateKey> key = load_key(key_file);
        if (!key) {
            return key.error();
        }
        std::vector<oci::ImageReference> subjects{image};
        if (recursive) {
            Result<oci::Manifest> manifest = m_session->client().get_manifest(image);
            if (!manifest) {
                return manifest.error();
            }
            for (const oci::Descriptor& child : manifest->manifests) {
                oci::ImageReference entry = image;
                entry.digest = child.digest;
                subjects.push_back(std::move(entry));
            }
        }
        for (const oci::ImageReference& subject : subjects) {
            Result<sign::Appended> appended =
                sign::sign_image(m_session->client(), subject, *key, m_options.annotations);
            if (!appended) {
                return appended.error();
            }
            result.signed_digests.push_back(*subject.digest);
            if (subject == image) {
                result.stored_at = appended->reference;
                result.signatures = appended->layers;
                result.already_signed = appended->already;
            }
        }
        for (const std::string& kind : attest) {
            std::string type;
            nlohmann::json predicate;
            if (kind == "sbom") {
                Result<std::pair<std::string, std::string>> sbom = sbom_of(target, *image.digest);
                if (!sbom) {
                    return sbom.error();
                }
                std::optional<std::string> text = read_file_text(sbom->first);
                predicate = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
                if (predicate.is_discarded() || predicate.is_null()) {
                    return runtime_error(fmt::format("--attest sbom: {} is not a readable JSON SBOM", sbom->first),
                                         "run `pipe scan --sbom FILE` again");
                }
                type = *sign::predicate_type_uri(sbom->second);
            } else {
                predicate = provenance(image, target);
                type = std::string(sign::k_slsa_provenance_v1);
            }
            Result<sign::Appended> attested = sign::attest_image(m_session->client(), image, *key, type, predicate);
            if (!attested) {
                return attested.error();
            }
            result.attestations.push_back(type);
        }
        Result<sign::PublicKey> public_key = sign::PublicKey::from_pem(key->public_pem(), key_file);
        if (!public_key) {
            return public_key.error();
        }
        Result<sign::NativeVerification> check = sign::verify_signatures(m_session->client(), image, *public_key);
        if (!check) {
            return check.error();
        }
        if (check->verified.empty()) {
            return runtime_error(fmt::format("the signature just stored for {} does not verify", image.string()),
                                 "the registry may have altered it; inspect " + result.stored_at);
        }
        result.self_verified = true;
        const std::filesystem::path public_file = std::filesystem::path(key_file).replace_extension(".pub");
        result.verify_command = verify_command_line(
            VerifyPolicy{std::filesystem::exists(public_file) ? public_file.string() : "cosign.pub", "", "", "", ""},
            image.string(), true);
        return {};
    }

    tools::CosignRegistry cosign_registry(const oci::ImageReference& image, const config::ServiceConfig& service,
                                          Result<void>& status) {
        tools::CosignRegistry registry;
        registry.insecure = m_session->insecure();
        if (!service.registry.ca_file.empty()) {
            const std::filesystem::path given(service.registry.ca_file);
            registry.ca_file = (given.is_absolute() ? given : m_workspace.root / given).string();
        }
        Result<const oci::PrivateAuthFile*> auth = m_session->auth_file({image});
        if (!auth) {
            status = auth.error();
            return registry;
        }
        registry.environment = (*auth)->environment();
        return registry;
    }

    Result<void> sign_with_cosign(const oci::ImageReference& image, const std::string& key, Engine engine,
                                  bool recursive, bool tlog, const std::vector<std::string>& attest,
                                  const Target& target, SignedImage& result) {
        Result<void> status;
        tools::CosignRegistry registry = cosign_registry(image, *target.service, status);
        if (!status) {
            return status;
        }
        tools::Cosign cosign(m_runner, m_options.cosign);
        const tools::CosignIdentityMode identity = engine == Engine::cosign_key ? tools::CosignIdentityMode::key
                                                   : m_ambient                  ? tools::CosignIdentityMode::ambient
                                                               : tools::CosignIdentityMode::interactive;
        tools::CosignSignSpec spec;
        spec.reference = image.string();
        spec.key = key;
        spec.password = m_options.password;
        spec.annotations.assign(m_options.annotations.begin(), m_options.annotations.end());
        spec.recursive = recursive;
        spec.tlog_upload = tlog;
        spec.identity = identity;
        spec.registry = registry;
        if (auto signed_ok = cosign.sign(spec, m_options.progress.output); !signed_ok) {
            return signed_ok;
        }
        result.signed_digests.push_back(*image.digest);
        ScratchDirectory scratch;
        for (const std::string& kind : attest) {
            tools::CosignAttestSpec attest_spec{spec.reference, key,     m_options.password, "", "", tlog,
                                                identity,       registry};
            if (kind == "sbom") {
                Result<std::pair<std::string, std::string>> sbom = sbom_of(target, *image.digest);
                if (!sbom) {
                    return sbom.error();
                }
                attest_spec.predicate = sbom->first;
                attest_spec.type = sbom->second;
            } else {
                Result<std::filesystem::path> directory = scratch.create("provenance");
                if (!directory) {
                    return directory.error();
                }
                const std::filesystem::path file = *directory / "provenance.json";
                std::ofstream(file) << provenance(image, target).dump(2);
                attest_spec.predicate = file.string();
                attest_spec.type = "slsaprovenance1";
            }
            if (auto attested = cosign.attest(attest_spec, m_options.progress.output); !attested) {
                return attested;
            }
            result.attestations.push_back(*sign::predicate_type_uri(attest_spec.type));
        }
        return self_verify(cosign, image, key, tlog, registry, scratch, result);
    }

    // Verifies the signature cosign just made, with the policy deployers will use.
    Result<void> self_verify(tools::Cosign& cosign, const oci::ImageReference& image, const std::string& key, bool tlog,
                             const tools::CosignRegistry& registry, ScratchDirectory& scratch, SignedImage& result) {
        tools::CosignVerifySpec verify;
        verify.reference = image.string();
        verify.ignore_tlog = !tlog;
        verify.registry = registry;
        VerifyPolicy policy;
        if (!key.empty()) {
            verify.key = key;
            if (!is_kms_uri(key)) {
                Result<sign::PrivateKey> private_key = load_key(key);
                if (!private_key) {
                    return private_key.error();
                }
                Result<std::filesystem::path> directory = scratch.create("verify");
                if (!directory) {
                    return directory.error();
                }
                verify.key = (*directory / "cosign.pub").string();
                std::ofstream(verify.key) << private_key->public_pem();
            }
            const std::filesystem::path public_file = std::filesystem::path(key).replace_extension(".pub");
            policy.key =
                is_kms_uri(key) ? key : (std::filesystem::exists(public_file) ? public_file.string() : "cosign.pub");
        } else {
            Result<VerifyPolicy> resolved = resolve_verify_policy(m_workspace, VerifyPolicy{});
            if (!resolved) {
                m_warnings.push_back(
                    fmt::format("{} was signed but not verified here: {}", image.string(), resolved.error().message));
                result.verify_command = verify_command_line(
                    VerifyPolicy{"", "YOU@example.com", "", "https://accounts.google.com", ""}, image.string(), !tlog);
                return {};
            }
            policy = *resolved;
            verify.certificate_identity = policy.identity;
            verify.certificate_identity_regexp = policy.identity_regexp;
            verify.certificate_oidc_issuer = policy.issuer;
        }
        // cosign's JSON on stdout is parsed, not shown; its stderr explains what it checked.
        const proc::OutputSink& progress = m_options.progress.output;
        Result<tools::CosignVerification> checked =
            cosign.verify(verify, [&](proc::Stream stream, std::string_view line) {
                if (stream == proc::Stream::err && progress) {
                    progress(stream, line);
                }
            });
        if (!checked) {
            return checked.error();
        }
        if (checked->outcome != tools::CosignVerifyOutcome::verified) {
            return runtime_error(fmt::format("{} was signed, but verifying that signature failed: {}{}", image.string(),
                                             tools::describe_verify_outcome(checked->outcome),
                                             checked->detail.empty() ? "" : " (" + checked->detail + ")"),
                                 "check the identity the signature carries with `cosign verify`");
        }
        result.self_verified = true;
        result.verify_command = verify_command_line(policy, image.string(), !tlog);
        return {};
    }

    Result<sign::PrivateKey> load_key(const std::string& key_file) const {
        std::optional<std::string> pem = read_file_text(key_file);
        if (!pem) {
            return usage_error(fmt::format("cannot read key file {}", key_file));
        }
        return sign::PrivateKey::from_pem(*pem, m_options.password, key_file);
    }

    Result<SignedImage> plan(const oci::ImageReference& image, const std::string& key, Engine engine, bool recursive,
                             bool tlog, const std::vector<std::string>& attest, SignedImage result) {
        if (!image.digest) {
            result.plan.push_back(fmt::format("HEAD manifest {}  # resolve the tag to its digest", image.string()));
        }
        const std::string subject = image.digest ? image.string() : image.name() + "@<digest>";
        if (engine == Engine::native) {
            const std::string tag = image.name() + ":" +
                                    (image.digest ? sign::attachment_tag(*image.digest, sign::Attachment::signature)
                                                  : std::string("sha256-<hex>.sig"));
            result.plan.push_back(fmt::format("sign natively with {}: simple-signing payload for {}", key, subject));
            result.plan.push_back(
                fmt::format("GET {}, upload payload and config blobs, PUT {} (signatures kept)", tag, tag));
            for (const std::string& kind : attest) {
                result.plan.push_back(fmt::format("attest {} as a DSSE envelope in {}.att", kind, image.name()));
            }
            result.plan.push_back(fmt::format("verify the new signature of {}", subject));
            return result;
        }
        tools::Cosign cosign(m_runner, m_options.cosign);
        tools::CosignSignSpec spec;
        spec.reference = image.digest ? image.string() : image.name() + "@sha256:" + std::string(64, '0');
        spec.key = key;
        spec.password = m_options.password;
        spec.annotations.assign(m_options.annotations.begin(), m_options.annotations.end());
        spec.recursive = recursive;
        spec.tlog_upload = tlog;
        spec.identity = engine == Engine::cosign_key ? tools::CosignIdentityMode::key
                        : m_ambient                  ? tools::CosignIdentityMode::ambient
                                                     : tools::CosignIdentityMode::interactive;
        spec.registry.insecure = m_session->insecure();
        Result<proc::Command> command = cosign.sign_command(spec);
        if (!command) {
            return command.error();
        }
        result.plan.push_back(proc::describe(*command));
        for (const std::string& kind : attest) {
            result.plan.push_back(fmt::format("cosign attest --type {} ... {}",
                                              kind == "sbom" ? "spdxjson|cyclonedx" : "slsaprovenance1", subject));
        }
        result.plan.push_back(fmt::format("cosign verify ... {}", subject));
        return result;
    }

    const Workspace& m_workspace;
    proc::Runner& m_runner;
    const SignOptions& m_options;
    std::unique_ptr<RegistrySession> m_session;
    bool m_ambient = false;
    std::vector<std::string> m_warnings;
};

nlohmann::json state_section(const SignedImage& image) {
    return nlohmann::json{{"image", image.image},
                          {"digest", image.digest},
                          {"method", image.method},
                          {"signed_digests", image.signed_digests},
                          {"attestations", image.attestations},
                          {"stored_at", image.stored_at},
                          {"verify_command", image.verify_command},
                          {"signed_at", rfc3339_utc(std::chrono::system_clock::now())}};
}

}  // namespace

Result<SignReport> run_sign(const Workspace& workspace, proc::Runner& runner, const SignOptions& options) {
    if (workspace.config.services.empty()) {
        return usage_error("no service selected", "check --service and pipe.yaml");
    }
    std::optional<state::State> state;
    std::optional<state::TreeIdentity> tree;
    if (options.images.empty()) {
        Result<RecordedState> recorded = recorded_state(workspace, "pipe sign");
        if (!recorded) {
            return recorded.error();
        }
        tree = recorded->tree;
        state = std::move(recorded->state);
    }
    Result<std::vector<Target>> found = targets(workspace, options, state);
    if (!found) {
        return found.error();
    }
    SignReport report;
    Signer signer(workspace, runner, options);
    for (const Target& target : *found) {
        Result<SignedImage> signed_image = signer.sign(target);
        if (!signed_image) {
            return signed_image.error();
        }
        report.images.push_back(std::move(*signed_image));
    }
    report.warnings = std::move(signer.warnings());
    if (options.dry_run || !tree) {
        return report;
    }
    Result<state::State> updated = state::state_for_update(workspace.root, *tree);
    if (!updated) {
        return updated.error();
    }
    for (const SignedImage& image : report.images) {
        updated->set_section(image.service, k_sign_section, state_section(image));
    }
    if (auto written = state::write_state(workspace.root, *updated); !written) {
        return written.error();
    }
    report.state_file = state::state_path(workspace.root);
    return report;
}

}  // namespace pipeline::steps
