#include <pipe/core/file_text.h>
#include <pipe/tools/buildah.h>
#include <pipe/tools/start_error.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <utility>

namespace pipeline::tools {
namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> parts) {
    for (std::string_view part : parts) {
        if (contains(text, part)) {
            return true;
        }
    }
    return false;
}

std::string trimmed(std::string_view text) {
    std::size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) {
        return {};
    }
    std::size_t end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::string clean = trimmed(line);
        if (!clean.empty()) {
            lines.push_back(std::move(clean));
        }
    }
    return lines;
}

std::string hint_for(BuildahFailure cause) {
    switch (cause) {
        case BuildahFailure::user_namespaces:
            return "user namespaces are not available here: set `build: {isolation: chroot, storage_driver: vfs}` "
                   "in pipe.yaml (or PIPE_ISOLATION=chroot PIPE_STORAGE_DRIVER=vfs), or run as root";
        case BuildahFailure::storage_driver:
            return "the overlay storage driver does not work here (fuse-overlayfs missing or nested overlay): use "
                   "--storage-driver vfs (or PIPE_STORAGE_DRIVER=vfs), or apt-get install fuse-overlayfs";
        case BuildahFailure::containerfile:
            return "add a Containerfile (or Dockerfile) to the build context, or set `file:` in pipe.yaml";
        case BuildahFailure::base_image:
            return "check the FROM image's name, that its registry is reachable and that you are logged in; "
                   "or pull it first (buildah pull IMAGE) with the same storage settings";
        case BuildahFailure::isolation:
            return "the OCI runtime cannot start containers here: use --isolation chroot (or PIPE_ISOLATION=chroot)";
        case BuildahFailure::not_a_list:
            return "a single-platform image already has this name in buildah's storage: remove it with "
                   "`buildah rmi NAME`, or build for one platform";
        case BuildahFailure::instruction:
            return "a Containerfile instruction failed: see buildah's output above";
        case BuildahFailure::registry_tls:
            return "for a plain-HTTP or self-signed registry pass --insecure-registry (or `registry: {insecure: "
                   "true}`); for a private CA pass --ca-file";
        case BuildahFailure::registry_auth:
            return "log in with `buildah login REGISTRY`, or set PIPE_REGISTRY_USERNAME and PIPE_REGISTRY_PASSWORD; "
                   "in GitHub Actions give the job `packages: write` for ghcr.io";
        case BuildahFailure::registry_down:
            return "check the registry's address and that it is running";
        case BuildahFailure::unknown:
            break;
    }
    return "see buildah's output above; `pipe -v` shows the exact command";
}

std::map<std::string, std::string> string_map(const nlohmann::json& object) {
    std::map<std::string, std::string> values;
    if (!object.is_object()) {
        return values;
    }
    for (const auto& [key, value] : object.items()) {
        values[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    return values;
}

std::string with_algorithm(const std::string& id) {
    return id.rfind("sha256:", 0) == 0 ? id : "sha256:" + id;
}

// Reads the id buildah wrote to an --iidfile or --digestfile ("image id", "digest").
Result<std::string> read_id_file(const std::filesystem::path& path, std::string_view what) {
    std::string id = trimmed(read_file_text(path).value_or(""));
    if (id.empty()) {
        return runtime_error(fmt::format("buildah reported success but wrote no {} to {}", what, path.string()),
                             "check that the temporary directory is writable and not full");
    }
    return with_algorithm(id);
}

}  // namespace

bool builds_manifest_list(const BuildSpec& spec) {
    return spec.platforms.size() > 1;
}

Result<ImageDetails> parse_inspect(std::string_view json) {
    nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return runtime_error("buildah inspect printed something that is not a JSON object",
                             "check the buildah version (pipe needs buildah 1.28 or later)");
    }
    ImageDetails details;
    if (doc.contains("FromImageID") && doc["FromImageID"].is_string()) {
        details.id = with_algorithm(doc["FromImageID"].get<std::string>());
    }
    if (doc.contains("OCIv1") && doc["OCIv1"].contains("config")) {
        const nlohmann::json& config = doc["OCIv1"]["config"];
        if (config.contains("Labels")) {
            details.labels = string_map(config["Labels"]);
        }
    }
    if (doc.contains("ImageAnnotations")) {
        details.annotations = string_map(doc["ImageAnnotations"]);
    }
    if (details.id.empty()) {
        return runtime_error("buildah inspect printed no image id (FromImageID)",
                             "check the buildah version (pipe needs buildah 1.28 or later)");
    }
    return details;
}

