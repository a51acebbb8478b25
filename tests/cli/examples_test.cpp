// The files users copy to run pipe elsewhere: the GitHub Actions workflows and composite action,
// examples/Makefile and the Tekton Tasks and Pipeline. Each check is a function returning the
// problems it found, run over the real files and over small bad samples (so a check that can no
// longer fail shows up); the Makefile runs under make with fake-pipe in place of pipe.
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/core/yaml_guard.h>
#include <pipe/proc/system_runner.h>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using pipeline::testing::TempDir;

namespace {

namespace fs = std::filesystem;

const fs::path k_source = PIPE_SOURCE_DIR;

using Problems = std::vector<std::string>;

// One parsed YAML file and its text (comments are only in the text).
struct YamlFile {
    std::string name;
    std::string text;
    YAML::Node root;
};

YamlFile parse(const std::string& name, const std::string& text) {
    INFO(name);
    std::vector<YAML::Node> documents = pipeline::load_yaml_documents(text);
    REQUIRE(documents.size() == 1);
    return YamlFile{name, text, documents.front()};
}

YamlFile load(const fs::path& path) {
    std::string text = pipeline::testing::read_file(path);
    INFO(path.string());
    REQUIRE_FALSE(text.empty());
    return parse(path.filename().string(), text);
}

std::vector<YamlFile> load_all(const fs::path& directory, const std::string& extension) {
    std::vector<fs::path> paths;
    for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
        if (entry.path().extension() == extension) {
            paths.push_back(entry.path());
        }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<YamlFile> files;
    files.reserve(paths.size());
    for (const fs::path& path : paths) {
        files.push_back(load(path));
    }
    return files;
}

std::vector<YamlFile> workflows() {
    std::vector<YamlFile> files = load_all(k_source / "examples" / "github-actions", ".yaml");
    REQUIRE(files.size() >= 2);
    return files;
}

std::vector<YamlFile> tekton_files() {
    std::vector<YamlFile> files = load_all(k_source / "examples" / "tekton", ".yaml");
    REQUIRE(files.size() >= 8);
    return files;
}

// Calls visit(key, node) for every node under node, key being the nearest mapping key above it.
void walk(const YAML::Node& node, const std::function<void(const std::string&, const YAML::Node&)>& visit,
          const std::string& key = {}) {
    visit(key, node);
    if (node.IsMap()) {
        for (const auto& entry : node) {
            walk(entry.second, visit, entry.first.as<std::string>());
        }
    } else if (node.IsSequence()) {
        for (const YAML::Node& item : node) {
            walk(item, visit, key);
        }
    }
}

std::vector<std::string> scalars(const YAML::Node& node) {
    std::vector<std::string> out;
    walk(node, [&](const std::string& /*key*/, const YAML::Node& value) {
        if (value.IsScalar()) {
            out.push_back(value.Scalar());
        }
    });
    return out;
}

std::set<std::string> matches(const std::vector<std::string>& texts, const std::regex& pattern, int group = 1) {
    std::set<std::string> out;
    for (const std::string& text : texts) {
        for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
            out.insert((*it)[group].str());
        }
    }
    return out;
}

// The parts joined, without a temporary string per `+`.
template <typename... Parts>
std::string concat(const Parts&... parts) {
    std::string out;
    (out.append(parts), ...);
    return out;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

std::string text_of(const YAML::Node& node) {
    return node && node.IsScalar() ? node.Scalar() : std::string();
}

// --- GitHub Actions -----------------------------------------------------------------------------

// Every `uses:` names a 40-hex commit (local `./` paths aside) and carries a `# vX.Y.Z` comment.
Problems unpinned_uses(const YamlFile& file) {
    Problems problems;
    const std::regex pinned(R"(^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$)");
    walk(file.root, [&](const std::string& key, const YAML::Node& value) {
        if (key == "uses" && value.IsScalar() && value.Scalar().rfind("./", 0) != 0 &&
            !std::regex_match(value.Scalar(), pinned)) {
            problems.push_back(concat(file.name, ": not pinned to a commit: ", value.Scalar()));
        }
    });
    const std::regex line_pattern(R"(^\s*(?:-\s+)?uses:\s+(\S+)(.*)$)");
    const std::regex comment(R"(^\s+# v\d+\.\d+\.\d+\s*$)");
    std::istringstream lines(file.text);
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_match(line, match, line_pattern) && match[1].str().rfind("./", 0) != 0 &&
            !std::regex_match(match[2].str(), comment)) {
            problems.push_back(concat(file.name, ": no `# vX.Y.Z` comment: ", line));
        }
    }
    return problems;
}

