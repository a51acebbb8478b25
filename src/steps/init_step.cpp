#include <pipe/steps/init_step.h>

#include <pipe/core/atomic_file.h>
#include <pipe/core/file_text.h>
#include <pipe/core/regex_literal.h>
#include <pipe/git/repository_state.h>
#include <pipe/oci/reference.h>
#include <pipe/steps/init_templates.h>

#include <fmt/format.h>

#include <cctype>

namespace pipeline::steps {
namespace {

// Where an embedded example goes in the project; "" for files pipe init does not copy.
std::filesystem::path destination(std::string_view name, const InitOptions& options) {
    const std::filesystem::path path(name);
    if (options.github_actions && name == "github-actions/ci.yaml") {
        return ".github/workflows/ci.yaml";
    }
    if (options.makefile && name == "Makefile") {
        return "Makefile";
    }
    if (options.tekton && path.parent_path() == "tekton" && path.extension() == ".yaml") {
        return std::filesystem::path(".tekton") / path.filename();
    }
    return {};
}

// The repository name a directory suggests: lower case, other characters as '-'.
std::string placeholder_name(const std::filesystem::path& root) {
    std::string name = root.filename().string();
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        out += std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '-';
    }
    out.erase(0, out.find_first_not_of('-'));
    out.erase(out.find_last_not_of('-') + 1);
    return out.empty() ? std::string("app") : out;
}

// Plans one file: create, replace (other content) or unchanged.
PlannedFile plan_file(const std::filesystem::path& root, std::filesystem::path path, std::string content) {
    PlannedFile file{std::move(path), FileAction::create, std::move(content)};
    std::error_code ec;
    if (std::filesystem::exists(root / file.path, ec)) {
        const std::optional<std::string> current = read_file_text(root / file.path);
        file.action = current && *current == file.content ? FileAction::unchanged : FileAction::replace;
    }
    return file;
}

// Writes content to path (after what is there when appending), creating its directory.
Result<void> write_planned(const std::filesystem::path& path, const std::string& content, bool append) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
        return runtime_error(fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()),
                             "check the directory's permissions");
    }
    return write_file_atomically(path, append ? read_file_text(path).value_or("") + content : content);
}

}  // namespace

std::string_view action_name(FileAction action) {
    switch (action) {
        case FileAction::create:
            return "create";
        case FileAction::replace:
            return "replace";
        case FileAction::append:
            return "append";
        case FileAction::unchanged:
            return "unchanged";
    }
    return "create";
}

ProjectFacts detect_project(const std::filesystem::path& directory) {
    ProjectFacts facts;
    Result<std::filesystem::path> root = git::find_root(directory);
    facts.root = root ? *root : directory;
    if (root) {
        Result<std::string> url = git::read_origin_url(*root);
        facts.remote_url = url ? *url : std::string();
    }
    facts.language = detect_language(facts.root);
    facts.containerfile = detect_containerfile(facts.root);
    std::optional<std::string> image = github_image(facts.remote_url);
    if (image && oci::parse_repository(*image)) {
        facts.image = *image;
        facts.image_from_remote = true;
    } else {
        facts.image = "ghcr.io/your-org/" + placeholder_name(facts.root);
    }
    return facts;
}