Result<std::string> parse_image_id(std::string_view json, std::string_view name) {
    nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
        return runtime_error("buildah images printed something that is not a JSON list",
                             "check the buildah version (pipe needs buildah 1.28 or later)");
    }
    for (const nlohmann::json& entry : doc) {
        if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) {
            continue;
        }
        const nlohmann::json names = entry.value("names", nlohmann::json::array());
        bool named = names.is_array() && std::any_of(names.begin(), names.end(), [&](const nlohmann::json& n) {
                         return n.is_string() && n.get<std::string>() == name;
                     });
        if (named || doc.size() == 1) {
            return with_algorithm(entry["id"].get<std::string>());
        }
    }
    return runtime_error(fmt::format("buildah's storage has no image named {} after the build", name),
                         "run `buildah images` with the same storage settings to see what was built");
}

Result<std::vector<std::string>> parse_manifest_platforms(std::string_view json) {
    const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return runtime_error("buildah manifest inspect printed something that is not a JSON object",
                             "check the buildah version (pipe needs buildah 1.28 or later)");
    }
    std::vector<std::string> platforms;
    if (!doc.contains("manifests") || !doc["manifests"].is_array()) {
        return platforms;
    }
    for (const nlohmann::json& entry : doc["manifests"]) {
        if (!entry.is_object() || !entry.contains("platform") || !entry["platform"].is_object()) {
            continue;
        }
        const nlohmann::json& platform = entry["platform"];
        const std::string variant = platform.value("variant", "");
        platforms.push_back(platform.value("os", "") + "/" + platform.value("architecture", "") +
                            (variant.empty() ? "" : "/" + variant));
    }
    return platforms;
}

std::vector<std::string> missing_platforms(const std::vector<std::string>& requested,
                                           const std::vector<std::string>& present) {
    std::vector<std::string> missing;
    for (const std::string& wanted : requested) {
        const bool has_variant = std::count(wanted.begin(), wanted.end(), '/') >= 2;
        const bool found = std::any_of(present.begin(), present.end(), [&](const std::string& have) {
            return have == wanted || (!has_variant && have.rfind(wanted + "/", 0) == 0);
        });
        if (!found) {
            missing.push_back(wanted);
        }
    }
    return missing;
}

BuildahFailure classify_failure(std::string_view stderr_text) {
    const std::string_view text = stderr_text;
    if (contains_any(text, {"unshare(CLONE_NEWUSER)", "User namespaces are not enabled",
                            "user namespaces are not enabled", "cannot clone: Operation not permitted", "newuidmap",
                            "newgidmap", "insufficient UIDs or GIDs", "not enough IDs available",
                            "cannot set up namespace", "cannot setup namespace", "unshare: operation not permitted"})) {
        return BuildahFailure::user_namespaces;
    }
    if (contains_any(text, {"fuse-overlayfs", "is not supported over", "mount_program", "driver not supported",
                            "kernel does not support overlay", "overlay: unknown option", "/dev/fuse"})) {
        return BuildahFailure::storage_driver;
    }
    if (contains_any(text, {"cannot find Containerfile or Dockerfile", "no Containerfile or Dockerfile"}) ||
        (contains(text, "Error: stat ") && contains(text, "no such file or directory") &&
         !contains(text, "building at STEP"))) {
        return BuildahFailure::containerfile;
    }
    if (contains(text, "is not a manifest list")) {
        return BuildahFailure::not_a_list;
    }
    if (contains_any(text, {"server gave HTTP response to HTTPS client", "x509:", "certificate signed by unknown",
                            "tls: failed to verify", "tls: first record does not look like"})) {
        return BuildahFailure::registry_tls;
    }
    if (contains_any(text, {"creating build container", "initializing source docker://", "Trying to pull",
                            "pull access denied", "short-name resolution"})) {
        return BuildahFailure::base_image;
    }
    if (contains_any(text,
                     {"unauthorized:", "authentication required", "invalid username/password", "401 Unauthorized"})) {
        return BuildahFailure::registry_auth;
    }
    if (contains_any(text, {"connect: connection refused", "no such host", "i/o timeout", "network is unreachable"}) &&
        !contains(text, "building at STEP")) {
        return BuildahFailure::registry_down;
    }
    if (contains_any(text, {"creating build container", "initializing source docker://", "pinging container registry",
                            "manifest unknown", "requested access to the resource is denied", "reading manifest",
                            "pull access denied", "short-name resolution"})) {
        return BuildahFailure::base_image;
    }
    if (contains_any(text, {"error running container", "cgroups in hybrid mode", "creating container for",
                            "OCI runtime", "crun:", "runc:", "did not get container create message"})) {
        return BuildahFailure::isolation;
    }
    if (contains(text, "building at STEP")) {
        return BuildahFailure::instruction;
    }
    return BuildahFailure::unknown;
}