bool excludes_pull_requests(const std::string& condition) {
    return condition.find("github.event_name == 'push'") != std::string::npos ||
           condition.find("github.event_name != 'pull_request'") != std::string::npos;
}

bool read_only(const YAML::Node& permissions) {
    if (!permissions.IsMap()) {
        return false;
    }
    return std::all_of(permissions.begin(), permissions.end(), [](const auto& entry) {
        const std::string level = entry.second.template as<std::string>();
        return level == "read" || level == "none";
    });
}

// Top-level permissions read-only, every job with its own, no pull_request_target, and nothing
// that pushes, signs, bumps or reads a secret where a pull request (maybe from a fork) can run it.
Problems permission_problems(const YamlFile& file) {
    Problems problems;
    const YAML::Node on = file.root["on"];
    if (!on) {
        problems.push_back(file.name + ": no `on:`");
    }
    for (const std::string& trigger : scalars(on)) {
        if (trigger == "pull_request_target") {
            problems.push_back(file.name + ": pull_request_target");
        }
    }
    if (on.IsMap() && on["pull_request_target"]) {
        problems.push_back(file.name + ": pull_request_target");
    }
    if (!read_only(file.root["permissions"])) {
        problems.push_back(file.name + ": top-level permissions must be {} or read-only");
    }
    const std::regex secret(R"(secrets\.([A-Za-z0-9_]+))");
    const std::regex publishing(R"((^|\n)\s*(exec\s+)?pipe\b[^\n]*\s(push|sign|bump)\b)");
    for (const auto& job : file.root["jobs"]) {
        const std::string name = file.name + ": job " + job.first.as<std::string>();
        const YAML::Node permissions = job.second["permissions"];
        if (!permissions || !permissions.IsMap()) {
            problems.push_back(name + ": no permissions map");
        }
        const bool on_pull_requests = !excludes_pull_requests(text_of(job.second["if"]));
        for (const std::string& used : matches(scalars(job.second), secret)) {
            if (on_pull_requests && used != "GITHUB_TOKEN") {
                problems.push_back(concat(name, ": secret ", used, " in a job that pull requests run"));
            }
        }
        for (const YAML::Node& step : job.second["steps"]) {
            const std::string run = text_of(step["run"]);
            if (on_pull_requests && std::regex_search(run, publishing) &&
                !excludes_pull_requests(text_of(step["if"]))) {
                problems.push_back(concat(name, ": pushes, signs or bumps on pull requests: ", run));
            }
            const YAML::Node env = step["env"];
            const std::string token = env ? text_of(env["PIPE_GITHUB_TOKEN"]) : std::string();
            if (token.find("GITHUB_TOKEN") != std::string::npos || token.find("github.token") != std::string::npos) {
                problems.push_back(name + ": pipe bump needs a token for the config repository, not GITHUB_TOKEN");
            }
        }
    }
    return problems;
}

// No `${{ }}` expression inside a `run:` script: inputs and event data reach scripts through env.
Problems script_injections(const YamlFile& file) {
    Problems problems;
    walk(file.root, [&](const std::string& key, const YAML::Node& value) {
        if (key == "run" && value.IsScalar() && value.Scalar().find("${{") != std::string::npos) {
            problems.push_back(concat(file.name, ": expression inside run: ", value.Scalar()));
        }
    });
    return problems;
}

