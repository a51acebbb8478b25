#include <pipe/core/file_text.h>
#include <pipe/state/state_file.h>

#include <pipe/git/worktree_fingerprint.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pipeline::state {
namespace {

const std::string k_display_path = std::string(git::k_pipe_directory) + "/state.json";

std::string short_sha(const std::string& sha) {
    return sha.substr(0, 12);
}

std::string errno_text(int error) {
    return std::strerror(error);
}

// Closes a file descriptor when it goes out of scope.
class FdCloser {
public:
    explicit FdCloser(int fd) : m_fd(fd) {}
    ~FdCloser() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;

    int get() const { return m_fd; }
    // Closes now, reporting the error a late write-back failure shows up as.
    int close() {
        int rc = ::close(m_fd);
        m_fd = -1;
        return rc;
    }

private:
    int m_fd;
};

Result<void> write_all(int fd, std::string_view text, const std::filesystem::path& path) {
    while (!text.empty()) {
        ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written < 0) {
            return runtime_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)),
                                 "check free disk space and permissions");
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

Result<void> ensure_directory(const std::filesystem::path& directory) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) {
        return runtime_error(fmt::format("cannot create {}: {}", directory.string(), ec.message()),
                             "check the permissions of the repository directory");
    }
    const std::filesystem::path ignore = directory / ".gitignore";
    if (!std::filesystem::exists(ignore, ec)) {
        std::ofstream out(ignore, std::ios::binary);
        out << "# pipe's state and scratch files; never committed\n*\n";
        if (!out.flush()) {
            return runtime_error(fmt::format("cannot write {}", ignore.string()), "check the directory's permissions");
        }
    }
    return {};
}

Result<void> sync_directory(const std::filesystem::path& directory) {
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return runtime_error(fmt::format("cannot open {}: {}", directory.string(), errno_text(errno)));
    }
    FdCloser closer(fd);
    if (::fsync(fd) != 0 && errno != EINVAL) {
        return runtime_error(fmt::format("cannot sync {}: {}", directory.string(), errno_text(errno)));
    }
    return {};
}

Error unreadable(const std::string& where, const std::string& why) {
    Error error = usage_error(fmt::format("the state file is unreadable: {}", why),
                              "delete it and run 'pipe build' again; pipe rewrites it");
    error.where = where;
    return error;
}

}  // namespace

Result<TreeIdentity> current_tree(const std::filesystem::path& root, const std::string& commit) {
    Result<git::WorktreeFingerprint> fingerprint = git::worktree_fingerprint(root);
    if (!fingerprint) {
        return fingerprint.error();
    }
    return TreeIdentity{commit, fingerprint->digest};
}

const nlohmann::json* State::section(std::string_view service, std::string_view step) const {
    auto found = services.find(std::string(service));
    if (found == services.end()) {
        return nullptr;
    }
    auto section = found->second.find(std::string(step));
    return section == found->second.end() ? nullptr : &section->second;
}

void State::set_section(const std::string& service, const std::string& step, nlohmann::json value) {
    services[service][step] = std::move(value);
}

void State::reset_service(const std::string& service) {
    services.erase(service);
}

std::filesystem::path state_path(const std::filesystem::path& root) {
    return root / git::k_pipe_directory / "state.json";
}

nlohmann::json to_json(const State& state) {
    nlohmann::json services = nlohmann::json::object();
    for (const auto& [name, sections] : state.services) {
        nlohmann::json steps = nlohmann::json::object();
        for (const auto& [step, section] : sections) {
            steps[step] = section;
        }
        services[name] = std::move(steps);
    }
    nlohmann::json doc{{"schema", k_schema_version},
                       {"commit", state.tree.commit},
                       {"fingerprint", state.tree.fingerprint},
                       {"services", std::move(services)}};
    if (!state.repository.empty()) {
        doc["repository"] = state.repository;
    }
    return doc;
}

Result<State> parse_state(std::string_view text, const std::string& where) {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return unreadable(where, "not a JSON object");
    }
    if (!doc.contains("schema") || !doc["schema"].is_number_integer()) {
        return unreadable(where, "no schema version");
    }
    if (doc["schema"].get<int>() != k_schema_version) {
        return unreadable(
            where, fmt::format("schema version {} (this pipe reads {})", doc["schema"].get<int>(), k_schema_version));
    }
    State state;
    for (const char* key : {"commit", "fingerprint"}) {
        if (!doc.contains(key) || !doc[key].is_string()) {
            return unreadable(where, fmt::format("'{}' is missing or not a string", key));
        }
    }
    state.tree.commit = doc["commit"].get<std::string>();
    state.tree.fingerprint = doc["fingerprint"].get<std::string>();
    const nlohmann::json services = doc.value("services", nlohmann::json::object());
    if (!services.is_object()) {
        return unreadable(where, "'services' is not an object");
    }
    for (const auto& [name, steps] : services.items()) {
        if (!steps.is_object()) {
            return unreadable(where, fmt::format("service '{}' is not an object", name));
        }
        for (const auto& [step, section] : steps.items()) {
            state.services[name][step] = section;
        }
    }
    const nlohmann::json repository = doc.value("repository", nlohmann::json::object());
    if (!repository.is_object()) {
        return unreadable(where, "'repository' is not an object");
    }
    for (const auto& [step, section] : repository.items()) {
        state.repository[step] = section;
    }
    return state;
}

