#include <pipe/steps/push_step.h>

#include <pipe/core/timestamp.h>
#include <pipe/oci/reference.h>
#include <pipe/state/build_record.h>
#include <pipe/state/push_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/build_step.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/tools/buildah.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

// The references of one repository: the first is pushed with buildah, the others are tagged.
struct RepositoryGroup {
    std::string name;  // registry/repository
    std::vector<oci::ImageReference> references;
};

Result<std::vector<RepositoryGroup>> group_references(const std::vector<std::string>& references,
                                                      const std::vector<std::string>& extra_tags) {
    std::vector<RepositoryGroup> groups;
    for (const std::string& text : references) {
        Result<oci::ImageReference> parsed = oci::parse_reference(text);
        if (!parsed) {
            return runtime_error(fmt::format("the state file names an invalid reference '{}'", text),
                                 "run `pipe build` again");
        }
        const std::string name = parsed->name();
        auto found =
            std::find_if(groups.begin(), groups.end(), [&](const RepositoryGroup& g) { return g.name == name; });
        if (found == groups.end()) {
            groups.push_back(RepositoryGroup{name, {}});
            found = std::prev(groups.end());
        }
        found->references.push_back(std::move(*parsed));
    }
    for (RepositoryGroup& group : groups) {
        for (const std::string& tag : extra_tags) {
            Result<oci::ImageReference> tagged = group.references.front().with_tag(tag);
            if (!tagged) {
                return tagged.error();
            }
            if (std::find(group.references.begin(), group.references.end(), *tagged) == group.references.end()) {
                group.references.push_back(std::move(*tagged));
            }
        }
    }
    return groups;
}

std::string without_tag(const oci::ImageReference& reference, const std::string& digest) {
    return reference.name() + "@" + digest;
}

// Checks that every reference resolves to digest, through pipe's own client.
Result<void> verify(oci::RegistryClient& client, const std::vector<oci::ImageReference>& references,
                    const std::string& digest) {
    for (const oci::ImageReference& reference : references) {
        Result<std::optional<oci::ManifestHead>> head = client.head_manifest(reference);
        if (!head) {
            return head.error();
        }
        if (!*head) {
            return runtime_error(
                fmt::format("registry {}: {} does not exist after the push", reference.registry, reference.string()),
                "the registry dropped the tag; push again");
        }
        if ((*head)->digest != digest) {
            return runtime_error(fmt::format("registry {}: {} resolves to {}, not the pushed {}", reference.registry,
                                             reference.string(), (*head)->digest, digest),
                                 "another push changed the tag at the same time; push again");
        }
    }
    return {};
}

// Adds each reference of targets as a tag of the manifest already in the registry at source;
// returns that manifest, checked to have all its content.
Result<oci::Manifest> add_tags(oci::RegistryClient& client, const oci::ImageReference& source,
                               const std::vector<oci::ImageReference>& targets, const std::string& digest) {
    Result<oci::ImageReference> by_digest = source.with_digest(digest);
    if (!by_digest) {
        return by_digest.error();
    }
    by_digest->tag.reset();
    Result<oci::Manifest> manifest = client.get_manifest(*by_digest);
    if (!manifest) {
        return manifest.error();
    }
    Result<std::vector<std::string>> missing = client.missing_content(*by_digest, *manifest);
    if (!missing) {
        return missing.error();
    }
    if (!missing->empty()) {
        return runtime_error(fmt::format("registry {}: {} lacks {}; no further tag points at it", source.registry,
                                         by_digest->string(), fmt::join(*missing, ", ")),
                             "push again; if it persists the registry is losing uploads");
    }
    for (const oci::ImageReference& target : targets) {
        Result<std::string> put = client.put_manifest(target, *manifest);
        if (!put) {
            return put.error();
        }
    }
    return manifest;
}

// os/arch[/variant] -> digest of each entry of an index; empty for a single-platform image.
std::map<std::string, std::string> platform_digests(const oci::Manifest& manifest) {
    std::map<std::string, std::string> platforms;
    for (const oci::Descriptor& entry : manifest.manifests) {
        if (!entry.platform.empty()) {
            platforms[entry.platform] = entry.digest;
        }
    }
    return platforms;
}

class ServicePusher {
public:
    ServicePusher(const Workspace& workspace, proc::Runner& runner, const PushOptions& options,
                  const config::ServiceConfig& service, const state::BuildRecord& build)
        : m_workspace(workspace), m_runner(runner), m_options(options), m_service(service), m_build(build) {}