// A composite action: every input used by a step, every used input declared, every output taken
// from an existing step id, a shell on every run step.
Problems action_problems(const YamlFile& file) {
    Problems problems;
    const YAML::Node runs = file.root["runs"];
    if (text_of(runs["using"]) != "composite") {
        problems.push_back(file.name + ": not a composite action");
    }
    std::set<std::string> ids;
    for (const YAML::Node& step : runs["steps"]) {
        if (step["id"]) {
            ids.insert(step["id"].as<std::string>());
        }
        if (step["run"] && !step["shell"]) {
            problems.push_back(file.name + ": run step without shell");
        }
    }
    std::set<std::string> declared;
    for (const auto& input : file.root["inputs"]) {
        declared.insert(input.first.as<std::string>());
    }
    const std::set<std::string> used = matches(scalars(runs), std::regex(R"(inputs\.([A-Za-z0-9_-]+))"));
    for (const std::string& name : declared) {
        if (used.count(name) == 0) {
            problems.push_back(concat(file.name, ": input ", name, " is never used"));
        }
    }
    for (const std::string& name : used) {
        if (declared.count(name) == 0) {
            problems.push_back(concat(file.name, ": undeclared input ", name));
        }
    }
    const std::regex output(R"(^\$\{\{ steps\.([A-Za-z0-9_-]+)\.outputs\.[A-Za-z0-9_-]+ \}\}$)");
    for (const auto& entry : file.root["outputs"]) {
        std::smatch match;
        const std::string value = text_of(entry.second["value"]);
        if (!std::regex_match(value, match, output) || ids.count(match[1].str()) == 0) {
            problems.push_back(
                concat(file.name, ": output ", entry.first.as<std::string>(), " names no step: ", value));
        }
    }
    return problems;
}

// --- Tekton -------------------------------------------------------------------------------------

// What a Task declares.
struct TaskShape {
    std::map<std::string, bool> params;      // name -> has a default
    std::set<std::string> results;           // names
    std::map<std::string, bool> workspaces;  // name -> optional
};

std::map<std::string, bool> named(const YAML::Node& list, const std::string& flag) {
    std::map<std::string, bool> out;
    for (const YAML::Node& item : list) {
        bool set = false;
        if (flag == "default") {
            set = static_cast<bool>(item["default"]);
        } else if (item[flag]) {
            set = item[flag].as<bool>();
        }
        out[item["name"].as<std::string>()] = set;
    }
    return out;
}

TaskShape shape_of(const YAML::Node& spec) {
    TaskShape shape;
    shape.params = named(spec["params"], "default");
    for (const auto& [name, unused] : named(spec["results"], "default")) {
        shape.results.insert(name);
    }
    shape.workspaces = named(spec["workspaces"], "optional");
    return shape;
}

const std::regex k_param_use(R"(\$\(params\.([A-Za-z0-9_-]+)(\[\*\])?\))");

Problems resource_problems(const YamlFile& file) {
    Problems problems;
    if (text_of(file.root["apiVersion"]) != "tekton.dev/v1") {
        problems.push_back(file.name + ": apiVersion is not tekton.dev/v1");
    }
    const std::string kind = text_of(file.root["kind"]);
    if (kind != "Task" && kind != "Pipeline") {
        problems.push_back(file.name + ": kind is neither Task nor Pipeline");
    }
    const std::string name = text_of(file.root["metadata"]["name"]);
    if (name.empty() || file.name != name + ".yaml") {
        problems.push_back(concat(file.name, ": metadata.name must be the file name: ", name));
    }
    if (!file.root["spec"].IsMap()) {
        problems.push_back(file.name + ": no spec");
    }
    return problems;
}

