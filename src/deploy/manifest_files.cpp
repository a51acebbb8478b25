#include <pipe/deploy/manifest_files.h>

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

namespace pipeline::deploy {
namespace {

namespace fs = std::filesystem;

bool yaml_extension(const fs::path& file) {
    const std::string extension = file.extension().string();
    return extension == ".yaml" || extension == ".yml";
}

bool hidden(const fs::path& entry) {
    const std::string name = entry.filename().string();
    return name.size() > 1 && name.front() == '.' && name != "..";
}

// The YAML files below folder, sorted so that the gate reports in the same order everywhere.
Result<std::vector<fs::path>> walk(const fs::path& folder) {
    std::vector<fs::path> files;
    std::error_code error;
    fs::recursive_directory_iterator it(folder, error);
    const fs::recursive_directory_iterator end;
    while (!error && it != end) {
        const fs::directory_entry& entry = *it;
        std::error_code type_error;
        if (entry.is_directory(type_error) && hidden(entry.path())) {
            it.disable_recursion_pending();
        } else if (entry.is_regular_file(type_error) && yaml_extension(entry.path())) {
            files.push_back(entry.path());
        }
        it.increment(error);
    }
    if (error) {
        return runtime_error(fmt::format("cannot read folder {}: {}", folder.string(), error.message()),
                             "check that the folder exists and is readable");
    }
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
    return files;
}

}  // namespace

Result<std::vector<fs::path>> manifest_files(const std::vector<fs::path>& paths) {
    std::vector<fs::path> files;
    for (const fs::path& path : paths) {
        std::error_code error;
        const fs::file_status status = fs::status(path, error);
        if (!fs::exists(status)) {
            return usage_error(fmt::format("{}: no such file or folder", path.string()),
                               "give the deployment files or the folder holding them, e.g. -f k8s/");
        }
        if (!fs::is_directory(status)) {
            files.push_back(path);
            continue;
        }
        Result<std::vector<fs::path>> found = walk(path);
        if (!found) {
            return found.error();
        }
        files.insert(files.end(), found->begin(), found->end());
    }
    return files;
}

bool in_chart_templates(const fs::path& file) {
    for (fs::path folder = file.parent_path(); !folder.empty() && folder.has_relative_path();
         folder = folder.parent_path()) {
        std::error_code error;
        if (folder.filename() == "templates" && fs::exists(folder.parent_path() / "Chart.yaml", error)) {
            return true;
        }
    }
    return false;
}

}  // namespace pipeline::deploy
