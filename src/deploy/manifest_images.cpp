#include <pipe/deploy/manifest_files.h>
#include <pipe/deploy/manifest_images.h>

#include <pipe/core/file_text.h>
#include <pipe/core/yaml_guard.h>
#include <pipe/oci/reference.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

namespace pipeline::deploy {
namespace {

namespace fs = std::filesystem;

// Limits that keep hostile input (deep nesting, alias cycles, alias fan-out) cheap to reject.
constexpr int k_max_depth = 256;
constexpr std::size_t k_max_nodes = 1'000'000;

// The keys under which Kubernetes pod specs (and CRDs embedding one) list containers.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_container_keys{{
    {"containers", "container"},
    {"initContainers", "initContainer"},
    {"ephemeralContainers", "ephemeralContainer"},
}};

// One piece of a reference with the position of the scalar it came from.
struct Part {
    std::string text;
    YAML::Mark mark;
};

std::string position(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null()) {
        return file;
    }
    return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

// The value of key in a map node; nullopt when node is not a map or has no such key.
std::optional<YAML::Node> child(const YAML::Node& node, std::string_view key) {
    if (!node.IsMap()) {
        return std::nullopt;
    }
    for (const auto& entry : node) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) {
            return entry.second;
        }
    }
    return std::nullopt;
}

// A value that names nothing to verify: empty, or still a template (Helm, envsubst, kustomize vars).
bool unresolved(std::string_view text) {
    if (text.find_first_not_of(" \t") == std::string_view::npos) {
        return true;
    }
    return text.find("{{") != std::string_view::npos || text.find("${") != std::string_view::npos ||
           text.find("$(") != std::string_view::npos;
}

// The text of a scalar child that names something, or nullopt when absent, null, not a scalar or
// unresolved.
std::optional<Part> text_of(const YAML::Node& node, std::string_view key) {
    std::optional<YAML::Node> value = child(node, key);
    if (!value || !value->IsScalar() || unresolved(value->Scalar())) {
        return std::nullopt;
    }
    return Part{value->Scalar(), value->Mark()};
}

bool has_scalar(const YAML::Node& node, std::string_view key) {
    std::optional<YAML::Node> value = child(node, key);
    return value && value->IsScalar();
}

// A Kubernetes object: a map with apiVersion and kind.
bool kubernetes_object(const YAML::Node& node) {
    return has_scalar(node, "apiVersion") && has_scalar(node, "kind");
}

bool kustomization_file(const fs::path& origin) {
    const std::string name = origin.filename().string();
    return name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization";
}

// Finds the images of the documents of one file, in document order.
class DocumentScanner {
public:
    DocumentScanner(const fs::path& origin, std::vector<FoundImage>& found)
        : m_origin(origin), m_file(origin.string()), m_found(found) {}

    Result<void> scan(const YAML::Node& document) {
        std::optional<YAML::Node> kind = child(document, "kind");
        if (kustomization_file(m_origin) || (kind && kind->IsScalar() && kind->Scalar() == "Kustomization")) {
            return scan_kustomization(document);
        }
        if (kubernetes_object(document)) {
            return scan_object(document, {}, 0);
        }
        return scan_values(document, {}, 0);
    }

private:
    // Counts a visited node and refuses input that nests or expands beyond the limits, including
    // alias cycles (a node that contains itself).
    Result<void> enter(const YAML::Node& node, int depth) {
        if (depth > k_max_depth || ++m_visited > k_max_nodes) {
            return config_error(position(m_file, node.Mark()),
                                "the YAML nests too deeply or expands too many aliases to be a deployment file",
                                "flatten the document or avoid recursive anchors (&name) and aliases (*name)");
        }
        return {};
    }

    // Records a reference written as one scalar; an unparsable one is a config error at the scalar.
    Result<void> add(const Part& reference, const std::string& context) {
        Result<oci::ImageReference> parsed = oci::parse_reference(reference.text);
        if (!parsed) {
            return located(reference.mark, parsed.error(), context);
        }
        record(reference, reference.text, context);
        return {};
    }