// A Task uses exactly the params, results and workspaces it declares, and runs the pipe image.
Problems task_problems(const YamlFile& file) {
    Problems problems;
    const YAML::Node spec = file.root["spec"];
    const TaskShape shape = shape_of(spec);
    const std::vector<std::string> texts = scalars(spec["steps"]);
    const std::set<std::string> params = matches(texts, k_param_use);
    const std::set<std::string> results = matches(texts, std::regex(R"(\$\(results\.([A-Za-z0-9_-]+)\.path\))"));
    const std::set<std::string> workspaces =
        matches(texts, std::regex(R"(\$\(workspaces\.([A-Za-z0-9_-]+)\.(path|bound|claim|volume)\))"));
    for (const std::string& used : params) {
        if (shape.params.count(used) == 0) {
            problems.push_back(concat(file.name, ": undeclared param ", used));
        }
    }
    for (const auto& [declared, unused] : shape.params) {
        if (params.count(declared) == 0) {
            problems.push_back(concat(file.name, ": param ", declared, " is never used"));
        }
    }
    for (const std::string& used : results) {
        if (shape.results.count(used) == 0) {
            problems.push_back(concat(file.name, ": undeclared result ", used));
        }
    }
    for (const std::string& declared : shape.results) {
        if (results.count(declared) == 0) {
            problems.push_back(concat(file.name, ": result ", declared, " is never written"));
        }
    }
    for (const std::string& used : workspaces) {
        if (shape.workspaces.count(used) == 0) {
            problems.push_back(concat(file.name, ": undeclared workspace ", used));
        }
    }
    for (const YAML::Node& step : spec["steps"]) {
        if (text_of(step["image"]) != "$(params.pipe-image)") {
            problems.push_back(file.name + ": a step runs another image than $(params.pipe-image)");
        }
    }
    return problems;
}

// A Pipeline's tasks name existing Tasks, pass only params they declare (and every one without a
// default), bind declared workspaces on both sides, and read results their Tasks declare.
Problems pipeline_problems(const YamlFile& file, const std::map<std::string, TaskShape>& tasks) {
    Problems problems;
    const YAML::Node spec = file.root["spec"];
    const std::map<std::string, bool> params = named(spec["params"], "default");
    const std::map<std::string, bool> workspaces = named(spec["workspaces"], "optional");
    std::map<std::string, std::string> task_of;  // pipeline task -> Task
    for (const YAML::Node& task : spec["tasks"]) {
        const std::string name = task["name"].as<std::string>();
        const std::string ref = text_of(task["taskRef"]["name"]);
        if (task_of.count(name) != 0) {
            problems.push_back(concat(file.name, ": task ", name, " twice"));
        }
        task_of[name] = ref;
        if (tasks.count(ref) == 0) {
            problems.push_back(concat(file.name, ": task ", name, " refers to no Task file: ", ref));
            continue;
        }
        const TaskShape& shape = tasks.at(ref);
        std::set<std::string> given;
        for (const YAML::Node& param : task["params"]) {
            given.insert(param["name"].as<std::string>());
            if (shape.params.count(param["name"].as<std::string>()) == 0) {
                problems.push_back(file.name + ": task " + name + " passes undeclared param " +
                                   param["name"].as<std::string>());
            }
        }
        for (const auto& [param, has_default] : shape.params) {
            if (!has_default && given.count(param) == 0) {
                problems.push_back(concat(file.name, ": task ", name, " misses required param ", param));
            }
        }
        std::set<std::string> bound;
        for (const YAML::Node& binding : task["workspaces"]) {
            const std::string inner = binding["name"].as<std::string>();
            const std::string outer = binding["workspace"].as<std::string>();
            bound.insert(inner);
            if (shape.workspaces.count(inner) == 0) {
                problems.push_back(concat(file.name, ": task ", name, " binds undeclared workspace ", inner));
            } else if (workspaces.count(outer) == 0) {
                problems.push_back(concat(file.name, ": task ", name, " binds unknown pipeline workspace ", outer));
            } else if (workspaces.at(outer) && !shape.workspaces.at(inner)) {
                problems.push_back(concat(file.name, ": optional workspace ", outer, " bound to required ", inner));
            }
        }
        for (const auto& [workspace, optional] : shape.workspaces) {
            if (!optional && bound.count(workspace) == 0) {
                problems.push_back(concat(file.name, ": task ", name, " leaves workspace ", workspace, " unbound"));
            }
        }
    }
    for (const YAML::Node& task : spec["tasks"]) {
        for (const YAML::Node& after : task["runAfter"]) {
            if (task_of.count(after.as<std::string>()) == 0) {
                problems.push_back(concat(file.name, ": runAfter names no task: ", after.as<std::string>()));
            }
        }
    }
    const std::vector<std::string> texts = scalars(spec);
    for (const std::string& used : matches(texts, k_param_use)) {
        if (params.count(used) == 0) {
            problems.push_back(concat(file.name, ": undeclared pipeline param ", used));
        }
    }
    const std::regex result_use(R"(\$\(tasks\.([A-Za-z0-9_-]+)\.results\.([A-Za-z0-9_-]+)\))");
    for (const std::string& text : texts) {
        for (std::sregex_iterator it(text.begin(), text.end(), result_use), end; it != end; ++it) {
            const std::string task = (*it)[1].str();
            const std::string result = (*it)[2].str();
            if (task_of.count(task) == 0 || tasks.count(task_of.at(task)) == 0) {
                problems.push_back(concat(file.name, ": result of unknown task ", task));
            } else if (tasks.at(task_of.at(task)).results.count(result) == 0) {
                problems.push_back(concat(file.name, ": task ", task, " has no result ", result));
            }
        }
    }
    return problems;
}