Result<std::optional<State>> read_state(const std::filesystem::path& root, const TreeIdentity& tree) {
    const std::filesystem::path path = state_path(root);
    std::optional<std::string> text = read_file_text(path);
    if (!text) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            return std::optional<State>();
        }
        return unreadable(k_display_path, "cannot open it");
    }
    Result<State> parsed = parse_state(*text, k_display_path);
    if (!parsed) {
        return parsed.error();
    }
    if (parsed->tree.commit != tree.commit) {
        Error error = usage_error(fmt::format("the state file was written for commit {}, but HEAD is now {}",
                                              short_sha(parsed->tree.commit), short_sha(tree.commit)),
                                  "run 'pipe build' again: the recorded images were built from another commit");
        error.where = k_display_path;
        return error;
    }
    if (parsed->tree.fingerprint != tree.fingerprint) {
        std::string what = parsed->tree.fingerprint.empty() ? "files were changed after a build of a clean tree"
                           : tree.fingerprint.empty()       ? "the uncommitted changes it was built with are gone"
                                                            : "uncommitted files changed since the build";
        Error error = usage_error(fmt::format("the working tree no longer matches the state file: {}", what),
                                  "run 'pipe build' again, so the image matches the files on disk");
        error.where = k_display_path;
        return error;
    }
    return std::optional<State>(std::move(*parsed));
}

Result<State> state_for_update(const std::filesystem::path& root, const TreeIdentity& tree) {
    Result<std::optional<State>> existing = read_state(root, tree);
    if (existing && existing->has_value()) {
        return std::move(**existing);
    }
    State fresh;
    fresh.tree = tree;
    return fresh;
}

Result<std::filesystem::path> pipe_directory(const std::filesystem::path& root) {
    const std::filesystem::path directory = root / git::k_pipe_directory;
    if (auto made = ensure_directory(directory); !made) {
        return made.error();
    }
    return directory;
}

Result<void> write_state(const std::filesystem::path& root, const State& state) {
    const std::filesystem::path path = state_path(root);
    Result<std::filesystem::path> made = pipe_directory(root);
    if (!made) {
        return made.error();
    }
    const std::filesystem::path& directory = *made;
    std::string temp = (directory / "state.json.XXXXXX").string();
    int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return runtime_error(
            fmt::format("cannot create a temporary file in {}: {}", directory.string(), errno_text(errno)),
            "check the permissions of the repository directory");
    }
    FdCloser closer(fd);
    auto fail = [&](Error error) -> Result<void> {
        ::unlink(temp.c_str());
        return error;
    };
    if (::fchmod(fd, 0644) != 0) {
        return fail(runtime_error(fmt::format("cannot set the mode of {}: {}", temp, errno_text(errno))));
    }
    if (auto written = write_all(fd, to_json(state).dump(2) + "\n", temp); !written) {
        return fail(written.error());
    }
    if (::fsync(fd) != 0) {
        return fail(runtime_error(fmt::format("cannot sync {}: {}", temp, errno_text(errno)), "check free disk space"));
    }
    if (closer.close() != 0) {
        return fail(runtime_error(fmt::format("cannot close {}: {}", temp, errno_text(errno))));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        return fail(runtime_error(fmt::format("cannot replace {}: {}", path.string(), errno_text(errno)),
                                  "check the permissions of the .pipe directory"));
    }
    return sync_directory(directory);
}

Result<TreeIdentity> follow_own_outputs(const std::filesystem::path& root, const TreeIdentity& checked) {
    Result<std::optional<State>> recorded = read_state(root, checked);
    if (!recorded || !*recorded) {
        return checked;
    }
    Result<TreeIdentity> now = current_tree(root, checked.commit);
    if (!now) {
        return now.error();
    }
    if (*now == checked) {
        return checked;
    }
    (*recorded)->tree = *now;
    if (auto written = write_state(root, **recorded); !written) {
        return written.error();
    }
    return *now;
}

}  // namespace pipeline::state
