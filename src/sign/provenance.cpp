#include <pipe/sign/provenance.h>

#include <pipe/oci/reference.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::sign {
namespace {

using nlohmann::json;

// Percent-encodes everything outside RFC 3986's unreserved characters, for purl qualifier values.
std::string percent_encoded(std::string_view text) {
    std::string out;
    for (char c : text) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

// Strips userinfo from every string that holds a URL, at any depth of a JSON value.
json without_credentials_in(const json& value) {
    if (value.is_string()) {
        return without_credentials(value.get<std::string>());
    }
    if (value.is_array() || value.is_object()) {
        json copy = value;
        for (auto& item : copy.items()) {
            item.value() = without_credentials_in(item.value());
        }
        return copy;
    }
    return value;
}

// A digest map for a resource descriptor: "sha256:ab.." -> {"sha256": "ab.."}; a bare hex value is
// taken as sha256.
json digest_set(std::string_view digest) {
    const std::size_t colon = digest.find(':');
    if (colon == std::string_view::npos) {
        return json{{"sha256", std::string(digest)}};
    }
    return json{{std::string(digest.substr(0, colon)), std::string(digest.substr(colon + 1))}};
}

json source_dependency(const ProvenanceFacts& facts, const std::string& repository) {
    std::string uri = repository.rfind("git+", 0) == 0 ? repository : "git+" + repository;
    if (!facts.source_ref.empty()) {
        uri += "@" + facts.source_ref;
    }
    json dependency{{"uri", uri}};
    if (!facts.source_commit.empty()) {
        dependency["digest"] = json{{"gitCommit", facts.source_commit}};
    }
    return dependency;
}

json image_dependency(const std::string& reference, const std::string& digest) {
    json dependency{{"uri", image_purl(reference)}, {"name", without_credentials(reference)}};
    std::string resolved = digest;
    if (resolved.empty()) {
        if (Result<oci::ImageReference> parsed = oci::parse_reference(reference); parsed && parsed->digest) {
            resolved = *parsed->digest;
        }
    }
    if (!resolved.empty()) {
        dependency["digest"] = digest_set(resolved);
    }
    return dependency;
}

json external_parameters(const ProvenanceFacts& facts, const std::string& repository) {
    json external = json::object();
    if (facts.parameters.is_object()) {
        external = without_credentials_in(facts.parameters);
    } else if (!facts.parameters.is_null()) {
        external["parameters"] = without_credentials_in(facts.parameters);
    }
    json source = json::object();
    if (!repository.empty()) {
        source["repository"] = repository;
    }
    if (!facts.source_ref.empty()) {
        source["ref"] = facts.source_ref;
    }
    if (!source.empty()) {
        external["source"] = source;
    }
    if (!facts.workflow_path.empty()) {
        json workflow{{"path", facts.workflow_path}};
        if (!repository.empty()) {
            workflow["repository"] = repository;
        }
        if (!facts.source_ref.empty()) {
            workflow["ref"] = facts.source_ref;
        }
        external["workflow"] = workflow;
    }
    return external;
}

json run_details(const ProvenanceFacts& facts) {
    json builder{{"id", without_credentials(facts.builder_id)}};
    if (!facts.pipe_version.empty()) {
        builder["version"] = json{{"pipe", facts.pipe_version}};
    }
    json metadata = json::object();
    const std::string invocation = facts.invocation_id.empty() ? facts.run_url : facts.invocation_id;
    if (!invocation.empty()) {
        metadata["invocationId"] = without_credentials(invocation);
    }
    if (!facts.started_on.empty()) {
        metadata["startedOn"] = facts.started_on;
    }
    if (!facts.finished_on.empty()) {
        metadata["finishedOn"] = facts.finished_on;
    }
    json details{{"builder", builder}};
    if (!metadata.empty()) {
        details["metadata"] = metadata;
    }
    return details;
}

}  // namespace

std::string without_credentials(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(url);
    }
    const std::size_t authority = scheme_end + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
    const std::size_t at = url.substr(authority, authority_end - authority).rfind('@');
    if (at == std::string_view::npos) {
        return std::string(url);
    }
    return std::string(url.substr(0, authority)) + std::string(url.substr(authority + at + 1));
}

std::string repository_url(std::string_view remote) {
    std::string url = without_credentials(remote);
    if (url.find("://") != std::string::npos) {
        return url.substr(0, std::min(url.find_first_of("?#"), url.size()));
    }
    const std::size_t slash = std::min(url.find('/'), url.size());
    if (const std::size_t at = url.rfind('@', slash); at != std::string::npos && at < slash) {
        url.erase(0, at + 1);
    }
    const std::size_t colon = url.find(':');
    if (colon == std::string::npos || colon == 0 || colon > std::min(url.find('/'), url.size())) {
        return url;  // a local path
    }
    std::string path = url.substr(colon + 1);
    if (!path.empty() && path.front() == '/') {
        path.erase(0, 1);
    }
    return "ssh://" + url.substr(0, colon) + "/" + path;
}

std::string image_purl(std::string_view reference) {
    Result<oci::ImageReference> parsed = oci::parse_reference(reference);
    if (!parsed) {
        return without_credentials(reference);
    }
    std::string name = parsed->repository;
    std::string qualifiers;
    if (parsed->registry == oci::k_docker_hub) {
        if (name.rfind("library/", 0) == 0 && name.find('/', 8) == std::string::npos) {
            name.erase(0, 8);
        }
    } else {
        qualifiers = "?repository_url=" + percent_encoded(parsed->registry);
    }
    std::string version = "latest";
    if (parsed->tag) {
        version = *parsed->tag;
    } else if (parsed->digest) {
        version = percent_encoded(*parsed->digest);
    }
    return fmt::format("pkg:docker/{}@{}{}", name, version, qualifiers);
}

json slsa_provenance_predicate(const ProvenanceFacts& facts) {
    const std::string repository =
        facts.source_repository.empty() ? std::string() : repository_url(facts.source_repository);
    json definition{{"buildType", facts.build_type}, {"externalParameters", external_parameters(facts, repository)}};

    json internal = json::object();
    if (!facts.build_command.empty()) {
        json command = json::array();
        for (const std::string& argument : facts.build_command) {
            command.push_back(without_credentials(argument));
        }
        internal["buildCommand"] = command;
    }
    const std::string run_url = without_credentials(facts.run_url);
    if (!run_url.empty() && !facts.invocation_id.empty() && run_url != without_credentials(facts.invocation_id)) {
        internal["runUrl"] = run_url;
    }
    if (!internal.empty()) {
        definition["internalParameters"] = internal;
    }

    json dependencies = json::array();
    if (!repository.empty()) {
        dependencies.push_back(source_dependency(facts, repository));
    }
    for (const auto& [reference, digest] : facts.base_images) {
        dependencies.push_back(image_dependency(reference, digest));
    }
    if (!dependencies.empty()) {
        definition["resolvedDependencies"] = dependencies;
    }
    return json{{"buildDefinition", definition}, {"runDetails", run_details(facts)}};
}

}  // namespace pipeline::sign
