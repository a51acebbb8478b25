#include <pipe/steps/test_detection.h>

#include <pipe/core/file_text.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace pipeline::steps {
namespace {

// What `npm init` writes into scripts.test: a project that has no tests yet.
constexpr std::string_view k_npm_placeholder = "no test specified";

// The makefiles GNU make reads, in its order.
const std::vector<std::string> k_makefiles{"GNUmakefile", "makefile", "Makefile"};

std::optional<std::string_view> content_of(const ProjectFiles& files, std::string_view name) {
    auto found = files.contents.find(name);
    if (found == files.contents.end()) {
        return std::nullopt;
    }
    return std::string_view(found->second);
}

bool has(const ProjectFiles& files, std::string_view name) {
    return files.names.find(name) != files.names.end();
}

// npm test for a package.json whose scripts.test is a real command; a note otherwise.
std::optional<DetectedRunner> detect_npm(const ProjectFiles& files, std::vector<std::string>& notes) {
    if (!has(files, "package.json")) {
        return std::nullopt;
    }
    DetectedRunner npm{
        "npm", "package.json", {{"npm", "test"}}, "", "install Node.js and npm (apt-get install nodejs npm)"};
    const nlohmann::json package =
        nlohmann::json::parse(std::string(content_of(files, "package.json").value_or("")), nullptr, false);
    if (package.is_discarded()) {
        // npm itself says best what is wrong with the file.
        return npm;
    }
    const nlohmann::json* test = nullptr;
    if (package.is_object() && package.contains("scripts") && package["scripts"].is_object() &&
        package["scripts"].contains("test")) {
        test = &package["scripts"]["test"];
    }
    if (test == nullptr || !test->is_string()) {
        notes.emplace_back("package.json has no scripts.test");
        return std::nullopt;
    }
    if (test->get<std::string>().find(k_npm_placeholder) != std::string::npos) {
        notes.emplace_back("package.json's scripts.test is npm's \"no test specified\" placeholder");
        return std::nullopt;
    }
    return npm;
}

// make test when the makefile make reads has a test target.
std::optional<DetectedRunner> detect_make(const ProjectFiles& files, std::vector<std::string>& notes) {
    for (const std::string& name : k_makefiles) {
        if (!has(files, name)) {
            continue;
        }
        if (makefile_has_target(content_of(files, name).value_or(""), "test")) {
            return DetectedRunner{"make", name, {{"make", "test"}}, "", "install make (apt-get install make)"};
        }
        notes.push_back(fmt::format("{} has no test target", name));
        return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

const std::vector<std::string>& detection_markers() {
    static const std::vector<std::string> k_markers{"go.mod",
                                                    "Cargo.toml",
                                                    "package.json",
                                                    "CMakeLists.txt",
                                                    "pyproject.toml",
                                                    "pytest.ini",
                                                    "a makefile with a test target"};
    return k_markers;
}

bool makefile_has_target(std::string_view makefile, std::string_view target) {
    std::istringstream lines{std::string(makefile)};
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.front() == '\t' || line.front() == '#') {
            continue;
        }
        line = line.substr(0, line.find('#'));
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const std::string_view after = std::string_view(line).substr(colon + 1);
        const bool assignment = after.rfind('=', 0) == 0 || after.rfind(":=", 0) == 0;
        const std::string targets = line.substr(0, colon);
        if (assignment || targets.find('=') != std::string::npos) {
            continue;
        }
        std::istringstream words(targets);
        for (std::string word; words >> word;) {
            if (word == target) {
                return true;
            }
        }
    }
    return false;
}

Detection detect_test_runner(const ProjectFiles& files) {
    Detection detection;
    if (has(files, "go.mod")) {
        detection.runner = DetectedRunner{"go",
                                          "go.mod",
                                          {{"go", "test", "./...", "-race", "-coverprofile=coverage.out"}},
                                          "coverage.out",
                                          "install Go (apt-get install golang-go)"};
        return detection;
    }
    if (has(files, "Cargo.toml")) {
        detection.runner = DetectedRunner{
            "cargo", "Cargo.toml", {{"cargo", "test"}}, "", "install Rust and cargo (apt-get install cargo)"};
        return detection;
    }
    if (auto npm = detect_npm(files, detection.notes)) {
        detection.runner = std::move(npm);
        return detection;
    }
    if (has(files, "CMakeLists.txt")) {
        const std::string build = k_cmake_test_build;
        detection.runner =
            DetectedRunner{"cmake",
                           "CMakeLists.txt",
                           {{"cmake", "-S", ".", "-B", build},
                            {"cmake", "--build", build},
                            {"ctest", "--test-dir", build, "--output-on-failure"}},
                           "",
                           "install CMake and a compiler (apt-get install cmake g++); ctest comes with cmake"};
        return detection;
    }
    for (const char* marker : {"pyproject.toml", "pytest.ini"}) {
        if (has(files, marker)) {
            detection.runner = DetectedRunner{
                "pytest",
                marker,
                {{"pytest"}},
                "",
                "install pytest (apt-get install python3-pytest, or pip install pytest in the project's virtualenv)"};
            return detection;
        }
    }
    if (auto make = detect_make(files, detection.notes)) {
        detection.runner = std::move(make);
    }
    return detection;
}

ProjectFiles read_project_files(const std::filesystem::path& root) {
    ProjectFiles files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        files.names.insert(it->path().filename().string());
    }
    std::vector<std::string> read{"package.json"};
    read.insert(read.end(), k_makefiles.begin(), k_makefiles.end());
    for (const std::string& name : read) {
        if (!has(files, name)) {
            continue;
        }
        if (std::optional<std::string> text = read_file_text(root / name)) {
            files.contents[name] = std::move(*text);
        }
    }
    return files;
}

}  // namespace pipeline::steps