std::map<std::string, TaskShape> task_shapes(const std::vector<YamlFile>& files) {
    std::map<std::string, TaskShape> shapes;
    for (const YamlFile& file : files) {
        if (text_of(file.root["kind"]) == "Task") {
            shapes[text_of(file.root["metadata"]["name"])] = shape_of(file.root["spec"]);
        }
    }
    return shapes;
}

// --- pipe commands ------------------------------------------------------------------------------

// The pipe command each invocation in the examples names, with where it was found.
std::vector<std::pair<std::string, std::string>> pipe_invocations() {
    std::vector<std::pair<std::string, std::string>> found;
    const std::regex script_call(R"((?:^|\n)\s*(?:exec\s+)?pipe((?:\s+(?:-\S+|\$\{[^}]*\}))*)\s+([a-z][a-z-]*))");
    auto from_scripts = [&](const YamlFile& file) {
        walk(file.root, [&](const std::string& key, const YAML::Node& value) {
            if (key == "run" && value.IsScalar()) {
                for (const std::string& command : matches({value.Scalar()}, script_call, 2)) {
                    found.emplace_back(file.name, command);
                }
            }
        });
    };
    for (const YamlFile& file : workflows()) {
        from_scripts(file);
    }
    const YamlFile action = load(k_source / "examples/github-actions/action/action.yml");
    from_scripts(action);
    const std::regex case_list(R"((?:^|\n)\s*((?:[a-z]+\|)+[a-z]+)\) ;;)");
    for (const std::string& list : matches(scalars(action.root["runs"]), case_list)) {
        std::istringstream words(list);
        for (std::string word; std::getline(words, word, '|');) {
            found.emplace_back("action.yml case", word);
        }
    }
    std::istringstream makefile(pipeline::testing::read_file(k_source / "examples" / "Makefile"));
    const std::regex recipe(R"(^\t\$\(PIPE\)(?:\s+(?:\$\([A-Z_]+\)|-\S+))*\s+([a-z][a-z-]*))");
    for (std::string line; std::getline(makefile, line);) {
        std::smatch match;
        if (std::regex_search(line, match, recipe)) {
            found.emplace_back("Makefile", match[1].str());
        }
    }
    for (const YamlFile& file : tekton_files()) {
        for (const YAML::Node& step : file.root["spec"]["steps"]) {
            for (const YAML::Node& arg : step["args"]) {
                const std::string word = arg.as<std::string>();
                if (word.rfind("$(", 0) != 0 && word.rfind('-', 0) != 0) {
                    found.emplace_back(file.name, word);
                    break;
                }
            }
        }
    }
    return found;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(line);
        }
    }
    return out;
}