    // Records name[:tag][@digest] joined from separate scalars (Helm values, kustomize); an error is
    // located at the scalar that caused it.
    Result<void> add_joined(const Part& name, const std::optional<Part>& tag, const std::optional<Part>& digest,
                            const std::string& context) {
        if (Result<oci::ImageReference> repository = oci::parse_repository(name.text); !repository) {
            return located(name.mark, repository.error(), context);
        }
        std::string joined = name.text;
        if (tag) {
            if (Result<void> valid = oci::validate_tag(tag->text); !valid) {
                return located(tag->mark, valid.error(), context);
            }
            joined += ":" + tag->text;
        }
        if (digest) {
            if (Result<void> valid = oci::validate_digest(digest->text); !valid) {
                return located(digest->mark, valid.error(), context);
            }
            joined += "@" + digest->text;
        }
        return add(Part{joined, name.mark}, context);
    }

    Error located(const YAML::Mark& mark, const Error& cause, const std::string& context) const {
        return config_error(position(m_file, mark), fmt::format("{} ({})", cause.message, context), cause.hint);
    }

    void record(const Part& at, std::string reference, std::string context) {
        FoundImage image;
        image.reference = std::move(reference);
        image.file = m_origin;
        image.line = at.mark.is_null() ? 0 : at.mark.line + 1;
        image.column = at.mark.is_null() ? 0 : at.mark.column + 1;
        image.context = std::move(context);
        m_found.push_back(std::move(image));
    }

    // Kubernetes objects: the containers of every pod spec anywhere in the object (workloads, CronJob
    // job templates, Lists, CRDs), described by the innermost object around them.
    Result<void> scan_object(const YAML::Node& node, std::string owner, int depth) {
        if (Result<void> entered = enter(node, depth); !entered) {
            return entered;
        }
        if (node.IsSequence()) {
            for (const auto& item : node) {
                if (Result<void> scanned = scan_object(item, owner, depth + 1); !scanned) {
                    return scanned;
                }
            }
            return {};
        }
        if (!node.IsMap()) {
            return {};
        }
        if (kubernetes_object(node)) {
            owner = child(node, "kind")->Scalar();
            if (std::optional<Part> name = text_of(child(node, "metadata").value_or(YAML::Node()), "name")) {
                owner += "/" + name->text;
            }
        }
        for (const auto& entry : node) {
            const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
            Result<void> scanned = Result<void>();
            if (const std::string_view* word = container_word(key); word != nullptr && entry.second.IsSequence()) {
                scanned = scan_containers(entry.second, owner, *word);
            } else {
                scanned = scan_object(entry.second, owner, depth + 1);
            }
            if (!scanned) {
                return scanned;
            }
        }
        return {};
    }

    static const std::string_view* container_word(const std::string& key) {
        for (const auto& [list_key, word] : k_container_keys) {
            if (key == list_key) {
                return &word;
            }
        }
        return nullptr;
    }

    Result<void> scan_containers(const YAML::Node& list, const std::string& owner, std::string_view word) {
        std::size_t index = 0;
        for (const auto& container : list) {
            const std::size_t number = index++;
            std::optional<YAML::Node> image = child(container, "image");
            if (!image || image->IsNull()) {
                continue;
            }
            std::optional<Part> name = text_of(container, "name");
            std::string context = fmt::format("{}{}{} {}", owner, owner.empty() ? "" : " ", word,
                                              name ? name->text : fmt::format("#{}", number + 1));
            if (!image->IsScalar()) {
                return config_error(position(m_file, image->Mark()),
                                    fmt::format("'image' of {} must be a string", context),
                                    "write the image reference, e.g. image: ghcr.io/acme/app:1.2.3");
            }
            if (unresolved(image->Scalar())) {
                continue;
            }
            if (Result<void> added = add(Part{image->Scalar(), image->Mark()}, context); !added) {
                return added;
            }
        }
        return {};
    }

    // kustomization.yaml: each `images:` entry that sets a tag or digest names an image to deploy;
    // an entry that only renames keeps whatever the resources say, which are checked on their own.
    Result<void> scan_kustomization(const YAML::Node& document) {
        std::optional<YAML::Node> images = child(document, "images");
        if (!images || !images->IsSequence()) {
            return {};
        }
        for (const auto& entry : *images) {
            std::optional<Part> name = text_of(entry, "name");
            std::optional<Part> new_name = text_of(entry, "newName");
            std::optional<Part> tag = text_of(entry, "newTag");
            std::optional<Part> digest = text_of(entry, "digest");
            if ((!name && !new_name) || (!tag && !digest)) {
                continue;
            }
            const std::string context = fmt::format("kustomization images[{}]", name ? name->text : new_name->text);
            if (Result<void> added = add_joined(new_name ? *new_name : *name, tag, digest, context); !added) {
                return added;
            }
        }
        return {};
    }

