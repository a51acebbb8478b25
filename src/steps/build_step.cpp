#include <pipe/steps/build_step.h>

#include <pipe/config/loader.h>
#include <pipe/core/timestamp.h>
#include <pipe/oci/reference.h>
#include <pipe/state/build_record.h>
#include <pipe/state/state_file.h>
#include <pipe/steps/build_inputs.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/steps/skip_unchanged.h>
#include <pipe/steps/tags_step.h>
#include <pipe/tools/buildah.h>

#include <fmt/format.h>

#include <sstream>

namespace pipeline::steps {
namespace {

std::filesystem::path under_root(const std::filesystem::path& root, const std::string& path) {
    std::filesystem::path given(path);
    return (given.is_absolute() ? given : root / given).lexically_normal();
}

// The path as the user would write it from the repository root ("services/api", "."), or
// absolute when it lies outside.
std::filesystem::path from_root(const std::filesystem::path& root, const std::filesystem::path& path) {
    std::filesystem::path relative = path.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
        return path;
    }
    return relative;
}

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

Result<void> check_cache_references(const config::ServiceConfig& service) {
    const std::vector<std::pair<std::string, const std::vector<std::string>*>> lists{
        {"build.cache_from", &service.build.cache_from}, {"build.cache_to", &service.build.cache_to}};
    for (const auto& [key, values] : lists) {
        for (std::size_t i = 0; i < values->size(); ++i) {
            Result<oci::ImageReference> parsed = oci::parse_repository((*values)[i]);
            if (!parsed) {
                Error error = parsed.error();
                error.kind = ErrorKind::config;
                error.where = service.origin_of(fmt::format("{}[{}]", key, i));
                return error;
            }
        }
    }
    return {};
}

Result<std::vector<std::string>> split_platforms(const std::vector<std::string>& values) {
    std::vector<std::string> platforms;
    for (const std::string& value : values) {
        std::istringstream parts(value);
        for (std::string part; std::getline(parts, part, ',');) {
            if (auto valid = config::validate_build_value("platforms", part, "--platform"); !valid) {
                Error error = valid.error();
                error.kind = ErrorKind::usage;
                return error;
            }
            platforms.push_back(part);
        }
    }
    return platforms;
}

Result<void> check_flag(const std::string& key, const std::string& value, const std::string& flag) {
    if (auto valid = config::validate_build_value(key, value, flag); !valid) {
        Error error = valid.error();
        error.kind = ErrorKind::usage;
        return error;
    }
    return {};
}

// The build section for a built (or reused) service.
state::BuildRecord build_record(const ServiceBuild& result, const tools::BuildSpec& spec,
                                std::chrono::system_clock::time_point started,
                                std::chrono::system_clock::time_point finished) {
    state::BuildRecord record;
    record.image = result.image;
    record.local_name = spec.references.front();
    record.image_id = result.image_id;
    record.manifest_list = tools::builds_manifest_list(spec);
    record.tags = result.tags;
    record.references = result.references;
    record.platforms = result.platforms;
    record.started_at = rfc3339_utc(started);
    record.finished_at = rfc3339_utc(finished);
    record.duration_ms = result.duration.count();
    record.inputs_digest = result.inputs_digest;
    return record;
}

// Replaces the service's sections with record (a new image makes later records stale) and
// writes the state file.
Result<void> save_record(const std::filesystem::path& root, state::State& state, const std::string& service,
                         const state::BuildRecord& record) {
    state.reset_service(service);
    state.set_section(service, state::k_build_section, state::to_json(record));
    return state::write_state(root, state);
}

}  // namespace

tools::BuildahSettings buildah_settings_for(const std::filesystem::path& root, const config::BuildConfig& build) {
    tools::BuildahSettings settings;
    settings.storage_driver = build.storage_driver;
    settings.isolation = build.isolation;
    settings.root = build.root.empty() ? std::filesystem::path() : under_root(root, build.root);
    settings.runroot = build.runroot.empty() ? std::filesystem::path() : under_root(root, build.runroot);
    settings.directory = root;
    return settings;
}

