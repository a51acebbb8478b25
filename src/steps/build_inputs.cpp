#include <pipe/core/file_text.h>
#include <pipe/steps/build_inputs.h>

#include <pipe/oci/digest.h>
#include <pipe/tools/context_ignore.h>

#include <fmt/format.h>

#include <algorithm>

namespace pipeline::steps {
namespace {

struct ContextEntry {
    std::string path;  // relative, '/'-separated
    std::filesystem::file_type type = std::filesystem::file_type::regular;
    bool executable = false;
};

Result<std::vector<ContextEntry>> list_context(const std::filesystem::path& context,
                                               const std::vector<tools::IgnorePattern>& patterns) {
    const bool may_reinclude =
        std::any_of(patterns.begin(), patterns.end(), [](const tools::IgnorePattern& p) { return p.exclusion; });
    std::vector<ContextEntry> entries;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(context, ec);
    if (ec) {
        return runtime_error(fmt::format("cannot read the build context {}: {}", context.string(), ec.message()));
    }
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            return runtime_error(fmt::format("cannot read the build context {}: {}", context.string(), ec.message()));
        }
        const std::filesystem::directory_entry& entry = *it;
        const std::string relative = entry.path().lexically_relative(context).generic_string();
        const std::filesystem::file_status status = entry.symlink_status(ec);
        const bool directory = status.type() == std::filesystem::file_type::directory;
        if (relative == ".pipe" || relative.rfind(".pipe/", 0) == 0 || tools::is_ignored(patterns, relative)) {
            if (directory && !may_reinclude) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (directory) {
            continue;
        }
        ContextEntry item;
        item.path = relative;
        item.type = status.type();
        item.executable = (status.permissions() & std::filesystem::perms::owner_exec) != std::filesystem::perms::none;
        entries.push_back(std::move(item));
    }
    std::sort(entries.begin(), entries.end(),
              [](const ContextEntry& a, const ContextEntry& b) { return a.path < b.path; });
    return entries;
}

}  // namespace

Result<BuildInputs> hash_build_inputs(const BuildInputsRequest& request) {
    std::vector<tools::IgnorePattern> patterns;
    if (auto ignore_file = tools::find_ignore_file(request.context, request.containerfile)) {
        patterns = tools::parse_ignore_file(read_file_text(*ignore_file).value_or(""));
    }
    Result<std::vector<ContextEntry>> entries = list_context(request.context, patterns);
    if (!entries) {
        return entries.error();
    }
    oci::Sha256 hash;
    BuildInputs inputs;
    auto field = [&](std::string_view name, std::string_view value) {
        hash.update(fmt::format("{} {}:{}\n", name, value.size(), value));
    };
    field("schema", "pipe-build-inputs/1");
    Result<std::string> containerfile = oci::sha256_file(request.containerfile);
    if (!containerfile) {
        return containerfile.error();
    }
    field("containerfile", *containerfile);
    for (const auto& [name, value] : request.build_args) {
        field("arg", fmt::format("{}={}", name, value));
    }
    field("target", request.target);
    for (const std::string& platform : request.platforms) {
        field("platform", platform);
    }
    for (const std::string& label : request.labels) {
        field("label", label);
    }
    for (const std::string& annotation : request.annotations) {
        field("annotation", annotation);
    }
    for (const std::string& base : request.base_images) {
        field("base", base);
    }
    for (const ContextEntry& entry : *entries) {
        const std::filesystem::path path = request.context / entry.path;
        if (entry.type == std::filesystem::file_type::symlink) {
            std::error_code ec;
            field("symlink", entry.path + " -> " + std::filesystem::read_symlink(path, ec).generic_string());
            continue;
        }
        if (entry.type != std::filesystem::file_type::regular) {
            field("special", entry.path);
            continue;
        }
        Result<std::string> content = oci::sha256_file(path);
        if (!content) {
            return content.error();
        }
        std::error_code ec;
        inputs.bytes += std::filesystem::file_size(path, ec);
        ++inputs.files;
        field(entry.executable ? "exec" : "file", entry.path + " " + *content);
    }
    inputs.digest = hash.finish();
    return inputs;
}

}  // namespace pipeline::steps