std::string failure_summary(const proc::ProcessResult& result) {
    std::vector<std::string> err = lines_of(result.err);
    const std::string_view prefix = "Error: ";
    auto last_error =
        std::find_if(err.rbegin(), err.rend(), [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
    if (last_error != err.rend()) {
        return last_error->substr(prefix.size());
    }
    if (!err.empty()) {
        return err.back();
    }
    std::vector<std::string> out = lines_of(result.out);
    return out.empty() ? std::string() : out.back();
}

Error failure_error(std::string_view doing, const proc::ProcessResult& result) {
    BuildahFailure cause = classify_failure(result.err);
    std::string summary = failure_summary(result);
    std::string message = fmt::format("{} failed ({})", doing, proc::describe(result.status));
    if (!summary.empty()) {
        message += ": " + summary;
    }
    if (cause == BuildahFailure::containerfile) {
        return config_error("", message, hint_for(cause));
    }
    return runtime_error(message, hint_for(cause));
}

Error start_error(std::string_view doing, Error error) {
    return tools::start_error(doing, std::move(error),
                              "install buildah: apt-get install buildah (Debian/Ubuntu), dnf install buildah (Fedora); "
                              "pipe looks for it on PATH");
}

Buildah::Buildah(proc::Runner& runner, BuildahSettings settings) : m_runner(runner), m_settings(std::move(settings)) {}

proc::Command Buildah::command(std::vector<std::string> args) const {
    proc::Command command;
    command.argv = {m_settings.executable};
    if (!m_settings.storage_driver.empty()) {
        command.argv.insert(command.argv.end(), {"--storage-driver", m_settings.storage_driver});
    }
    if (!m_settings.root.empty()) {
        command.argv.insert(command.argv.end(), {"--root", m_settings.root.string()});
    }
    if (!m_settings.runroot.empty()) {
        command.argv.insert(command.argv.end(), {"--runroot", m_settings.runroot.string()});
    }
    command.argv.insert(command.argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    command.cwd = m_settings.directory;
    if (!m_settings.auth_file.empty()) {
        command.env["REGISTRY_AUTH_FILE"] = m_settings.auth_file.string();
    }
    return command;
}

proc::Command Buildah::build_command(const BuildSpec& spec) const {
    std::vector<std::string> args{"build", "--format", "oci", spec.layers ? "--layers" : "--layers=false"};
    if (!m_settings.isolation.empty()) {
        args.insert(args.end(), {"--isolation", m_settings.isolation});
    }
    args.insert(args.end(), {"--file", spec.containerfile.string()});
    if (builds_manifest_list(spec)) {
        if (!spec.references.empty()) {
            args.insert(args.end(), {"--manifest", spec.references.front()});
        }
    } else {
        if (!spec.iidfile.empty()) {
            args.insert(args.end(), {"--iidfile", spec.iidfile.string()});
        }
        for (const std::string& reference : spec.references) {
            args.insert(args.end(), {"--tag", reference});
        }
    }
    if (!spec.platforms.empty()) {
        args.insert(args.end(), {"--platform", fmt::format("{}", fmt::join(spec.platforms, ","))});
    }
    if (!spec.target.empty()) {
        args.insert(args.end(), {"--target", spec.target});
    }
    for (const auto& [name, value] : spec.build_args) {
        args.insert(args.end(), {"--build-arg", fmt::format("{}={}", name, value)});
    }
    for (const auto& [key, value] : spec.labels) {
        args.insert(args.end(), {"--label", fmt::format("{}={}", key, value)});
    }
    for (const std::string& annotation : spec.annotations) {
        args.insert(args.end(), {"--annotation", annotation});
    }
    for (const std::string& repository : spec.cache_from) {
        args.insert(args.end(), {"--cache-from", repository});
    }
    for (const std::string& repository : spec.cache_to) {
        args.insert(args.end(), {"--cache-to", repository});
    }
    args.push_back(spec.context.string());
    return command(std::move(args));
}

proc::Command Buildah::version_command() const {
    return command({"--version"});
}

proc::Command Buildah::info_command() const {
    return command({"info"});
}

proc::Command Buildah::tag_command(const std::string& image, const std::vector<std::string>& names) const {
    std::vector<std::string> args{"tag", image};
    args.insert(args.end(), names.begin(), names.end());
    return command(std::move(args));
}

proc::Command Buildah::manifest_rm_command(const std::string& name) const {
    return command({"manifest", "rm", name});
}

proc::Command Buildah::push_command(const PushSpec& spec) const {
    std::vector<std::string> args;
    if (spec.manifest_list) {
        args = {"manifest", "push", "--all"};
    } else {
        args = {"push"};
    }
    args.insert(args.end(), {"--digestfile", spec.digestfile.string()});
    if (!spec.tls_verify) {
        args.emplace_back("--tls-verify=false");
    }
    if (!spec.cert_dir.empty()) {
        args.insert(args.end(), {"--cert-dir", spec.cert_dir.string()});
    }
    args.insert(args.end(), {spec.source, spec.transport + spec.destination});
    proc::Command push = command(std::move(args));
    if (!spec.tmpdir.empty()) {
        push.env["TMPDIR"] = spec.tmpdir.string();
    }
    return push;
}

Result<std::string> Buildah::push(const PushSpec& spec, const proc::OutputSink& sink) {
    proc::Command push = push_command(spec);
    push.sink = sink;
    const std::string doing = fmt::format("buildah push to {}", spec.destination);
    Result<proc::ProcessResult> ran = run_checked(push, doing);
    if (!ran) {
        return ran.error();
    }
    return read_id_file(spec.digestfile, "digest");
}

proc::Command Buildah::manifest_inspect_command(const std::string& name) const {
    return command({"manifest", "inspect", name});
}

proc::Command Buildah::inspect_command(const std::string& image) const {
    return command({"inspect", "--type", "image", image});
}

proc::Command Buildah::image_id_command(const std::string& name) const {
    return command({"images", "--json", "--no-trunc", "--filter", "reference=" + name});
}

std::vector<proc::Command> Buildah::build_plan(const BuildSpec& spec) const {
    if (!builds_manifest_list(spec) || spec.references.empty()) {
        return {build_command(spec)};
    }
    std::vector<proc::Command> plan{manifest_rm_command(spec.references.front()), build_command(spec)};
    if (spec.references.size() > 1) {
        plan.push_back(tag_command(spec.references.front(),
                                   std::vector<std::string>(spec.references.begin() + 1, spec.references.end())));
    }
    plan.push_back(image_id_command(spec.references.front()));
    return plan;
}

Result<proc::ProcessResult> Buildah::run_checked(const proc::Command& command, std::string_view doing) {
    Result<proc::ProcessResult> result = m_runner.run(command);
    if (!result) {
        return start_error(doing, result.error());
    }
    if (!result->status.success()) {
        return failure_error(doing, *result);
    }
    return result;
}

Result<void> Buildah::run_build(const BuildSpec& spec, const proc::OutputSink& sink, BuiltImage& built,
                                std::string_view doing) {
    if (builds_manifest_list(spec) && !spec.references.empty()) {
        proc::Command remove = manifest_rm_command(spec.references.front());
        Result<proc::ProcessResult> removed = m_runner.run(remove);
        if (!removed) {
            return start_error(doing, removed.error());
        }
        built.duration += removed->duration;
        if (!removed->status.success() && !contains(removed->err, "image not known")) {
            return failure_error(fmt::format("removing the old manifest list {}", spec.references.front()), *removed);
        }
    }
    proc::Command build = build_command(spec);
    build.sink = sink;
    Result<proc::ProcessResult> ran = run_checked(build, doing);
    if (!ran) {
        return ran.error();
    }
    built.duration += ran->duration;
    return {};
}

Result<std::vector<std::string>> Buildah::list_gaps(const BuildSpec& spec) {
    Result<proc::ProcessResult> inspected =
        run_checked(manifest_inspect_command(spec.references.front()), "buildah manifest inspect");
    if (!inspected) {
        return inspected.error();
    }
    Result<std::vector<std::string>> present = parse_manifest_platforms(inspected->out);
    if (!present) {
        return present.error();
    }
    return missing_platforms(spec.platforms, *present);
}

Result<BuiltImage> Buildah::build(const BuildSpec& spec, const proc::OutputSink& sink) {
    const std::string doing = spec.service.empty() ? std::string("buildah build")
                                                   : fmt::format("buildah build for service '{}'", spec.service);
    const bool list = builds_manifest_list(spec) && !spec.references.empty();
    BuiltImage built;
    if (auto ran = run_build(spec, sink, built, doing); !ran) {
        return ran.error();
    }
    if (!list) {
        Result<std::string> id = read_id_file(spec.iidfile, "image id");
        if (!id) {
            return id.error();
        }
        built.image_id = std::move(*id);
        return built;
    }
    Result<std::vector<std::string>> gaps = list_gaps(spec);
    if (!gaps) {
        return gaps.error();
    }
    if (!gaps->empty() && spec.layers) {
        built.notes.push_back(fmt::format(
            "{}: buildah put no image for {} into the manifest list (with --layers, buildah 1.28 reuses one "
            "platform's cached layers for the next); built again without layers",
            spec.service, fmt::join(*gaps, ", ")));
        BuildSpec without_layers = spec;
        without_layers.layers = false;
        if (auto ran = run_build(without_layers, sink, built, doing); !ran) {
            return ran.error();
        }
        gaps = list_gaps(spec);
        if (!gaps) {
            return gaps.error();
        }
    }
    if (!gaps->empty()) {
        return runtime_error(fmt::format("{}: the manifest list lacks {}", doing, fmt::join(*gaps, ", ")),
                             "check that buildah can build for those platforms (qemu-user-static for RUN steps)");
    }
    if (spec.references.size() > 1) {
        std::vector<std::string> others(spec.references.begin() + 1, spec.references.end());
        Result<proc::ProcessResult> tagged = run_checked(tag_command(spec.references.front(), others), "buildah tag");
        if (!tagged) {
            return tagged.error();
        }
        built.duration += tagged->duration;
    }
    Result<proc::ProcessResult> listed = run_checked(image_id_command(spec.references.front()), "buildah images");
    if (!listed) {
        return listed.error();
    }
    Result<std::string> id = parse_image_id(listed->out, spec.references.front());
    if (!id) {
        return id.error();
    }
    built.image_id = std::move(*id);
    return built;
}

Result<ImageDetails> Buildah::inspect(const std::string& image) {
    Result<proc::ProcessResult> result = run_checked(inspect_command(image), fmt::format("buildah inspect {}", image));
    if (!result) {
        return result.error();
    }
    return parse_inspect(result->out);
}

}  // namespace pipeline::tools
