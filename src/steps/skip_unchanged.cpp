#include <pipe/core/file_text.h>
#include <pipe/steps/skip_unchanged.h>

#include <pipe/oci/reference.h>
#include <pipe/steps/build_inputs.h>
#include <pipe/steps/registry_session.h>
#include <pipe/tools/containerfile.h>

#include <fmt/format.h>

namespace pipeline::steps {
namespace {

constexpr std::size_t k_max_config_bytes = 4U << 20U;

// The inputs label of the image at reference (for an index, of its first entry) and the id
// pipe records for it; nullopt when the reference does not exist.
Result<std::optional<std::pair<std::string, std::string>>> inputs_label(oci::RegistryClient& client,
                                                                        const oci::ImageReference& reference,
                                                                        std::string& manifest_digest) {
    Result<std::optional<oci::ManifestHead>> head = client.head_manifest(reference);
    if (!head) {
        return head.error();
    }
    if (!*head) {
        return std::optional<std::pair<std::string, std::string>>();
    }
    manifest_digest = (*head)->digest;
    oci::ImageReference pinned = reference;
    pinned.tag.reset();
    pinned.digest = manifest_digest;
    Result<oci::Manifest> manifest = client.get_manifest(pinned);
    if (!manifest) {
        return manifest.error();
    }
    std::string image_id;
    if (manifest->is_index()) {
        image_id = manifest->digest;
        if (manifest->manifests.empty()) {
            return std::optional<std::pair<std::string, std::string>>(std::pair{"", image_id});
        }
        pinned.digest = manifest->manifests.front().digest;
        manifest = client.get_manifest(pinned);
        if (!manifest) {
            return manifest.error();
        }
    }
    if (manifest->blobs.empty()) {
        return std::optional<std::pair<std::string, std::string>>(std::pair{"", image_id});
    }
    const std::string config_digest = manifest->blobs.front().digest;
    if (image_id.empty()) {
        image_id = config_digest;
    }
    Result<std::string> config = client.get_blob(pinned, config_digest, k_max_config_bytes);
    if (!config) {
        return config.error();
    }
    Result<std::vector<std::pair<std::string, std::string>>> labels =
        oci::parse_config_labels(*config, reference.name());
    if (!labels) {
        return labels.error();
    }
    for (const auto& [key, value] : *labels) {
        if (key == k_inputs_label) {
            return std::optional<std::pair<std::string, std::string>>(std::pair{value, image_id});
        }
    }
    return std::optional<std::pair<std::string, std::string>>(std::pair{"", image_id});
}

}  // namespace

Result<UnchangedCheck> check_unchanged(const Workspace& workspace, const config::ServiceConfig& service,
                                       const tools::BuildSpec& spec, proc::Runner& runner,
                                       const std::function<void(std::string_view)>& trace) {
    UnchangedCheck check;
    Result<std::unique_ptr<RegistrySession>> session = RegistrySession::open(workspace, service, runner, trace);
    if (!session) {
        return session.error();
    }
    oci::RegistryClient& client = (*session)->client();
    auto cannot_check = [&](const Error& error) -> Result<UnchangedCheck> {
        if (error.kind == ErrorKind::interrupted) {
            return error;
        }
        check.inputs_digest.clear();
        check.reused.clear();
        check.warnings.push_back(
            fmt::format("{}: --skip-unchanged could not check ({}); building", service.name, describe(error)));
        return check;
    };

    const std::filesystem::path containerfile = workspace.root / spec.containerfile;
    BuildInputsRequest request;
    request.context = (workspace.root / spec.context).lexically_normal();
    request.containerfile = containerfile;
    request.build_args = spec.build_args;
    request.target = spec.target;
    request.platforms = spec.platforms;
    request.labels = service.labels;
    request.annotations = spec.annotations;
    for (const tools::BaseImage& base :
         tools::base_images(read_file_text(containerfile).value_or(""), spec.build_args)) {
        Result<oci::ImageReference> reference = oci::parse_reference(base.reference);
        if (!reference) {
            return cannot_check(runtime_error(fmt::format("{}:{}: base image '{}' is not a registry reference",
                                                          spec.containerfile.string(), base.line, base.reference)));
        }
        std::string digest = reference->digest.value_or("");
        if (digest.empty()) {
            Result<std::optional<oci::ManifestHead>> head = client.head_manifest(*reference);
            if (!head) {
                return cannot_check(head.error());
            }
            if (!*head) {
                return cannot_check(runtime_error(fmt::format("base image {} does not exist", reference->string())));
            }
            digest = (*head)->digest;
        }
        request.base_images.push_back(reference->name() + "@" + digest + " " + base.platform);
    }
    Result<BuildInputs> inputs = hash_build_inputs(request);
    if (!inputs) {
        return inputs.error();
    }
    check.inputs_digest = inputs->digest;
    check.files = inputs->files;

    std::map<std::string, std::vector<oci::ImageReference>> repositories;
    std::vector<std::string> order;
    for (const std::string& text : spec.references) {
        Result<oci::ImageReference> reference = oci::parse_reference(text);
        if (!reference) {
            return reference.error();
        }
        if (repositories.count(reference->name()) == 0) {
            order.push_back(reference->name());
        }
        repositories[reference->name()].push_back(std::move(*reference));
    }
    for (const std::string& repository : order) {
        bool found = false;
        for (const oci::ImageReference& reference : repositories[repository]) {
            std::string manifest_digest;
            auto label = inputs_label(client, reference, manifest_digest);
            if (!label) {
                return cannot_check(label.error());
            }
            if (*label && (*label)->first == check.inputs_digest) {
                check.reused[repository] = manifest_digest;
                if (check.image_id.empty()) {
                    check.image_id = (*label)->second;
                    check.found_at = reference.string();
                }
                found = true;
                break;
            }
        }
        if (!found) {
            check.reused.clear();
            check.image_id.clear();
            check.found_at.clear();
            return check;
        }
    }
    return check;
}

}  // namespace pipeline::steps