Result<void> apply_build_overrides(Workspace& workspace, const BuildOverrides& overrides) {
    std::map<std::string, std::string> args;
    for (const std::string& arg : overrides.build_args) {
        std::size_t eq = arg.find('=');
        if (eq == std::string::npos || eq == 0) {
            return usage_error(fmt::format("--build-arg '{}' is not NAME=VALUE", arg), "write --build-arg NAME=VALUE");
        }
        args[arg.substr(0, eq)] = arg.substr(eq + 1);
    }
    Result<std::vector<std::string>> platforms = split_platforms(overrides.platforms);
    if (!platforms) {
        return platforms.error();
    }
    if (!overrides.storage_driver.empty()) {
        if (auto valid = check_flag("storage_driver", overrides.storage_driver, "--storage-driver"); !valid) {
            return valid;
        }
    }
    if (!overrides.isolation.empty()) {
        if (auto valid = check_flag("isolation", overrides.isolation, "--isolation"); !valid) {
            return valid;
        }
    }
    for (config::ServiceConfig& service : workspace.config.services) {
        config::BuildConfig& build = service.build;
        for (const auto& [name, value] : args) {
            build.args[name] = value;
            service.origins["build.args." + name] = "--build-arg";
        }
        if (!overrides.target.empty()) {
            build.target = overrides.target;
            service.set_origin("build.target", "--target");
        }
        if (!platforms->empty()) {
            build.platforms = *platforms;
            service.set_origin("build.platforms", "--platform");
        }
        if (!overrides.file.empty()) {
            service.file = overrides.file;
            service.set_origin("file", "--file");
        }
        if (overrides.no_layers) {
            build.layers = false;
            service.set_origin("build.layers", "--no-layers");
        }
        if (!overrides.storage_driver.empty()) {
            build.storage_driver = overrides.storage_driver;
            service.set_origin("build.storage_driver", "--storage-driver");
        }
        if (!overrides.isolation.empty()) {
            build.isolation = overrides.isolation;
            service.set_origin("build.isolation", "--isolation");
        }
    }
    return {};
}

Result<std::filesystem::path> find_containerfile(const std::filesystem::path& root,
                                                 const config::ServiceConfig& service) {
    const std::filesystem::path context = under_root(root, service.context);
    std::error_code ec;
    if (!std::filesystem::is_directory(context, ec)) {
        return located_error(
            service.origin_of("context"),
            fmt::format("the build context '{}' of service '{}' is not a directory", service.context, service.name),
            "set `context:` to a directory, relative to the repository root");
    }
    if (!service.file.empty()) {
        std::vector<std::filesystem::path> candidates{under_root(root, service.file)};
        if (!std::filesystem::path(service.file).is_absolute()) {
            candidates.push_back((context / service.file).lexically_normal());
        }
        for (const std::filesystem::path& candidate : candidates) {
            if (is_file(candidate)) {
                return from_root(root, candidate);
            }
        }
        std::string looked = from_root(root, candidates.front()).string();
        if (candidates.size() > 1 && candidates[1] != candidates[0]) {
            looked += " and " + from_root(root, candidates[1]).string();
        }
        return located_error(service.origin_of("file"),
                             fmt::format("the Containerfile '{}' of service '{}' does not exist (looked for {})",
                                         service.file, service.name, looked),
                             "fix `file:` (relative to the repository root), or remove it to use the context's "
                             "Containerfile or Dockerfile");
    }
    for (const char* name : {"Containerfile", "Dockerfile"}) {
        if (is_file(context / name)) {
            return from_root(root, context / name);
        }
    }
    std::filesystem::path shown = from_root(root, context);
    return located_error(service.origin_of("context"),
                         fmt::format("service '{}' has no Containerfile or Dockerfile (looked for {} and {})",
                                     service.name, (shown / "Containerfile").lexically_normal().string(),
                                     (shown / "Dockerfile").lexically_normal().string()),
                         "add a Containerfile to the build context, or name one with `file:` in pipe.yaml or --file");
}

std::string default_image(const std::string& service_name) {
    std::string name;
    for (char c : service_name) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c >= 'A' && c <= 'Z') {
            name += static_cast<char>(c - 'A' + 'a');
        } else if (plain) {
            name += c;
        } else if (!name.empty() && name.back() != '-') {
            name += '-';
        }
    }
    while (!name.empty() && name.back() == '-') {
        name.pop_back();
    }
    return "localhost/" + (name.empty() ? std::string("image") : name);
}