std::string starter_config(const ProjectFacts& facts) {
    std::string text =
        "# pipe.yaml: how `pipe` tests, builds, scans, pushes, signs and deploys this repository.\n"
        "# Written by `pipe init`; every key is described in `man pipe`. Values here are overridden by\n"
        "# PIPE_* environment variables, which are overridden by flags. `pipe doctor` checks the machine.\n";
    if (facts.language) {
        text += fmt::format("# Detected: a {} project ({}).\n", facts.language->name, facts.language->marker);
    }
    text += "\n";
    if (facts.image_from_remote) {
        text += fmt::format("# The image repository, from the GitHub remote {}.\n", facts.remote_url);
    } else {
        text +=
            "# The image repository: replace this placeholder with your registry and repository\n"
            "# (no GitHub remote was found to derive ghcr.io/<owner>/<repo> from).\n";
    }
    text += fmt::format("image: {}\n\n", facts.image);
    text +=
        "# Tags and OCI labels follow docker/metadata-action's rules. pipe's default, spelled out:\n"
        "# the full commit sha, the branch, and the version of a v1.2.3 tag.\n"
        "tags:\n"
        "  - type=sha,format=long,prefix=sha-\n"
        "  - type=ref,event=branch\n"
        "  - type=semver,pattern={{version}}\n\n";
    text += "# What buildah builds: the context directory and the Containerfile (or Dockerfile) in it.\n";
    if (facts.containerfile.empty()) {
        text +=
            "# No Containerfile was found: write one before `pipe build`.\n"
            "context: .\n\n";
    } else {
        text += fmt::format("context: .\nfile: {}\n\n", facts.containerfile);
    }
    text +=
        "# How buildah builds. Where user namespaces are unavailable (CI containers, rootless\n"
        "# without /etc/subuid), vfs storage and chroot isolation still work; `pipe doctor` tells.\n"
        "build:\n"
        "  layers: true\n"
        "  # storage_driver: vfs\n"
        "  # isolation: chroot\n"
        "  # platforms: [linux/amd64, linux/arm64]\n\n";
    text +=
        "# The gate of `pipe scan` (Trivy): findings of these severities fail the pipeline.\n"
        "scan:\n"
        "  severity: CRITICAL,HIGH\n"
        "  ignore_unfixed: false\n\n";
    text +=
        "# `pipe sign`: keyless (Sigstore, the GitHub Actions identity) unless `key:` names a cosign key;\n"
        "# an SBOM and SLSA provenance are attached as attestations.\n"
        "sign:\n"
        "  attest: sbom,provenance\n\n";
    std::optional<std::string> repository = github_repository(facts.remote_url);
    if (facts.image_from_remote && repository) {
        text +=
            "# The signer `pipe verify` (and the check before `pipe bump`) accepts: this repository's\n"
            "# workflows, signing keyless in GitHub Actions.\n"
            "verify:\n";
        text += fmt::format("  certificate_identity_regexp: '^https://github\\.com/{}/'\n", regex_literal(*repository));
        text += "  certificate_oidc_issuer: https://token.actions.githubusercontent.com\n\n";
    } else {
        text +=
            "# The signer `pipe verify` accepts, e.g. a public key:\n"
            "# verify:\n"
            "#   key: cosign.pub\n\n";
    }
    text +=
        "# `pipe bump`: where the pushed image is written in a GitOps config repository.\n"
        "# bump:\n"
        "#   repo: your-org/k8s-config\n"
        "#   file: apps/" +
        facts.image.substr(facts.image.rfind('/') + 1) +
        "/values.yaml\n"
        "#   key: image.tag\n";
    return text;
}

std::optional<std::string> gitignore_addition(const std::string& current) {
    std::size_t start = 0;
    while (start < current.size()) {
        std::size_t end = current.find('\n', start);
        if (end == std::string::npos) {
            end = current.size();
        }
        std::string line = current.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.pop_back();
        }
        if (line == ".pipe" || line == ".pipe/" || line == "/.pipe" || line == "/.pipe/") {
            return std::nullopt;
        }
        start = end + 1;
    }
    const std::string entry = "# pipe's state between steps (pipe init)\n.pipe/\n";
    return current.empty() || current.back() == '\n' ? entry : "\n" + entry;
}

Result<InitResult> run_init(const InitOptions& options) {
    InitResult result;
    result.facts = detect_project(options.directory);
    const std::filesystem::path& root = result.facts.root;
    result.files.push_back(plan_file(root, "pipe.yaml", starter_config(result.facts)));
    const std::optional<std::string> ignored = read_file_text(root / ".gitignore");
    std::optional<std::string> addition = gitignore_addition(ignored.value_or(""));
    if (addition) {
        result.files.push_back(PlannedFile{".gitignore", ignored ? FileAction::append : FileAction::create, *addition});
    } else {
        result.files.push_back(PlannedFile{".gitignore", FileAction::unchanged, {}});
    }
    for (const EmbeddedFile& file : embedded_templates()) {
        const std::filesystem::path target = destination(file.name, options);
        if (!target.empty()) {
            result.files.push_back(plan_file(root, target, std::string(file.content)));
        }
    }
    std::vector<std::string> conflicts;
    for (const PlannedFile& file : result.files) {
        if (file.action == FileAction::replace) {
            conflicts.push_back(file.path.string());
        }
    }
    if (!conflicts.empty() && !options.force) {
        return usage_error(
            fmt::format("{} already exist{} with other content", fmt::join(conflicts, ", "),
                        conflicts.size() == 1 ? "s" : ""),
            "pipe init never overwrites a file: pass --force to replace it, or move it away and run pipe init again");
    }
    if (options.dry_run) {
        return result;
    }
    for (const PlannedFile& file : result.files) {
        if (file.action == FileAction::unchanged) {
            continue;
        }
        if (auto written = write_planned(root / file.path, file.content, file.action == FileAction::append); !written) {
            return written.error();
        }
    }
    return result;
}

}  // namespace pipeline::steps