    Result<ServicePush> push(const std::optional<state::PushRecord>& earlier) {
        ServicePush result;
        result.name = m_service.name;
        result.image = m_build.image;
        const bool promotion = earlier && !m_options.extra_tags.empty();
        Result<std::vector<RepositoryGroup>> groups =
            group_references(promotion ? std::vector<std::string>{} : m_build.references, m_options.extra_tags);
        if (!groups) {
            return groups.error();
        }
        if (promotion) {
            return promote(*earlier, std::move(result));
        }
        if (groups->empty()) {
            return runtime_error(fmt::format("the build of service '{}' recorded no references", m_service.name),
                                 "run `pipe build` again");
        }
        if (!m_build.reused.empty()) {
            return tag_reused(*groups, std::move(result));
        }
        return upload(*groups, std::move(result));
    }

private:
    Result<ServicePush> upload(const std::vector<RepositoryGroup>& groups, ServicePush result) {
        Result<std::unique_ptr<RegistrySession>> session = open_session();
        if (!session) {
            return session.error();
        }
        tools::BuildahSettings settings = buildah_settings_for(m_workspace.root, m_service.build);
        std::filesystem::path cert_dir;
        std::filesystem::path scratch = ScratchDirectory::placeholder("push");
        ScratchDirectory owned;
        if (!m_options.dry_run) {
            std::vector<oci::ImageReference> all;
            all.reserve(groups.size());
            for (const RepositoryGroup& group : groups) {
                all.push_back(group.references.front());
            }
            Result<const oci::PrivateAuthFile*> auth = (*session)->auth_file(all);
            if (!auth) {
                return auth.error();
            }
            if ((*auth)->written()) {
                settings.auth_file = (*auth)->auth_json();
            }
            Result<std::filesystem::path> certs = (*session)->cert_dir();
            if (!certs) {
                return certs.error();
            }
            cert_dir = *certs;
            Result<std::filesystem::path> created = owned.create("push");
            if (!created) {
                return created.error();
            }
            scratch = *created;
        } else if (!m_service.registry.ca_file.empty()) {
            cert_dir = ScratchDirectory::placeholder("certs");
        }
        tools::Buildah buildah(m_runner, settings);
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const RepositoryGroup& group = groups[i];
            tools::PushSpec spec;
            spec.source = m_build.local_name;
            spec.destination = group.references.front().string();
            spec.manifest_list = m_build.manifest_list;
            spec.digestfile = scratch / fmt::format("{}-{}.digest", m_service.name, i);
            spec.tls_verify = !(*session)->insecure();
            spec.cert_dir = cert_dir;
            spec.tmpdir = scratch;
            std::vector<oci::ImageReference> others(group.references.begin() + 1, group.references.end());
            result.plan.push_back(proc::describe(buildah.push_command(spec)));
            for (const oci::ImageReference& other : others) {
                result.plan.push_back(fmt::format("PUT {} (the manifest pushed above, no upload)", other.string()));
            }
            result.plan.push_back(fmt::format("HEAD each tag of {}: must resolve to the pushed digest", group.name));
            if (m_options.dry_run) {
                continue;
            }
            Result<std::string> digest = buildah.push(spec, m_options.progress.output);
            if (!digest) {
                return digest.error();
            }
            Result<oci::Manifest> tagged = add_tags((*session)->client(), group.references.front(), others, *digest);
            if (!tagged) {
                return tagged.error();
            }
            if (auto verified = verify((*session)->client(), group.references, *digest); !verified) {
                return verified.error();
            }
            m_record.repositories[group.name] = *digest;
            if (i == 0) {
                m_record.platforms = platform_digests(*tagged);
                result.digest = *digest;
                result.pinned = without_tag(group.references.front(), *digest);
            }
            result.uploaded.push_back(group.references.front().string());
            for (const oci::ImageReference& reference : group.references) {
                result.references.push_back(reference.string());
            }
            for (const oci::ImageReference& other : others) {
                result.tagged.push_back(other.string());
            }
        }
        return result;
    }

    // A --skip-unchanged hit: the image is already in each repository, so every tag is a
    // manifest PUT of what is there.
    Result<ServicePush> tag_reused(const std::vector<RepositoryGroup>& groups, ServicePush result) {
        Result<std::unique_ptr<RegistrySession>> session = open_session();
        if (!session) {
            return session.error();
        }
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const RepositoryGroup& group = groups[i];
            auto reused = m_build.reused.find(group.name);
            if (reused == m_build.reused.end()) {
                return usage_error(
                    fmt::format("the build record of service '{}' has no image for {}", m_service.name, group.name),
                    "run `pipe build` again");
            }
            const std::string& digest = reused->second;
            for (const oci::ImageReference& reference : group.references) {
                result.plan.push_back(
                    fmt::format("PUT {} (the unchanged image {}, no upload)", reference.string(), digest));
            }
            if (m_options.dry_run) {
                continue;
            }
            Result<oci::Manifest> tagged =
                add_tags((*session)->client(), group.references.front(), group.references, digest);
            if (!tagged) {
                return tagged.error();
            }
            if (auto verified = verify((*session)->client(), group.references, digest); !verified) {
                return verified.error();
            }
            m_record.repositories[group.name] = digest;
            if (i == 0) {
                m_record.platforms = platform_digests(*tagged);
                result.digest = digest;
                result.pinned = without_tag(group.references.front(), digest);
            }
            for (const oci::ImageReference& reference : group.references) {
                result.references.push_back(reference.string());
                result.tagged.push_back(reference.string());
            }
        }
        return result;
    }

    Result<ServicePush> promote(const state::PushRecord& earlier, ServicePush result) {
        result.promotion = true;
        Result<std::unique_ptr<RegistrySession>> session = open_session();
        if (!session) {
            return session.error();
        }
        m_record = earlier;
        result.digest = earlier.digest;
        result.pinned = earlier.pinned;
        result.references = earlier.references;
        for (const auto& [repository, digest] : earlier.repositories) {
            Result<oci::ImageReference> source = oci::parse_repository(repository);
            if (!source) {
                return runtime_error(fmt::format("the state file names an invalid repository '{}'", repository),
                                     "run `pipe push` again");
            }
            std::vector<oci::ImageReference> targets;
            for (const std::string& tag : m_options.extra_tags) {
                Result<oci::ImageReference> target = source->with_tag(tag);
                if (!target) {
                    return target.error();
                }
                targets.push_back(std::move(*target));
                result.plan.push_back(
                    fmt::format("PUT {} (the manifest {}, no upload)", targets.back().string(), digest));
            }
            if (m_options.dry_run) {
                continue;
            }
            if (auto tagged = add_tags((*session)->client(), *source, targets, digest); !tagged) {
                return tagged.error();
            }
            if (auto verified = verify((*session)->client(), targets, digest); !verified) {
                return verified.error();
            }
            for (const oci::ImageReference& target : targets) {
                result.tagged.push_back(target.string());
                if (std::find(result.references.begin(), result.references.end(), target.string()) ==
                    result.references.end()) {
                    result.references.push_back(target.string());
                }
            }
        }
        return result;
    }

    Result<std::unique_ptr<RegistrySession>> open_session() {
        return RegistrySession::open(m_workspace, m_service, m_runner, m_options.trace);
    }