Result<BuildReport> run_build(const Workspace& workspace, proc::Runner& runner, const BuildOptions& options) {
    Workspace effective = workspace;
    for (config::ServiceConfig& service : effective.config.services) {
        if (service.images.empty()) {
            service.images = {default_image(service.name)};
            service.set_origin("image", "the default image");
        }
    }
    Result<TagsReport> tags = compute_service_tags(effective);
    if (!tags) {
        return tags.error();
    }
    BuildReport report;
    report.warnings = tags->warnings;

    ScratchDirectory owned_scratch;
    std::filesystem::path scratch = options.scratch;
    if (scratch.empty() && options.dry_run) {
        scratch = ScratchDirectory::placeholder("build");
    } else if (scratch.empty()) {
        Result<std::filesystem::path> created = owned_scratch.create("build");
        if (!created) {
            return created.error();
        }
        scratch = *created;
    }

    state::State state;
    if (!options.dry_run) {
        std::string commit = workspace.git ? workspace.git->sha : tags->context.sha;
        Result<state::TreeIdentity> tree = workspace.git ? state::current_tree(workspace.root, commit)
                                                         : Result<state::TreeIdentity>(state::TreeIdentity{commit, ""});
        if (!tree) {
            return tree.error();
        }
        Result<state::State> loaded = state::state_for_update(workspace.root, *tree);
        if (!loaded) {
            return loaded.error();
        }
        state = std::move(*loaded);
    }

    for (std::size_t i = 0; i < effective.config.services.size(); ++i) {
        const config::ServiceConfig& service = effective.config.services[i];
        const meta::TagResult& computed = tags->services[i].result;
        Result<std::filesystem::path> containerfile = find_containerfile(workspace.root, service);
        if (!containerfile) {
            return containerfile.error();
        }
        if (auto checked = check_cache_references(service); !checked) {
            return checked.error();
        }
        if (computed.references.empty()) {
            return config_error(service.origin_of("tags"),
                                fmt::format("the tag rules of service '{}' produce no tag here", service.name),
                                "add a rule that always applies, e.g. type=sha,format=long,prefix=sha-");
        }
        const config::BuildConfig& build = service.build;
        if (!build.layers && (!build.cache_from.empty() || !build.cache_to.empty())) {
            report.warnings.push_back(fmt::format("{}: cache_from/cache_to are ignored without layers", service.name));
        }
        tools::BuildSpec spec;
        spec.service = service.name;
        spec.context = from_root(workspace.root, under_root(workspace.root, service.context));
        spec.containerfile = *containerfile;
        spec.references = computed.references;
        spec.labels = computed.labels;
        spec.annotations = build.annotations;
        spec.build_args = build.args;
        spec.target = build.target;
        spec.platforms = build.platforms;
        spec.layers = build.layers;
        spec.cache_from = build.cache_from;
        spec.cache_to = build.cache_to;
        spec.iidfile = scratch / (service.name + ".iid");
        tools::Buildah buildah(runner, buildah_settings_for(workspace.root, build));

        ServiceBuild result;
        result.name = service.name;
        result.image = service.images.front();
        result.tags = computed.tag_names;
        result.references = computed.references;
        result.platforms = build.platforms;
        result.labels = computed.labels;
        result.context = spec.context;
        result.containerfile = spec.containerfile;
        if (options.skip_unchanged && !options.dry_run) {
            const auto check_started = std::chrono::steady_clock::now();
            Result<UnchangedCheck> check = check_unchanged(workspace, service, spec, runner, options.trace);
            if (!check) {
                return check.error();
            }
            report.warnings.insert(report.warnings.end(), check->warnings.begin(), check->warnings.end());
            result.inputs_digest = check->inputs_digest;
            if (!check->inputs_digest.empty()) {
                spec.labels[k_inputs_label] = check->inputs_digest;
                result.labels[k_inputs_label] = check->inputs_digest;
            }
            if (!check->reused.empty()) {
                result.image_id = check->image_id;
                result.reused = check->found_at;
                result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - check_started);
                const auto now = std::chrono::system_clock::now();
                state::BuildRecord record = build_record(result, spec, now, now);
                record.local_name.clear();
                record.reused = check->reused;
                if (auto saved = save_record(workspace.root, state, service.name, record); !saved) {
                    return saved.error();
                }
                report.state_file = state::state_path(workspace.root);
                report.services.push_back(std::move(result));
                continue;
            }
        } else if (options.skip_unchanged) {
            spec.labels[k_inputs_label] = "<inputs digest>";
        }
        result.commands = buildah.build_plan(spec);
        if (options.dry_run) {
            report.services.push_back(std::move(result));
            continue;
        }

        if (options.progress.started) {
            options.progress.started(service.name);
        }
        const auto started_at = std::chrono::system_clock::now();
        Result<tools::BuiltImage> built = buildah.build(spec, options.progress.output);
        const auto finished_at = std::chrono::system_clock::now();
        if (options.progress.finished) {
            options.progress.finished(service.name);
        }
        if (!built) {
            return built.error();
        }
        report.warnings.insert(report.warnings.end(), built->notes.begin(), built->notes.end());
        result.image_id = built->image_id;
        result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(finished_at - started_at);

        if (auto saved =
                save_record(workspace.root, state, service.name, build_record(result, spec, started_at, finished_at));
            !saved) {
            return saved.error();
        }
        report.state_file = state::state_path(workspace.root);
        report.services.push_back(std::move(result));
    }
    return report;
}

}  // namespace pipeline::steps
