#include <pipe/steps/doctor_checks.h>

#include <pipe/core/timestamp.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pipeline::steps {
namespace {

// The scopes of an X-OAuth-Scopes header ("repo, workflow").
std::vector<std::string> split_scopes(std::string_view header) {
    std::vector<std::string> scopes;
    std::size_t start = 0;
    while (start <= header.size()) {
        std::size_t comma = header.find(',', start);
        if (comma == std::string_view::npos) {
            comma = header.size();
        }
        std::string_view scope = header.substr(start, comma - start);
        while (!scope.empty() && scope.front() == ' ') {
            scope.remove_prefix(1);
        }
        while (!scope.empty() && scope.back() == ' ') {
            scope.remove_suffix(1);
        }
        if (!scope.empty()) {
            scopes.emplace_back(scope);
        }
        start = comma + 1;
    }
    return scopes;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::string_view status_name(CheckStatus status) {
    switch (status) {
        case CheckStatus::ok:
            return "ok";
        case CheckStatus::warn:
            return "warn";
        case CheckStatus::fail:
            return "fail";
        case CheckStatus::skipped:
            return "skipped";
    }
    return "skipped";
}

Verdict doctor_verdict(const std::vector<DoctorCheck>& checks) {
    const bool failed = std::any_of(checks.begin(), checks.end(), [](const DoctorCheck& check) {
        return check.required && check.status == CheckStatus::fail;
    });
    return failed ? Verdict::fail : Verdict::pass;
}

DoctorCheck judge_tool(const ToolProbe& probe, tools::ToolVersion minimum, bool required, std::string_view install_fix,
                       std::string_view note) {
    DoctorCheck check{probe.name, CheckStatus::ok, required, {}, {}};
    const CheckStatus problem = required ? CheckStatus::fail : CheckStatus::warn;
    const std::string suffix = required || note.empty() ? std::string() : fmt::format(" ({})", note);
    const std::string minimum_text = fmt::format("{}.{}", minimum.major, minimum.minor);
    if (!probe.installed) {
        check.status = problem;
        check.detail = fmt::format("not found on PATH{}", suffix);
        check.fix = fmt::format("install {} {} or later: {}", probe.name, minimum_text, install_fix);
        return check;
    }
    if (!probe.version) {
        check.status = problem;
        check.detail = fmt::format("installed, but its version cannot be read: {}", probe.problem);
        check.fix = fmt::format("check that `{}` on PATH is the real {}; reinstall it: {}", probe.name, probe.name,
                                install_fix);
        return check;
    }
    if (!probe.version->at_least(minimum)) {
        check.status = problem;
        check.detail = fmt::format("{} is older than the minimum {}{}", probe.version->string(), minimum_text, suffix);
        check.fix = fmt::format("upgrade {} to {} or later: {}", probe.name, minimum_text, install_fix);
        return check;
    }
    check.detail = fmt::format("{} (minimum {}){}", probe.version->string(), minimum_text, suffix);
    return check;
}

bool has_subordinate_ids(std::string_view file_text, std::string_view user, unsigned uid) {
    const std::string uid_text = std::to_string(uid);
    std::size_t start = 0;
    while (start < file_text.size()) {
        std::size_t end = file_text.find('\n', start);
        if (end == std::string_view::npos) {
            end = file_text.size();
        }
        const std::string_view line = file_text.substr(start, end - start);
        start = end + 1;
        const std::size_t first = line.find(':');
        const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) {
            continue;
        }
        const std::string_view owner = line.substr(0, first);
        const std::string_view count_text = line.substr(second + 1);
        unsigned long count = 0;
        const auto [ptr, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (ec != std::errc() || count == 0) {
            continue;
        }
        if ((!user.empty() && owner == user) || owner == uid_text) {
            return true;
        }
    }
    return false;
}

std::string default_isolation(std::string_view buildah_isolation_env, bool root) {
    if (!buildah_isolation_env.empty()) {
        return std::string(buildah_isolation_env);
    }
    return root ? "oci" : "rootless";
}

DoctorCheck judge_buildah_setup(const BuildahSetup& setup) {
    DoctorCheck check{"buildah storage", CheckStatus::ok, true, {}, {}};
    check.detail = fmt::format("driver {} ({}), isolation {} ({}), storage {}, {}", setup.driver, setup.driver_origin,
                               setup.isolation, setup.isolation_origin,
                               setup.info.graph_root.empty() ? std::string("?") : setup.info.graph_root,
                               setup.root ? "as root" : "rootless");
    if (!setup.root && !setup.subordinate_ids) {
        check.status = CheckStatus::fail;
        check.detail += fmt::format("; user '{}' has no range in /etc/subuid and /etc/subgid", setup.user);
        check.fix = fmt::format(
            "give the user subordinate ids: `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
            "{}` (and install uidmap)",
            setup.user.empty() ? std::string("USER") : setup.user);
        return check;
    }
    if (setup.isolation != "chroot" && setup.info.oci_runtime.empty()) {
        check.status = CheckStatus::fail;
        check.detail += "; no OCI runtime for RUN instructions";
        check.fix = "install crun (apt-get install crun), or set `build: {isolation: chroot}` in pipe.yaml";
        return check;
    }
    if (setup.driver == "overlay" && !setup.root) {
        check.status = CheckStatus::warn;
        check.fix =
            "rootless overlay needs fuse-overlayfs or a kernel with native rootless overlay; if builds fail, "
            "set `build: {storage_driver: vfs}` in pipe.yaml";
    }
    return check;
}

DoctorCheck judge_trivy_db(const tools::TrivyVersion& trivy, std::chrono::system_clock::time_point now,
                           std::chrono::hours max_age) {
    DoctorCheck check{"trivy db", CheckStatus::ok, false, {}, {}};
    const std::string refresh = "run `trivy image --download-db-only` (pipe scan also downloads it)";
    if (trivy.db_updated_at.empty()) {
        check.status = CheckStatus::warn;
        check.detail = "no vulnerability DB downloaded yet";
        check.fix = refresh;
        return check;
    }
    std::optional<std::chrono::system_clock::time_point> updated = parse_rfc3339(trivy.db_updated_at);
    if (!updated) {
        check.status = CheckStatus::warn;
        check.detail = fmt::format("UpdatedAt '{}' is not a time pipe can read", trivy.db_updated_at);
        check.fix = refresh;
        return check;
    }
    const auto age = std::chrono::duration_cast<std::chrono::hours>(now - *updated);
    check.detail = fmt::format(
        "updated {} ({} h ago){}", trivy.db_updated_at, age.count(),
        trivy.db_next_update.empty() ? std::string() : fmt::format(", next update {}", trivy.db_next_update));
    if (age > max_age) {
        check.status = CheckStatus::warn;
        check.detail += fmt::format("; older than {} h", max_age.count());
        check.fix = refresh;
    }
    return check;
}

DoctorCheck judge_registry(std::string_view registry, const oci::RegistryAccess& access) {
    DoctorCheck check{fmt::format("registry {}", registry), CheckStatus::ok, true, {}, {}};
    if (access.accepted) {
        check.detail = access.scheme == "anonymous" ? std::string("anonymous access (the registry asks for no login)")
                                                    : fmt::format("{} auth ok, {}", access.scheme, access.credential);
        return check;
    }
    check.status = CheckStatus::fail;
    check.detail = fmt::format("{} auth refused: {}", access.scheme, access.refusal);
    check.fix = fmt::format(
        "log in with `buildah login {0}`, or set PIPE_REGISTRY_USERNAME and PIPE_REGISTRY_PASSWORD; in GitHub "
        "Actions give the job `packages: write` for ghcr.io",
        registry);
    return check;
}

DoctorCheck judge_github(const std::string& repository, const github::RepositoryInfo& info,
                         const GithubTokenFacts& token) {
    DoctorCheck check{fmt::format("github {}", repository), CheckStatus::ok, true, {}, {}};
    if (token.actions_token && !token.own_repository.empty() && token.own_repository != repository) {
        check.status = CheckStatus::warn;
        check.detail = fmt::format("the Actions GITHUB_TOKEN belongs to {}; it cannot push to {}", token.own_repository,
                                   repository);
        check.fix =
            "store a fine-grained token (contents and pull requests: write) or a GitHub App token as a "
            "secret and pass it as PIPE_GITHUB_TOKEN";
        return check;
    }
    if (info.oauth_scopes) {
        const std::vector<std::string> scopes = split_scopes(*info.oauth_scopes);
        const bool enough = contains(scopes, "repo") || (!info.is_private && contains(scopes, "public_repo"));
        if (!enough) {
            check.status = CheckStatus::fail;
            check.detail = fmt::format("the classic token from {} has scopes '{}', without `repo`", token.source,
                                       *info.oauth_scopes);
            check.fix = "give the token the `repo` scope (push and pull requests), or use a fine-grained token";
            return check;
        }
    }
    if (info.can_push && !*info.can_push) {
        check.status = CheckStatus::fail;
        check.detail = fmt::format("the token from {} can read {} but not push to it", token.source, repository);
        check.fix = "grant the token `contents: write` and `pull requests: write` on the repository";
        return check;
    }
    if (!info.can_push) {
        check.status = CheckStatus::warn;
        check.detail = fmt::format("GitHub did not say whether the token from {} may push", token.source);
        check.fix = "make sure the token has `contents: write` and `pull requests: write`";
        return check;
    }
    check.detail = info.oauth_scopes ? fmt::format("can push and open pull requests (token from {}, scopes {})",
                                                   token.source, *info.oauth_scopes)
                                     : fmt::format(
                                           "can push (token from {}); pull requests need `pull requests: write`, which "
                                           "GitHub does not report for fine-grained tokens",
                                           token.source);
    return check;
}

}  // namespace pipeline::steps