public:
    // The record of this push (valid after push() succeeded).
    state::PushRecord record(const ServicePush& pushed) {
        m_record.digest = pushed.digest;
        m_record.pinned = pushed.pinned;
        m_record.references = pushed.references;
        return m_record;
    }

private:
    const Workspace& m_workspace;
    proc::Runner& m_runner;
    const PushOptions& m_options;
    const config::ServiceConfig& m_service;
    const state::BuildRecord& m_build;
    state::PushRecord m_record;
};

}  // namespace

Result<PushReport> run_push(const Workspace& workspace, proc::Runner& runner, const PushOptions& options) {
    for (const std::string& tag : options.extra_tags) {
        if (auto valid = oci::validate_tag(tag); !valid) {
            Error error = valid.error();
            error.message = fmt::format("--tag '{}': {}", tag, error.message);
            return error;
        }
    }
    if (!workspace.git) {
        return usage_error("pipe push needs the git checkout that `pipe build` ran in",
                           "run `pipe build` and `pipe push` in the same checkout");
    }
    Result<state::TreeIdentity> tree = state::current_tree(workspace.root, workspace.git->sha);
    if (!tree) {
        return tree.error();
    }
    Result<std::optional<state::State>> loaded = state::read_state(workspace.root, *tree);
    if (!loaded) {
        return loaded.error();
    }
    if (!*loaded) {
        return usage_error(
            fmt::format("nothing to push: {} does not exist", state::state_path(workspace.root).string()),
            "run `pipe build` first; pipe push pushes what it built");
    }
    state::State state = std::move(**loaded);
    const std::string where = state::state_path(workspace.root).string();
    PushReport report;
    for (const config::ServiceConfig& service : workspace.config.services) {
        const nlohmann::json* section = state.section(service.name, state::k_build_section);
        if (section == nullptr) {
            return usage_error(fmt::format("service '{}' has no build recorded for this commit", service.name),
                               fmt::format("run `pipe --service {} build` first", service.name));
        }
        Result<state::BuildRecord> build = state::parse_build_record(*section, where);
        if (!build) {
            return build.error();
        }
        std::optional<state::PushRecord> earlier;
        if (const nlohmann::json* pushed = state.section(service.name, state::k_push_section)) {
            Result<state::PushRecord> parsed = state::parse_push_record(*pushed, where);
            if (!parsed) {
                return parsed.error();
            }
            earlier = std::move(*parsed);
        }
        ServicePusher pusher(workspace, runner, options, service, *build);
        if (options.progress.started && !options.dry_run) {
            options.progress.started(service.name);
        }
        const auto started = std::chrono::steady_clock::now();
        Result<ServicePush> pushed = pusher.push(earlier);
        if (options.progress.finished && !options.dry_run) {
            options.progress.finished(service.name);
        }
        if (!pushed) {
            return pushed.error();
        }
        pushed->duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        if (!options.dry_run) {
            state::PushRecord record = pusher.record(*pushed);
            record.pushed_at = rfc3339_utc(std::chrono::system_clock::now());
            record.duration_ms = pushed->duration.count();
            state.set_section(service.name, state::k_push_section, state::to_json(record));
            if (auto written = state::write_state(workspace.root, state); !written) {
                return written.error();
            }
            report.state_file = state::state_path(workspace.root);
        }
        report.services.push_back(std::move(*pushed));
    }
    return report;
}

}  // namespace pipeline::steps
