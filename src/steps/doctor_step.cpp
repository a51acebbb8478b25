#include <pipe/steps/doctor_step.h>

#include <pipe/core/file_text.h>
#include <pipe/git/library_version.h>
#include <pipe/github/settings.h>
#include <pipe/http/curl_client.h>
#include <pipe/oci/reference.h>
#include <pipe/proc/executable_search.h>
#include <pipe/steps/build_step.h>
#include <pipe/steps/registry_session.h>
#include <pipe/tools/buildah.h>
#include <pipe/tools/cosign.h>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <memory>
#include <set>

namespace pipeline::steps {
namespace {

constexpr std::chrono::seconds k_tool_timeout{60};

// Runs a read-only tool command with a timeout; a failed start or exit is a problem text.
Result<std::string> run_tool(proc::Runner& runner, proc::Command command, const DoctorOptions& options) {
    command.timeout = k_tool_timeout;
    if (options.trace) {
        options.trace(proc::describe(command));
    }
    Result<proc::ProcessResult> ran = runner.run(command);
    if (!ran) {
        return ran.error();
    }
    if (!ran->status.success()) {
        std::string text = ran->err.empty() ? ran->out : ran->err;
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
            text.pop_back();
        }
        const std::size_t last_line = text.rfind('\n');
        return runtime_error(fmt::format("`{}` failed ({}){}{}", fmt::join(command.argv, " "),
                                         proc::describe(ran->status), text.empty() ? "" : ": ",
                                         last_line == std::string::npos ? text : text.substr(last_line + 1)));
    }
    return std::move(ran->out);
}

// A skipped check that depends on another one.
DoctorCheck skipped(std::string name, bool required, std::string detail) {
    return DoctorCheck{std::move(name), CheckStatus::skipped, required, std::move(detail), {}};
}

DoctorCheck config_check(const DoctorContext& context) {
    if (context.workspace_error) {
        return DoctorCheck{"pipe.yaml", CheckStatus::fail, true, describe(*context.workspace_error),
                           context.workspace_error->hint};
    }
    if (context.workspace == nullptr || context.workspace->config.file.empty()) {
        return DoctorCheck{"pipe.yaml", CheckStatus::skipped, false,
                           "no pipe.yaml here; registry and GitHub checks need one", "create one with `pipe init`"};
    }
    const Workspace& workspace = *context.workspace;
    return DoctorCheck{"pipe.yaml",
                       CheckStatus::ok,
                       true,
                       fmt::format("{} loads ({} service{})", workspace.config.file.string(),
                                   workspace.config.services.size(), workspace.config.services.size() == 1 ? "" : "s"),
                       {}};
}

// The problem of a tool check when the tool could not be asked; interrupts pass through.
Result<ToolProbe> probe_tool(const std::string& name, const Environment& env,
                             const std::function<Result<std::string>()>& ask_version) {
    ToolProbe probe{name, proc::find_executable(name, env).has_value(), std::nullopt, {}};
    if (!probe.installed) {
        return probe;
    }
    Result<std::string> text = ask_version();
    if (!text) {
        if (text.error().kind == ErrorKind::interrupted) {
            return text.error();
        }
        probe.problem = text.error().message;
        return probe;
    }
    probe.version = tools::find_version(*text);
    if (!probe.version) {
        probe.problem = fmt::format("no version number in its output '{}'", text->substr(0, 80));
    }
    return probe;
}

// The user's name and whether /etc/subuid and /etc/subgid give it a range.
void read_user(BuildahSetup& setup) {
    const uid_t uid = geteuid();
    setup.root = uid == 0;
    if (const passwd* entry = getpwuid(uid); entry != nullptr) {  // NOLINT(concurrency-mt-unsafe): one thread
        setup.user = entry->pw_name;
    }
    const std::optional<std::string> subuid = read_file_text("/etc/subuid");
    const std::optional<std::string> subgid = read_file_text("/etc/subgid");
    setup.subordinate_ids = subuid && subgid && has_subordinate_ids(*subuid, setup.user, uid) &&
                            has_subordinate_ids(*subgid, setup.user, uid);
}

// One "buildah storage" check per distinct set of storage settings among the services.
Result<void> buildah_setup_checks(const DoctorContext& context, proc::Runner& runner, const DoctorOptions& options,
                                  std::vector<DoctorCheck>& checks) {
    std::vector<std::pair<std::string, const config::ServiceConfig*>> services;
    if (context.workspace != nullptr) {
        for (const config::ServiceConfig& service : context.workspace->config.services) {
            services.emplace_back(service.name, &service);
        }
    }
    if (services.empty()) {
        services.emplace_back("", nullptr);
    }
    const std::filesystem::path root =
        context.workspace != nullptr ? context.workspace->root : std::filesystem::current_path();
    BuildahSetup user;  // the user's facts, the same for every service
    read_user(user);
    const std::optional<std::string> env_isolation = lookup(*context.env, "BUILDAH_ISOLATION");
    std::set<std::vector<std::string>> seen;
    for (const auto& [name, service] : services) {
        const config::BuildConfig build = service != nullptr ? service->build : config::BuildConfig{};
        tools::Buildah buildah(runner, buildah_settings_for(root, build));
        proc::Command info = buildah.info_command();
        if (!seen.insert(info.argv).second) {
            continue;
        }
        DoctorCheck check;
        Result<std::string> text = run_tool(runner, info, options);
        if (!text) {
            if (text.error().kind == ErrorKind::interrupted) {
                return text.error();
            }
            check = DoctorCheck{"buildah storage", CheckStatus::fail, true, text.error().message,
                                "run `buildah info` to see why; for builds without privileges set "
                                "`build: {storage_driver: vfs, isolation: chroot}` in pipe.yaml"};
        } else if (Result<tools::BuildahInfo> parsed = tools::parse_buildah_info(*text); !parsed) {
            check =
                DoctorCheck{"buildah storage", CheckStatus::fail, true, parsed.error().message, parsed.error().hint};
        } else {
            BuildahSetup setup = user;
            setup.info = *parsed;
            setup.driver = build.storage_driver.empty() ? parsed->driver : build.storage_driver;
            setup.driver_origin =
                build.storage_driver.empty() ? "buildah's default" : service->origin_of("build.storage_driver");
            setup.isolation =
                build.isolation.empty() ? default_isolation(env_isolation.value_or(""), setup.root) : build.isolation;
            setup.isolation_origin = !build.isolation.empty()                   ? service->origin_of("build.isolation")
                                     : env_isolation && !env_isolation->empty() ? "BUILDAH_ISOLATION"
                                                                                : "buildah's default";
            check = judge_buildah_setup(setup);
        }
        if (services.size() > 1) {
            check.name += fmt::format(" ({})", name);
        }
        checks.push_back(std::move(check));
    }
    return {};
}

Result<void> tool_checks(const DoctorContext& context, proc::Runner& runner, const DoctorOptions& options,
                         std::vector<DoctorCheck>& checks) {
    const Environment& env = *context.env;
    checks.push_back(judge_tool(ToolProbe{"git (libgit2)", true, git::libgit2_version(), {}}, tools::k_min_libgit2,
                                true, "apt-get install libgit2-1.5 and rebuild pipe", ""));

    Result<ToolProbe> buildah = probe_tool("buildah", env, [&]() {
        return run_tool(runner, tools::Buildah(runner, tools::BuildahSettings{}).version_command(), options);
    });
    if (!buildah) {
        return buildah.error();
    }
    checks.push_back(judge_tool(*buildah, tools::k_min_buildah, true, "apt-get install buildah", ""));
    if (checks.back().status == CheckStatus::ok) {
        if (auto done = buildah_setup_checks(context, runner, options, checks); !done) {
            return done;
        }
    } else {
        checks.push_back(skipped("buildah storage", true, "needs a working buildah"));
    }

    tools::TrivyVersion trivy_version;
    Result<ToolProbe> trivy = probe_tool("trivy", env, [&]() -> Result<std::string> {
        tools::Trivy trivy_tool(runner, tools::TrivySettings{});
        if (options.trace) {
            options.trace(proc::describe(trivy_tool.version_command()));
        }
        Result<tools::TrivyVersion> version = trivy_tool.version();
        if (!version) {
            return version.error();
        }
        trivy_version = *version;
        return version->version;
    });
    if (!trivy) {
        return trivy.error();
    }
    checks.push_back(judge_tool(*trivy, tools::k_min_trivy, true,
                                "see https://trivy.dev (Debian has no package); pipe scan runs it", ""));
    if (checks.back().status == CheckStatus::ok) {
        checks.push_back(judge_trivy_db(trivy_version, options.now, options.max_db_age));
    } else {
        checks.push_back(skipped("trivy db", false, "needs a working trivy"));
    }

    Result<ToolProbe> cosign = probe_tool("cosign", env, [&]() -> Result<std::string> {
        tools::Cosign cosign_tool(runner);
        if (options.trace) {
            options.trace(proc::describe(cosign_tool.version_command()));
        }
        Result<tools::CosignVersion> version = cosign_tool.version();
        if (!version) {
            return version.error();
        }
        return version->text;
    });
    if (!cosign) {
        return cosign.error();
    }
    checks.push_back(judge_tool(*cosign, tools::k_min_cosign, false,
                                "see https://docs.sigstore.dev/cosign/system_config/installation/",
                                "optional: pipe signs and verifies with key files natively; keyless and KMS "
                                "signing need cosign"));
    return {};
}

Result<void> registry_checks(const Workspace& workspace, proc::Runner& runner, const DoctorOptions& options,
                             std::vector<DoctorCheck>& checks) {
    std::set<std::string> seen;
    for (const config::ServiceConfig& service : workspace.config.services) {
        std::unique_ptr<RegistrySession> session;
        for (const std::string& image : service.images) {
            Result<oci::ImageReference> reference = oci::parse_repository(image);
            if (!reference || !seen.insert(reference->registry).second) {
                continue;
            }
            if (!session) {
                Result<std::unique_ptr<RegistrySession>> opened =
                    RegistrySession::open(workspace, service, runner, options.trace);
                if (!opened) {
                    checks.push_back(DoctorCheck{fmt::format("registry {}", reference->registry), CheckStatus::fail,
                                                 true, describe(opened.error()), opened.error().hint});
                    break;
                }
                session = std::move(*opened);
            }
            Result<oci::RegistryAccess> access = session->client().check_access(*reference);
            if (!access) {
                if (access.error().kind == ErrorKind::interrupted) {
                    return access.error();
                }
                checks.push_back(DoctorCheck{fmt::format("registry {}", reference->registry), CheckStatus::fail, true,
                                             fmt::format("unreachable: {}", describe(access.error())),
                                             access.error().hint});
                continue;
            }
            checks.push_back(judge_registry(reference->registry, *access));
        }
    }
    return {};
}

Result<void> github_checks(const Workspace& workspace, const DoctorOptions& options, std::vector<DoctorCheck>& checks) {
    std::set<std::string> repositories;
    for (const config::ServiceConfig& service : workspace.config.services) {
        for (const config::BumpTarget& target : service.bump) {
            if (!target.repo.empty()) {
                repositories.insert(target.repo);
            }
        }
    }
    if (repositories.empty()) {
        return {};
    }
    Result<github::GithubSettings> settings = github::github_settings(workspace.env);
    if (!settings) {
        checks.push_back(DoctorCheck{
            "github token", CheckStatus::warn, false,
            fmt::format("`bump:` targets {} but {}", fmt::join(repositories, ", "), settings.error().message),
            settings.error().hint});
        return {};
    }
    GithubTokenFacts token{settings->token_source, settings->actions_token,
                           value_or(workspace.env, "GITHUB_REPOSITORY", "")};
    http::CurlClient http;
    github::GithubClientOptions client_options;
    client_options.trace = options.trace;
    github::GithubClient client(http, *settings, client_options);
    for (const std::string& name : repositories) {
        Result<github::Repository> repository = github::parse_repository(name);
        if (!repository) {
            checks.push_back(DoctorCheck{fmt::format("github {}", name), CheckStatus::fail, true,
                                         repository.error().message, repository.error().hint});
            continue;
        }
        github::GithubResult<github::RepositoryInfo> info = client.get_repository(*repository);
        if (!info) {
            const Error& error = info.github_error().error;
            if (error.kind == ErrorKind::interrupted) {
                return error;
            }
            checks.push_back(DoctorCheck{fmt::format("github {}", name), CheckStatus::fail, true,
                                         fmt::format("{} (token from {})", error.message, settings->token_source),
                                         error.hint});
            continue;
        }
        checks.push_back(judge_github(name, *info, token));
    }
    return {};
}

}  // namespace

Result<std::vector<DoctorCheck>> run_doctor(const DoctorContext& context, proc::Runner& runner,
                                            const DoctorOptions& options) {
    std::vector<DoctorCheck> checks;
    checks.push_back(config_check(context));
    if (auto done = tool_checks(context, runner, options, checks); !done) {
        return done.error();
    }
    if (context.workspace != nullptr && !context.workspace->config.file.empty()) {
        if (auto done = registry_checks(*context.workspace, runner, options, checks); !done) {
            return done.error();
        }
        if (auto done = github_checks(*context.workspace, options, checks); !done) {
            return done.error();
        }
    }
    return checks;
}

}  // namespace pipeline::steps