    // Helm values (any file that is neither an object nor a kustomization): every `image:` key, as a
    // reference string or as a map of registry, repository, tag and digest. A map without tag and
    // digest defers to the chart's appVersion, which only the chart knows, so it is skipped.
    Result<void> scan_values(const YAML::Node& node, const std::string& path, int depth) {
        if (Result<void> entered = enter(node, depth); !entered) {
            return entered;
        }
        if (node.IsSequence()) {
            std::size_t index = 0;
            for (const auto& item : node) {
                if (Result<void> scanned = scan_values(item, fmt::format("{}[{}]", path, index++), depth + 1);
                    !scanned) {
                    return scanned;
                }
            }
            return {};
        }
        if (!node.IsMap()) {
            return {};
        }
        for (const auto& entry : node) {
            const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
            const std::string inner = path.empty() ? key : fmt::format("{}.{}", path, key);
            Result<void> scanned = Result<void>();
            if (key == "image" && entry.second.IsScalar()) {
                if (!unresolved(entry.second.Scalar())) {
                    scanned = add(Part{entry.second.Scalar(), entry.second.Mark()}, "values " + inner);
                }
            } else if (key == "image" && has_scalar(entry.second, "repository")) {
                scanned = scan_helm_image(entry.second, "values " + inner);
            } else {
                scanned = scan_values(entry.second, inner, depth + 1);
            }
            if (!scanned) {
                return scanned;
            }
        }
        return {};
    }

    Result<void> scan_helm_image(const YAML::Node& image, const std::string& context) {
        std::optional<Part> repository = text_of(image, "repository");
        std::optional<Part> tag = text_of(image, "tag");
        std::optional<Part> digest = text_of(image, "digest");
        if (!repository || (!tag && !digest)) {
            return {};
        }
        if (std::optional<Part> registry = text_of(image, "registry")) {
            repository->text = registry->text + "/" + repository->text;
        }
        return add_joined(*repository, tag, digest, context);
    }

    const fs::path& m_origin;
    std::string m_file;
    std::vector<FoundImage>& m_found;
    std::size_t m_visited = 0;
};

}  // namespace

Result<std::vector<FoundImage>> find_images_in_text(std::string_view text, const fs::path& origin) {
    const std::string file = origin.string();
    std::vector<YAML::Node> documents;
    try {
        documents = load_yaml_documents(std::string(text));
    } catch (const YAML::Exception& e) {
        if (text.find("{{") != std::string_view::npos) {
            return std::vector<FoundImage>{};
        }
        return config_error(position(file, e.mark), "invalid YAML: " + e.msg,
                            "check indentation and quoting near that position");
    }
    std::vector<FoundImage> found;
    DocumentScanner scanner(origin, found);
    try {
        for (const YAML::Node& document : documents) {
            if (Result<void> scanned = scanner.scan(document); !scanned) {
                return scanned.error();
            }
        }
    } catch (const YAML::Exception& e) {
        return config_error(position(file, e.mark), std::string("cannot read deployment file: ") + e.msg);
    }
    return found;
}

Result<std::vector<FoundImage>> find_images(const std::vector<fs::path>& paths) {
    Result<std::vector<fs::path>> files = manifest_files(paths);
    if (!files) {
        return files.error();
    }
    std::vector<FoundImage> found;
    for (const fs::path& file : *files) {
        if (in_chart_templates(file)) {
            continue;
        }
        std::optional<std::string> text = read_file_text(file);
        if (!text) {
            return runtime_error(
                fmt::format("cannot read {}: {}", file.string(), std::generic_category().message(errno)),
                "check that the file exists and is readable");
        }
        Result<std::vector<FoundImage>> images = find_images_in_text(*text, file);
        if (!images) {
            return images.error();
        }
        found.insert(found.end(), std::make_move_iterator(images->begin()), std::make_move_iterator(images->end()));
    }
    return found;
}

}  // namespace pipeline::deploy