// --- make ---------------------------------------------------------------------------------------

struct MakeRun {
    int exit_code = -1;
    std::string err;
    std::vector<std::string> calls;  // fake-pipe's argv lines
};

MakeRun run_make(const TempDir& dir, const std::vector<std::string>& args, const pipeline::Environment& env) {
    pipeline::proc::Command command;
    command.argv = {"make", "--no-print-directory", "-f", (k_source / "examples" / "Makefile").string()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.argv.push_back("PIPE=" + (k_source / "tests" / "fakes" / "fake-pipe").string());
    const fs::path log = dir.path() / "calls.log";
    fs::remove(log);
    command.env = env;
    command.env["FAKE_PIPE_LOG"] = log.string();
    command.cwd = dir.path();
    command.timeout = std::chrono::seconds(30);
    pipeline::proc::SystemRunner runner;
    auto result = runner.run(command);
    INFO("make must be installed (apt-get install make)");
    REQUIRE(result.has_value());
    return MakeRun{result->status.exit_code().value_or(-1), result->err, lines_of(pipeline::testing::read_file(log))};
}

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) {
        out += line + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("every action a workflow or the composite action uses is pinned to a commit", "[cli][examples]") {
    std::vector<YamlFile> files = workflows();
    files.push_back(load(k_source / "examples/github-actions/action/action.yml"));
    std::size_t uses = 0;
    for (const YamlFile& file : files) {
        CHECK(join(unpinned_uses(file)) == "");
        walk(file.root, [&](const std::string& key, const YAML::Node& /*value*/) { uses += key == "uses" ? 1 : 0; });
    }
    CHECK(uses >= 15);
    YamlFile bad = parse("bad.yaml",
                         "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n"
                         "      - uses: actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5\n"
                         "      - uses: ./local\n");
    CHECK(unpinned_uses(bad) == Problems{"bad.yaml: not pinned to a commit: actions/checkout@v4",
                                         "bad.yaml: no `# vX.Y.Z` comment:       - uses: actions/checkout@v4",
                                         "bad.yaml: no `# vX.Y.Z` comment:       - uses: "
                                         "actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5"});
}

TEST_CASE("workflows grant least privilege per job and give pull requests no secrets, push or signature",
          "[cli][examples]") {
    for (const YamlFile& file : workflows()) {
        INFO(file.name);
        CHECK(join(permission_problems(file)) == "");
        CHECK(join(script_injections(file)) == "");
    }
    YamlFile bad = parse("bad.yaml",
                         "on: [push, pull_request_target]\npermissions: write-all\njobs:\n"
                         "  a:\n    steps:\n      - run: pipe push\n        env:\n"
                         "          PIPE_GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
                         "      - run: echo ${{ github.event.pull_request.title }} ${{ secrets.DEPLOY }}\n");
    Problems problems = permission_problems(bad);
    INFO(join(problems));
    CHECK(problems.size() == 6);
    CHECK(script_injections(bad).size() == 1);
}

TEST_CASE("the composite action maps declared inputs through env and outputs to its steps", "[cli][examples]") {
    YamlFile action = load(k_source / "examples/github-actions/action/action.yml");
    CHECK(join(action_problems(action)) == "");
    CHECK(join(script_injections(action)) == "");
    CHECK(join(unpinned_uses(action)) == "");
    CHECK(action.root["outputs"]["digest"]);
    CHECK(action.root["outputs"]["pull-request-url"]);
    YamlFile bad = parse("action.yml",
                         "inputs:\n  unused: {}\nruns:\n  using: composite\n  steps:\n"
                         "    - id: run\n      run: pipe ${{ inputs.command }}\n"
                         "outputs:\n  digest:\n    value: ${{ steps.push.outputs.digest }}\n");
    Problems problems = action_problems(bad);
    INFO(join(problems));
    CHECK(problems.size() == 4);
    CHECK(script_injections(bad).size() == 1);
}

TEST_CASE("the Tekton Tasks and Pipeline declare what they use and wire results consistently", "[cli][examples]") {
    std::vector<YamlFile> files = tekton_files();
    const std::map<std::string, TaskShape> tasks = task_shapes(files);
    for (const char* step : {"test", "build", "scan", "push", "sign", "bump"}) {
        CHECK(tasks.count(std::string("pipe-") + step) == 1);
    }
    REQUIRE(tasks.count("pipe-push") == 1);
    CHECK(tasks.at("pipe-push").results == std::set<std::string>{"IMAGE_DIGEST", "IMAGE_URL"});
    std::size_t pipelines = 0;
    for (const YamlFile& file : files) {
        INFO(file.name);
        CHECK(join(resource_problems(file)) == "");
        if (text_of(file.root["kind"]) == "Task") {
            CHECK(join(task_problems(file)) == "");
        } else {
            ++pipelines;
            CHECK(join(pipeline_problems(file, tasks)) == "");
            std::set<std::string> used;
            for (const YAML::Node& task : file.root["spec"]["tasks"]) {
                used.insert(text_of(task["taskRef"]["name"]));
            }
            for (const auto& [task, shape] : tasks) {
                CHECK(used.count(task) == 1);
            }
            CHECK(text_of(file.root["spec"]["results"][0]["value"]) == "$(tasks.push.results.IMAGE_DIGEST)");
        }
    }
    CHECK(pipelines == 1);
    YamlFile bad_task = parse("pipe-x.yaml",
                              "apiVersion: tekton.dev/v1beta1\nkind: Task\nmetadata: {name: pipe-y}\nspec:\n"
                              "  params: [{name: unused}]\n  results: [{name: DIGEST}]\n  steps:\n"
                              "    - image: debian\n      script: echo $(params.missing) > $(results.OTHER.path)\n");
    CHECK(resource_problems(bad_task).size() == 2);
    Problems task = task_problems(bad_task);
    INFO(join(task));
    CHECK(task.size() == 5);
    YamlFile bad_pipeline = parse("p.yaml",
                                  "spec:\n  workspaces: [{name: source, optional: true}]\n  tasks:\n"
                                  "    - name: push\n      taskRef: {name: pipe-push}\n"
                                  "      params: [{name: nope, value: $(params.undeclared)}]\n"
                                  "      workspaces: [{name: source, workspace: source}]\n"
                                  "    - name: sign\n      runAfter: [missing]\n      taskRef: {name: pipe-none}\n"
                                  "      params: [{name: image, value: $(tasks.push.results.DIGEST)}]\n");
    Problems pipeline = pipeline_problems(bad_pipeline, tasks);
    INFO(join(pipeline));
    CHECK(pipeline.size() == 8);
}

TEST_CASE("every pipe invocation in the examples names a command of pipe's command table", "[cli][examples]") {
    TempDir dir;
    auto listing = pipeline::testing::run_pipe({"__complete", ""}, dir.path());
    REQUIRE(listing.exit_code == 0);
    std::vector<std::string> listed = lines_of(listing.out);
    const std::set<std::string> commands(listed.begin(), listed.end());
    REQUIRE(commands.count("push") == 1);
    std::vector<std::pair<std::string, std::string>> found = pipe_invocations();
    std::set<std::string> named;
    for (const auto& [where, command] : found) {
        INFO(where);
        CHECK(commands.count(command) == 1);
        named.insert(command);
    }
    for (const char* step : {"test", "build", "scan", "push", "sign", "bump", "verify", "run"}) {
        CHECK(named.count(step) == 1);
    }
    CHECK(found.size() >= 30);
}

TEST_CASE("examples/Makefile runs the steps in pipeline order, each as its own pipe process", "[cli][examples]") {
    TempDir dir;
    MakeRun all = run_make(dir, {"ci-steps", "PIPE_FLAGS=--service api"}, {});
    INFO(all.err);
    CHECK(all.exit_code == 0);
    CHECK(all.calls == std::vector<std::string>{"--service api test", "--service api build", "--service api push",
                                                "--service api scan", "--service api sign", "--service api bump"});
    CHECK(run_make(dir, {"ci"}, {}).calls == std::vector<std::string>{"run"});
    CHECK(run_make(dir, {"verify"}, {}).calls ==
          std::vector<std::string>{"test", "build", "push", "scan", "sign", "verify"});
}

TEST_CASE("examples/Makefile stops at the failing step and make reports that step's exit code", "[cli][examples]") {
    TempDir dir;
    struct Failure {
        std::string step;
        std::string code;
        std::size_t calls;
    };
    const Failure failure = GENERATE(Failure{"test", "1", 1}, Failure{"push", "3", 3}, Failure{"scan", "1", 4},
                                     Failure{"sign", "3", 5}, Failure{"bump", "2", 6});
    MakeRun failed =
        run_make(dir, {"ci-steps"}, {{"FAKE_PIPE_FAIL_AT", failure.step}, {"FAKE_PIPE_EXIT", failure.code}});
    INFO(failed.err);
    CHECK(failed.exit_code == 2);
    CHECK_THAT(failed.err, Catch::Contains(failure.step + "] Error " + failure.code));
    REQUIRE(failed.calls.size() == failure.calls);
    CHECK(failed.calls.back().rfind(failure.step, 0) == 0);
}

TEST_CASE("the pipe image, the workflows and the action download only what a pinned sha256 checks", "[cli][examples]") {
    const std::string containerfile = pipeline::testing::read_file(k_source / "examples" / "tekton" / "Containerfile");
    REQUIRE_FALSE(containerfile.empty());
    const std::regex arg(R"((?:^|\n)ARG ([A-Z]+)_(VERSION|SHA256)=(\S+))");
    std::map<std::string, std::map<std::string, std::string>> pins;  // tool -> VERSION/SHA256 -> value
    for (std::sregex_iterator it(containerfile.begin(), containerfile.end(), arg), end; it != end; ++it) {
        pins[(*it)[1].str()][(*it)[2].str()] = (*it)[3].str();
    }
    const std::regex sha256(R"([0-9a-f]{64})");
    for (const char* tool : {"COSIGN", "TRIVY"}) {
        INFO(tool);
        CHECK_FALSE(pins[tool]["VERSION"].empty());
        CHECK(std::regex_match(pins[tool]["SHA256"], sha256));
        CHECK_THAT(containerfile, Catch::Contains(concat("echo \"${", tool, "_SHA256}  ")));
    }
    CHECK(occurrences(containerfile, "curl --") == 2);
    CHECK(occurrences(containerfile, "| sha256sum --check --strict") == 2);
    std::vector<YamlFile> files = workflows();
    files.push_back(load(k_source / "examples/github-actions/action/action.yml"));
    for (const YamlFile& file : files) {
        INFO(file.name);
        walk(file.root, [&](const std::string& key, const YAML::Node& value) {
            if (key == "run" && value.IsScalar()) {
                INFO(value.Scalar());
                CHECK(occurrences(value.Scalar(), "curl --") ==
                      occurrences(value.Scalar(), "| sha256sum --check --strict"));
            }
        });
        if (file.root["env"]) {
            CHECK(text_of(file.root["env"]["TRIVY_VERSION"]) == pins["TRIVY"]["VERSION"]);
            CHECK(text_of(file.root["env"]["TRIVY_SHA256"]) == pins["TRIVY"]["SHA256"]);
        }
    }
}
