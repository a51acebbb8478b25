#include <pipe/sign/signature_store.h>

#include <pipe/oci/digest.h>
#include <pipe/oci/media_types.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace pipeline::sign {
namespace {

constexpr std::size_t k_max_attachment_bytes = 8U << 20U;
constexpr int k_append_attempts = 8;
constexpr std::chrono::milliseconds k_settle{250};
constexpr std::string_view k_oci_config = "application/vnd.oci.image.config.v1+json";

std::string hex_of(std::string_view digest) {
    const std::size_t colon = digest.find(':');
    return std::string(colon == std::string_view::npos ? digest : digest.substr(colon + 1));
}

oci::ImageReference tagged(const oci::ImageReference& image, const std::string& tag) {
    oci::ImageReference reference = image;
    reference.digest.reset();
    reference.tag = tag;
    return reference;
}

oci::ImageReference pinned(const oci::ImageReference& image, const std::string& digest) {
    oci::ImageReference reference = image;
    reference.tag.reset();
    reference.digest = digest;
    return reference;
}

nlohmann::json descriptor_json(const oci::Descriptor& descriptor) {
    nlohmann::json doc{{"mediaType", descriptor.media_type}, {"size", descriptor.size}, {"digest", descriptor.digest}};
    if (!descriptor.annotations.empty()) {
        doc["annotations"] = descriptor.annotations;
    }
    return doc;
}

// cosign's signature image config: an empty image whose rootfs lists the layers.
std::string config_for(const std::vector<oci::Descriptor>& layers) {
    nlohmann::json diff_ids = nlohmann::json::array();
    nlohmann::json history = nlohmann::json::array();
    for (const oci::Descriptor& layer : layers) {
        diff_ids.push_back(layer.digest);
        history.push_back({{"created", "0001-01-01T00:00:00Z"}});
    }
    return nlohmann::json{{"architecture", ""},
                          {"config", nlohmann::json::object()},
                          {"created", "0001-01-01T00:00:00Z"},
                          {"history", history},
                          {"os", ""},
                          {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
        .dump();
}

// The attachment manifest under tag, or nullopt when the tag does not exist.
Result<std::optional<oci::Manifest>> current_attachment(oci::RegistryClient& client, const oci::ImageReference& at) {
    Result<std::optional<oci::ManifestHead>> head = client.head_manifest(at);
    if (!head) {
        return head.error();
    }
    if (!*head) {
        return std::optional<oci::Manifest>();
    }
    Result<oci::Manifest> manifest = client.get_manifest(pinned(at, (*head)->digest));
    if (!manifest) {
        return manifest.error();
    }
    if (manifest->is_index()) {
        return runtime_error(fmt::format("{} is an index, not a cosign attachment manifest", at.string()),
                             "something other than cosign wrote that tag; remove it or sign into another repository");
    }
    return std::optional<oci::Manifest>(std::move(*manifest));
}

bool same_layer(const oci::Descriptor& stored, const std::string& digest,
                const std::map<std::string, std::string>& annotations) {
    return stored.digest == digest && stored.annotations == annotations;
}

void pause_before_retry(int attempt) {
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(0, 100 * (attempt + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + jitter(random)));
}

}  // namespace

std::string attachment_tag(std::string_view digest, Attachment kind) {
    return fmt::format("sha256-{}.{}", hex_of(digest), kind == Attachment::signature ? "sig" : "att");
}

std::string referrers_fallback_tag(std::string_view digest) {
    return "sha256-" + hex_of(digest);
}

Result<std::vector<StoredLayer>> read_attachment(oci::RegistryClient& client, const oci::ImageReference& image,
                                                 Attachment kind) {
    const oci::ImageReference at = tagged(image, attachment_tag(image.digest.value_or(""), kind));
    Result<std::optional<oci::Manifest>> manifest = current_attachment(client, at);
    if (!manifest) {
        return manifest.error();
    }
    std::vector<StoredLayer> layers;
    if (!*manifest) {
        return layers;
    }
    const std::vector<oci::Descriptor>& blobs = (*manifest)->blobs;
    for (auto layer = std::next(blobs.begin()); layer != blobs.end(); ++layer) {
        Result<std::string> content = client.get_blob(at, layer->digest, k_max_attachment_bytes);
        if (!content) {
            return content.error();
        }
        layers.push_back(StoredLayer{layer->media_type, layer->digest, std::move(*content), layer->annotations});
    }
    return layers;
}

Result<Appended> append_attachment(oci::RegistryClient& client, const oci::ImageReference& image, Attachment kind,
                                   const StoredLayer& layer) {
    const oci::ImageReference at = tagged(image, attachment_tag(image.digest.value_or(""), kind));
    Result<std::string> blob = client.put_blob(at, layer.content);
    if (!blob) {
        return blob.error();
    }
    for (int attempt = 0; attempt < k_append_attempts; ++attempt) {
        const auto read_at = std::chrono::steady_clock::now();
        Result<std::optional<oci::Manifest>> current = current_attachment(client, at);
        if (!current) {
            return current.error();
        }
        std::vector<oci::Descriptor> layers;
        if (*current) {
            layers.assign(std::next((*current)->blobs.begin()), (*current)->blobs.end());
        }
        if (std::any_of(layers.begin(), layers.end(),
                        [&](const oci::Descriptor& d) { return same_layer(d, *blob, layer.annotations); })) {
            return Appended{at.string(), (*current)->digest, layers.size(), true};
        }
        layers.push_back(oci::Descriptor{layer.media_type, *blob, static_cast<std::int64_t>(layer.content.size()), "",
                                         "", layer.annotations});
        const std::string config = config_for(layers);
        Result<std::string> config_digest = client.put_blob(at, config);
        if (!config_digest) {
            return config_digest.error();
        }
        nlohmann::json layer_list = nlohmann::json::array();
        for (const oci::Descriptor& descriptor : layers) {
            layer_list.push_back(descriptor_json(descriptor));
        }
        const nlohmann::json doc{
            {"schemaVersion", 2},
            {"mediaType", oci::k_oci_manifest},
            {"config", {{"mediaType", k_oci_config}, {"size", config.size()}, {"digest", *config_digest}}},
            {"layers", layer_list}};
        Result<oci::Manifest> manifest = oci::parse_manifest(doc.dump(), oci::k_oci_manifest, at.string());
        if (!manifest) {
            return manifest.error();
        }
        // The tag may have moved while this signature was prepared: start over from what is there.
        Result<std::optional<oci::ManifestHead>> head = client.head_manifest(at);
        if (!head) {
            return head.error();
        }
        const std::string before = *current ? (*current)->digest : std::string();
        if ((*head ? (*head)->digest : std::string()) != before) {
            pause_before_retry(attempt);
            continue;
        }
        if (Result<std::string> put = client.put_manifest(at, *manifest); !put) {
            // docker-registry answers 400 DIGEST_INVALID or MANIFEST_BLOB_UNKNOWN when another
            // signer's upload of a blob this manifest names is still being committed: a lost
            // race like a moved tag, so start over from what is there.
            const bool racing = put.error().message.find("DIGEST_INVALID") != std::string::npos ||
                                put.error().message.find("BLOB_UNKNOWN") != std::string::npos;
            if (!racing || attempt + 1 == k_append_attempts) {
                return put.error();
            }
            pause_before_retry(attempt);
            continue;
        }
        // Registries have no compare-and-swap: a signer that read the tag before this PUT may still
        // replace it. Such a writer PUTs within about its own read-to-PUT time, so after waiting a
        // few times that long (at least k_settle), a manifest still holding the layer keeps it.
        const auto took = std::chrono::steady_clock::now() - read_at;
        std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(k_settle, 3 * took));
        Result<std::optional<oci::Manifest>> after = current_attachment(client, at);
        if (!after) {
            return after.error();
        }
        if (*after && std::any_of(std::next((*after)->blobs.begin()), (*after)->blobs.end(),
                                  [&](const oci::Descriptor& d) { return same_layer(d, *blob, layer.annotations); })) {
            return Appended{at.string(), (*after)->digest, (*after)->blobs.size() - 1, false};
        }
        pause_before_retry(attempt);
    }
    return runtime_error(fmt::format("{}: another signer kept replacing the tag; gave up after {} attempts",
                                     at.string(), k_append_attempts),
                         "run the signing again once the other pipeline finished");
}

Result<std::vector<std::string>> read_bundles(oci::RegistryClient& client, const oci::ImageReference& image) {
    const std::string digest = image.digest.value_or("");
    Result<std::optional<std::vector<oci::Descriptor>>> listed =
        client.referrers(image, digest, k_sigstore_bundle_v03_media_type);
    if (!listed) {
        return listed.error();
    }
    std::vector<oci::Descriptor> entries;
    if (*listed) {
        entries = std::move(**listed);
    } else {
        const oci::ImageReference fallback = tagged(image, referrers_fallback_tag(digest));
        Result<std::optional<oci::ManifestHead>> head = client.head_manifest(fallback);
        if (!head) {
            return head.error();
        }
        if (*head) {
            Result<oci::Manifest> index = client.get_manifest(fallback);
            if (!index) {
                return index.error();
            }
            for (const oci::Descriptor& entry : index->manifests) {
                if (entry.artifact_type == k_sigstore_bundle_v03_media_type) {
                    entries.push_back(entry);
                }
            }
        }
    }
    std::vector<std::string> bundles;
    for (const oci::Descriptor& entry : entries) {
        const oci::ImageReference referrer = pinned(image, entry.digest);
        Result<oci::Manifest> manifest = client.get_manifest(referrer);
        if (!manifest) {
            return manifest.error();
        }
        if (manifest->subject && manifest->subject->digest != digest) {
            continue;
        }
        for (auto layer = std::next(manifest->blobs.begin()); layer != manifest->blobs.end(); ++layer) {
            if (layer->media_type != k_sigstore_bundle_v03_media_type) {
                continue;
            }
            Result<std::string> content = client.get_blob(referrer, layer->digest, k_max_attachment_bytes);
            if (!content) {
                return content.error();
            }
            bundles.push_back(std::move(*content));
        }
    }
    return bundles;
}

}  // namespace pipeline::sign
