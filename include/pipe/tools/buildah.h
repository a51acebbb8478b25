// The one buildah wrapper: turns build requests into argv vectors (never a shell), runs them
// through a proc::Runner, and turns buildah's failures into errors whose hint says how to fix
// the environment. Every buildah subcommand goes through Buildah::command(), so global storage
// options and registry credentials (an auth file named in REGISTRY_AUTH_FILE, never argv)
// apply to all of them, and a new subcommand such as `push --digestfile` is one function.
#pragma once

#include <pipe/core/error.h>
#include <pipe/core/result.h>
#include <pipe/proc/command.h>
#include <pipe/proc/runner.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::tools {

// Settings shared by every buildah invocation. Empty values keep buildah's own defaults
// (storage.conf, BUILDAH_ISOLATION), so pipe adds nothing the user did not ask for.
struct BuildahSettings {
    std::string executable = "buildah";  // searched on PATH unless it contains '/'
    std::string storage_driver;          // global --storage-driver (vfs works without privileges)
    std::filesystem::path root;          // global --root: where images are stored
    std::filesystem::path runroot;       // global --runroot: where runtime state is kept
    std::string isolation;               // build --isolation: oci, rootless or chroot
    std::filesystem::path auth_file;     // registry credentials, handed over as REGISTRY_AUTH_FILE
    std::filesystem::path directory;     // the working directory; relative paths start here
};

// One image to build from one Containerfile. With more than one platform the result is a
// manifest list named after the first reference, and the other references are added as tags.
struct BuildSpec {
    std::string service;                            // for messages and the Actions group title
    std::filesystem::path context;                  // build context directory
    std::filesystem::path containerfile;            // Containerfile or Dockerfile
    std::vector<std::string> references;            // every name the image gets (-t)
    std::map<std::string, std::string> labels;      // OCI labels (--label key=value)
    std::vector<std::string> annotations;           // key=value (--annotation)
    std::map<std::string, std::string> build_args;  // --build-arg NAME=VALUE
    std::string target;                             // --target stage; empty: the last stage
    std::vector<std::string> platforms;             // os/arch[/variant]; empty: the host's
    bool layers = true;                             // --layers, buildah's cache of intermediate layers
    std::vector<std::string> cache_from;            // --cache-from repositories (need layers)
    std::vector<std::string> cache_to;              // --cache-to repositories (need layers)
    std::filesystem::path iidfile;                  // where buildah writes the image id (one platform)
};

// True when spec builds a manifest list, i.e. names more than one platform.
bool builds_manifest_list(const BuildSpec& spec);

// What a finished build produced.
struct BuiltImage {
    std::string image_id;                   // sha256:<hex>: the image config, or the manifest list
    std::chrono::milliseconds duration{0};  // wall time of all buildah commands of the build
    std::vector<std::string> notes;         // what pipe did about buildah's quirks, for warnings
};

// The platforms ("os/arch[/variant]") of a `buildah manifest inspect` document; malformed JSON
// is a runtime error.
Result<std::vector<std::string>> parse_manifest_platforms(std::string_view json);

// The requested platforms that present lacks; a request without a variant matches any variant.
std::vector<std::string> missing_platforms(const std::vector<std::string>& requested,
                                           const std::vector<std::string>& present);

// One push of a local image (or manifest list) to one registry reference.
struct PushSpec {
    std::string source;                   // the name in local storage
    std::string destination;              // registry reference, e.g. ghcr.io/acme/api:sha-1234, or a path
    std::string transport = "docker://";  // containers-transports(5) prefix: docker:// or oci: (a layout dir)
    bool manifest_list = false;           // `buildah manifest push --all` instead of `buildah push`
    std::filesystem::path digestfile;     // where buildah writes the pushed manifest's digest
    bool tls_verify = true;               // false: plain HTTP or unverified TLS (--tls-verify=false)
    std::filesystem::path cert_dir;       // directory of *.crt CA files (--cert-dir); empty: system CAs
    std::filesystem::path tmpdir;         // buildah's TMPDIR, so what it leaves when interrupted is removed with
                                          // pipe's scratch directory; empty: inherited
};

// What `buildah inspect --type image` says about a local image.
struct ImageDetails {
    std::string id;                                  // sha256:<hex>
    std::map<std::string, std::string> labels;       // from the OCI config
    std::map<std::string, std::string> annotations;  // from the image manifest
};

// Reads the JSON of `buildah inspect --type image`; malformed output is a runtime error.
Result<ImageDetails> parse_inspect(std::string_view json);

// Reads the image id of the entry named `name` from `buildah images --json --no-trunc`.
Result<std::string> parse_image_id(std::string_view json, std::string_view name);

// Known reasons a buildah command fails, recognised from its stderr.
enum class BuildahFailure {
    unknown,          // nothing recognised: buildah's own message must do
    user_namespaces,  // no user namespaces for rootless builds (containers, locked-down kernels)
    storage_driver,   // overlay not usable here (no fuse-overlayfs, nested overlay, bad driver)
    containerfile,    // the Containerfile or Dockerfile is missing
    base_image,       // the FROM image cannot be pulled or found
    isolation,        // the OCI runtime cannot start RUN containers here (cgroups, crun/runc)
    not_a_list,       // a multi-platform build's name is taken by a single-platform image
    instruction,      // a Containerfile instruction failed (RUN exited non-zero, COPY source missing)
    registry_tls,     // the registry speaks plain HTTP, or its certificate is not trusted
    registry_auth,    // the registry refused the credentials (or asked for some)
    registry_down,    // the registry could not be reached at all
};

// Classifies buildah's stderr; the most specific environment cause wins over `instruction`.
BuildahFailure classify_failure(std::string_view stderr_text);

// The last error line buildah printed ("Error: ..." without the prefix), else its last
// non-empty line of stderr, else of stdout; empty when it printed nothing.
std::string failure_summary(const proc::ProcessResult& result);

// The error for a buildah command that ran and failed: `<doing> failed (<status>): <summary>`
// and a hint that fixes the recognised cause. A missing Containerfile is a config error,
// everything else a runtime error.
Error failure_error(std::string_view doing, const proc::ProcessResult& result);

// The error for a buildah command that could not be started: runtime, with the install hint
// `apt-get install buildah` when the executable was not found. Interrupts pass through unchanged.
Error start_error(std::string_view doing, Error error);

// Builds argv vectors for buildah and runs them through a Runner.
class Buildah {
public:
    Buildah(proc::Runner& runner, BuildahSettings settings);

    const BuildahSettings& settings() const { return m_settings; }

    // `buildah [globals] <args...>` with the working directory and REGISTRY_AUTH_FILE set: the
    // base of every other command.
    proc::Command command(std::vector<std::string> args) const;

    // `buildah build`: -t per reference (or --manifest for several platforms), --label,
    // --annotation, --build-arg, --target, --platform, --layers, --cache-from/--cache-to,
    // --iidfile (one platform), --format oci, -f and the context last.
    proc::Command build_command(const BuildSpec& spec) const;

    // `buildah [globals] --version`: "buildah version 1.28.2 (...)", for `pipe doctor`.
    proc::Command version_command() const;

    // `buildah [globals] info`: the host and storage facts of parse_buildah_info(), as the build
    // would see them (the same storage flags).
    proc::Command info_command() const;

    // `buildah tag <image> <names...>`.
    proc::Command tag_command(const std::string& image, const std::vector<std::string>& names) const;

    // `buildah manifest rm <name>`: a multi-platform build first drops an older list of that
    // name, since `--manifest` would otherwise add to it.
    proc::Command manifest_rm_command(const std::string& name) const;

    // `buildah push` (or `buildah manifest push --all`) with --digestfile, TLS settings and
    // the destination as docker://<reference>; credentials only through REGISTRY_AUTH_FILE.
    proc::Command push_command(const PushSpec& spec) const;

    // Runs push_command(spec), output lines to sink, and returns the digest from the digestfile.
    Result<std::string> push(const PushSpec& spec, const proc::OutputSink& sink);

    // `buildah manifest inspect <name>`: checks that a list holds every requested platform.
    proc::Command manifest_inspect_command(const std::string& name) const;

    // `buildah inspect --type image <image>`.
    proc::Command inspect_command(const std::string& image) const;

    // `buildah images --json --no-trunc --filter reference=<name>`: finds a manifest list's id.
    proc::Command image_id_command(const std::string& name) const;

    // The commands build() runs, in order; --dry-run prints them.
    std::vector<proc::Command> build_plan(const BuildSpec& spec) const;

    // Runs build_plan(spec), each command's output lines going to sink as they arrive, and
    // reads the image id (from the iidfile, or from storage for a manifest list). A manifest list
    // that lacks a requested platform (buildah 1.28 with --layers reuses one platform's cached
    // layers for the next) is built once more without layers, with a note; still lacking, an error.
    Result<BuiltImage> build(const BuildSpec& spec, const proc::OutputSink& sink);

    // Reads a local image's id, labels and annotations.
    Result<ImageDetails> inspect(const std::string& image);

private:
    // Removes an older list of the name (lists only) and runs the build command.
    Result<void> run_build(const BuildSpec& spec, const proc::OutputSink& sink, BuiltImage& built,
                           std::string_view doing);

    // The requested platforms the list built for spec lacks.
    Result<std::vector<std::string>> list_gaps(const BuildSpec& spec);

    // Runs command; a failed start or a non-zero exit becomes an error about `doing`.
    Result<proc::ProcessResult> run_checked(const proc::Command& command, std::string_view doing);

    proc::Runner& m_runner;
    BuildahSettings m_settings;
};

}  // namespace pipeline::tools
