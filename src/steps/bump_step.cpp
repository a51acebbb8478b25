#include <pipe/steps/bump_step.h>

#include <pipe/bump/yaml_edit.h>
#include <pipe/ci/source_context_builder.h>
#include <pipe/core/regex_literal.h>
#include <pipe/git/config_checkout.h>
#include <pipe/git/repository_state.h>
#include <pipe/github/github_client.h>
#include <pipe/github/remote.h>
#include <pipe/http/curl_client.h>
#include <pipe/oci/reference.h>
#include <pipe/steps/git_remote_auth.h>
#include <pipe/steps/recorded_state.h>
#include <pipe/steps/registry_session.h>
#include <pipe/steps/scratch_directory.h>
#include <pipe/steps/verify_step.h>

#include <fmt/format.h>

#include <random>
#include <regex>
#include <thread>

namespace pipeline::steps {
namespace {

// The values one service's bump writes.
struct Values {
    std::string repository;                     // ghcr.io/acme/api
    std::string tag;                            // sha-<sha>
    std::string digest;                         // sha256:...
    std::string reference;                      // what replaces a whole image reference: repo:tag or repo:tag@digest
    std::string tag_value;                      // what replaces a tag field: tag or tag@digest
    std::map<std::string, std::string> fields;  // template fields
};

// The tag pipe bumps to: the sha-<commit> tag when one was pushed, else the first one.
std::string chosen_tag(const std::vector<std::string>& references) {
    std::string first;
    for (const std::string& reference : references) {
        Result<oci::ImageReference> parsed = oci::parse_reference(reference);
        if (!parsed || !parsed->tag) {
            continue;
        }
        if (parsed->tag->rfind("sha-", 0) == 0) {
            return *parsed->tag;
        }
        if (first.empty()) {
            first = *parsed->tag;
        }
    }
    return first;
}

// How long a pushed bump waits before checking it is still on the branch.
constexpr std::chrono::milliseconds k_settle{300};

void pause_before_retry(int attempt) {
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(0, 150 * (attempt + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1) + jitter(random)));
}

// The edited files of one bump entry.
struct Edited {
    std::map<std::string, std::string> files;  // path -> new content (only changed ones)
    std::string old_value;
    std::string new_value;
};

class Bumper {
public:
    Bumper(const Workspace& workspace, const BumpOptions& options) : m_workspace(workspace), m_options(options) {}

    Result<BumpResult> bump(const config::ServiceConfig& service, const config::BumpTarget& target,
                            const Values& values) {
        const auto started = std::chrono::steady_clock::now();
        BumpResult result;
        result.service = service.name;
        result.files = target.files;
        result.mode = !m_options.mode.empty() ? m_options.mode : (target.url.empty() ? "api" : "git");
        if (result.mode == "api" && target.repo.empty()) {
            return located_error(target.origin, "API mode needs `repo: owner/name`; this entry has a git url",
                                 "drop --mode api, or give repo:");
        }
        result.target = target.repo.empty() ? git::strip_credentials(target.url) : target.repo;
        m_fields = values.fields;
        m_fields["service"] = service.name;
        Result<void> done = result.mode == "git" ? bump_git(target, values, result) : bump_api(target, values, result);
        if (!done) {
            return done.error();
        }
        result.duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        return result;
    }

    std::vector<std::string>& warnings() { return m_warnings; }

private:
    // Applies the entry's edit to every file given by read (path -> text or nullopt).
    Result<Edited> edit(const config::BumpTarget& target, const Values& values,
                        const std::function<Result<std::optional<std::string>>(const std::string&)>& read) {
        Edited edited;
        for (const std::string& path : target.files) {
            Result<std::optional<std::string>> text = read(path);
            if (!text) {
                return text.error();
            }
            if (!*text) {
                return located_error(
                    target.origin, fmt::format("{} does not exist in {}", path,
                                               target.repo.empty() ? git::strip_credentials(target.url) : target.repo));
            }
            const std::string& origin = path;
            std::string after;
            if (!target.key.empty()) {
                Result<bump::Edit> change = bump::set_scalar(**text, target.key, values.reference, origin);
                if (!change) {
                    return change.error();
                }
                Result<oci::ImageReference> old = oci::parse_reference(change->old_value);
                const bool whole = old && old->name() == values.repository;
                if (!whole) {
                    change = bump::set_scalar(**text, target.key, values.tag_value, origin);
                    if (!change) {
                        return change.error();
                    }
                }
                edited.old_value = change->old_value;
                edited.new_value = whole ? values.reference : values.tag_value;
                after = change->text;
                if (!target.digest_key.empty() && m_options.pin_digest) {
                    Result<bump::Edit> digest = bump::set_scalar(after, target.digest_key, values.digest, origin);
                    if (!digest) {
                        return digest.error();
                    }
                    after = digest->text;
                }
            } else if (target.kustomize) {
                Result<bump::Edit> change = bump::set_kustomize_image(
                    **text, values.repository, values.tag,
                    m_options.pin_digest ? std::optional<std::string>(values.digest) : std::nullopt, origin);
                if (!change) {
                    return change.error();
                }
                edited.old_value = change->old_value;
                edited.new_value = values.tag + (m_options.pin_digest ? "@" + values.digest : "");
                after = change->text;
            } else {
                Result<bump::MultiEdit> change =
                    bump::set_image_references(**text, target.image, values.reference, origin);
                if (!change) {
                    return change.error();
                }
                if (change->edits.empty()) {
                    return located_error(target.origin,
                                         fmt::format("{} references no image of {}", path, target.image));
                }
                edited.old_value = change->edits.front().old_value;
                edited.new_value = values.reference;
                after = change->text;
            }
            if (after != **text) {
                edited.files[path] = after;
            }
        }
        return edited;
    }

    // Records the old and new value; false when no file changes (the value is already there).
    static bool record_values(const Edited& edited, BumpResult& result) {
        result.old_value = edited.old_value;
        result.new_value = edited.new_value;
        result.changed = false;
        return !edited.files.empty();
    }

    std::string message(const config::BumpTarget& target) const {
        return expand_bump_template(target.message.empty()
                                        ? "bump {service} to {value}\n\nImage: {image}\nSource commit: "
                                          "{commit}"
                                        : target.message,
                                    m_fields);
    }

    std::string branch_name(const config::BumpTarget& target) const {
        return expand_bump_template(target.branch, m_fields);
    }

    Result<void> bump_git(const config::BumpTarget& target, const Values& values, BumpResult& result) {
        const git::RemoteAuth auth = git_remote_auth(target.url, m_workspace.env);
        std::string base = target.base;  // empty: the remote's default branch, found by the fetch
        std::string branch = m_options.direct ? base : branch_name(target);
        result.branch = branch;
        if (m_options.dry_run) {
            result.plan.push_back(fmt::format("fetch {} of {}; edit {}; commit; push {}{}",
                                              base.empty() ? "the default branch" : base, result.target,
                                              fmt::join(target.files, ", "), branch.empty() ? "to it" : branch,
                                              m_options.direct || m_options.no_pr ? "" : "; open or update the PR"));
            return {};
        }
        ScratchDirectory scratch;
        for (int attempt = 0; attempt < m_options.max_attempts; ++attempt) {
            result.attempts = attempt + 1;
            Result<std::filesystem::path> directory = scratch.create(fmt::format("bump-{}", attempt));
            if (!directory) {
                return directory.error();
            }
            Result<git::ConfigCheckout> checkout = git::ConfigCheckout::fetch(
                target.url, base, *directory / "repo.git", auth, m_options.direct ? std::string() : branch);
            if (!checkout) {
                return checkout.error();
            }
            base = checkout->base();
            if (m_options.direct) {
                branch = base;
                result.branch = base;
            }
            const std::string base_sha = *checkout->tip(base);
            Result<Edited> edited =
                edit(target, values, [&](const std::string& path) { return checkout->read_file(base_sha, path); });
            if (!edited) {
                return edited.error();
            }
            if (!record_values(*edited, result)) {
                return {};
            }
            const std::optional<std::string> own_tip = checkout->tip(branch);
            Result<std::string> commit = checkout->commit(base_sha, edited->files, message(target),
                                                          git::Signature{"pipe", "pipe@users.noreply.github.com"});
            if (!commit) {
                return commit.error();
            }
            Result<git::PushOutcome> pushed = checkout->push(
                *commit, branch, m_options.direct ? std::nullopt : std::optional<std::string>(own_tip.value_or("")));
            if (!pushed) {
                return pushed.error();
            }
            if (*pushed == git::PushOutcome::rejected) {
                pause_before_retry(attempt);
                continue;
            }
            if (m_options.direct) {
                // No bump is lost: the base branch must still contain this commit once pushes that
                // raced with this one (and passed their fast-forward check before it) have landed.
                std::this_thread::sleep_for(k_settle);
                Result<bool> landed = checkout->landed(*commit, branch);
                if (!landed) {
                    return landed.error();
                }
                if (!*landed) {
                    m_warnings.push_back(fmt::format("{}: a concurrent push replaced this bump of {}; bumping again",
                                                     result.target, branch));
                    pause_before_retry(attempt);
                    continue;
                }
            }
            result.changed = true;
            result.commit = *commit;
            if (!m_options.direct && !m_options.no_pr) {
                if (std::optional<github::Repository> repository =
                        github::repository_of_remote(target.url, m_workspace.env)) {
                    return open_pull(*repository, target, base, branch, result);
                }
                m_warnings.push_back(
                    fmt::format("{}: not a GitHub remote, so no pull request was opened; the change "
                                "is on branch {}",
                                result.target, branch));
            }
            return {};
        }
        return runtime_error(fmt::format("{}: the branch {} kept moving; gave up after {} attempts", result.target,
                                         branch, m_options.max_attempts),
                             "run pipe bump again; other pipelines are bumping the same repository");
    }

    Result<github::GithubClient*> github_client() {
        if (!m_github) {
            Result<github::GithubSettings> settings = github::github_settings(m_workspace.env);
            if (!settings) {
                return settings.error();
            }
            github::GithubClientOptions options;
            options.trace = m_options.trace;
            m_github = std::make_unique<github::GithubClient>(m_http, *settings, options);
        }
        return m_github.get();
    }

    Result<void> bump_api(const config::BumpTarget& target, const Values& values, BumpResult& result) {
        Result<github::Repository> repository = github::parse_repository(target.repo);
        if (!repository) {
            return located_error(target.origin, repository.error().message, repository.error().hint);
        }
        if (m_options.dry_run) {
            result.plan.push_back(fmt::format("GET {} contents of {}; commit through the API to {}{}", target.repo,
                                              fmt::join(target.files, ", "),
                                              m_options.direct ? "the base branch" : branch_name(target),
                                              m_options.direct || m_options.no_pr ? "" : "; open or update the PR"));
            return {};
        }
        Result<github::GithubClient*> client = github_client();
        if (!client) {
            return client.error();
        }
        github::GithubClient& github = **client;
        std::string base = target.base;
        if (base.empty()) {
            Result<github::RepositoryInfo> info = github.get_repository(*repository);
            if (!info) {
                return info.error();
            }
            base = info->default_branch;
        }
        const std::string branch = m_options.direct ? base : branch_name(target);
        result.branch = branch;
        for (int attempt = 0; attempt < m_options.max_attempts; ++attempt) {
            result.attempts = attempt + 1;
            auto base_sha = github.get_branch_sha(*repository, base);
            if (!base_sha) {
                return Result<void>(base_sha.error());
            }
            if (!*base_sha) {
                return located_error(target.origin, fmt::format("{} has no branch '{}'", target.repo, base));
            }
            Result<Edited> edited =
                edit(target, values, [&](const std::string& path) -> Result<std::optional<std::string>> {
                    auto file = github.get_file(*repository, path, **base_sha);
                    if (!file) {
                        return file.error();
                    }
                    return *file ? std::optional<std::string>((*file)->content) : std::nullopt;
                });
            if (!edited) {
                return edited.error();
            }
            if (!record_values(*edited, result)) {
                return {};
            }
            auto commit =
                github.commit_files(*repository, **base_sha, edited->files, message(target), github::CommitAuthor{});
            if (!commit) {
                return Result<void>(commit.error());
            }
            github::GithubResult<void> moved = github::GithubResult<void>();
            if (m_options.direct) {
                moved = github.update_branch(*repository, branch, *commit, false);
            } else {
                auto existing = github.get_branch_sha(*repository, branch);
                if (!existing) {
                    return Result<void>(existing.error());
                }
                moved = *existing ? github.update_branch(*repository, branch, *commit, true)
                                  : github.create_branch(*repository, branch, *commit);
            }
            if (moved.kind() == github::GithubErrorKind::not_fast_forward ||
                moved.kind() == github::GithubErrorKind::ref_exists) {
                pause_before_retry(attempt);
                continue;
            }
            if (!moved) {
                return Result<void>(moved.error());
            }
            result.changed = true;
            result.commit = *commit;
            if (!m_options.direct && !m_options.no_pr) {
                return open_pull(*repository, target, base, branch, result);
            }
            return {};
        }
        return runtime_error(fmt::format("{}: the branch {} kept moving; gave up after {} attempts", target.repo,
                                         branch, m_options.max_attempts),
                             "run pipe bump again; other pipelines are bumping the same repository");
    }

    // Opens the bump pull request, or updates the open one of this branch; never a second one.
    Result<void> open_pull(const github::Repository& repository, const config::BumpTarget& target,
                           const std::string& base, const std::string& branch, BumpResult& result) {
        Result<github::GithubClient*> client = github_client();
        if (!client) {
            return client.error();
        }
        github::GithubClient& github = **client;
        const std::string text = message(target);
        const std::string title =
            target.title.empty() ? text.substr(0, text.find('\n')) : expand_bump_template(target.title, m_fields);
        std::string body = target.body.empty()
                               ? expand_bump_template(
                                     "Bumps **{service}** to `{value}`.\n\n- Image: `{image}@{digest}`\n"
                                     "- Source commit: {commit}\n- Run: {run_url}\n\nOpened by pipe bump.",
                                     m_fields)
                               : expand_bump_template(target.body, m_fields);
        if (github.settings().actions_token) {
            body += "\n\n" + std::string(github::actions_token_note());
        }
        auto existing = github.find_open_pull(repository, repository.owner, branch, base);
        if (!existing) {
            return Result<void>(existing.error());
        }
        std::optional<github::PullRequest> pull = *existing;
        std::string operation = "updated";
        if (!pull) {
            auto created = github.create_pull(repository, title, branch, base, body, target.draft);
            if (created.kind() == github::GithubErrorKind::pr_exists) {
                auto again = github.find_open_pull(repository, repository.owner, branch, base);
                if (!again) {
                    return Result<void>(again.error());
                }
                pull = *again;
            } else if (!created) {
                return Result<void>(created.error());
            } else {
                pull = *created;
                operation = "created";
            }
        }
        if (!pull) {
            return runtime_error(fmt::format("{}: GitHub says a pull request for {} exists but does not list it",
                                             repository.full(), branch));
        }
        if (operation == "updated") {
            if (pull->title == title && pull->body == body) {
                operation = "unchanged";
            } else {
                auto updated = github.update_pull(repository, pull->number, title, body);
                if (!updated) {
                    return Result<void>(updated.error());
                }
            }
        }
        if (operation == "created") {
            if (!target.labels.empty()) {
                if (auto labelled = github.add_labels(repository, pull->number, target.labels); !labelled) {
                    return Result<void>(labelled.error());
                }
            }
            if (!target.reviewers.empty()) {
                if (auto asked = github.request_reviewers(repository, pull->number, target.reviewers); !asked) {
                    return Result<void>(asked.error());
                }
            }
            if (target.auto_merge) {
                if (auto merging = github.enable_auto_merge(repository, pull->node_id, github::MergeMethod::squash);
                    !merging) {
                    m_warnings.push_back("auto-merge could not be enabled: " + merging.error().message);
                }
            }
        }
        result.pull_request = PullRequestResult{pull->number, pull->html_url, operation};
        if (target.supersede || m_options.supersede) {
            return supersede(github, repository, target, base, *pull, result);
        }
        return {};
    }

    // Closes the other open pull requests of this service's bump branches (same template, another
    // commit), each with a comment linking the new one.
    Result<void> supersede(github::GithubClient& github, const github::Repository& repository,
                           const config::BumpTarget& target, const std::string& base,
                           const github::PullRequest& current, BumpResult& result) {
        auto open = github.list_open_pulls(repository, base);
        if (!open) {
            return Result<void>(open.error());
        }
        for (const github::PullRequest& older : *open) {
            if (older.number == current.number || older.head_repo != repository.full() ||
                older.head_ref == current.head_ref || !bump_branch_matches(target.branch, m_fields, older.head_ref)) {
                continue;
            }
            const std::string note = fmt::format("Superseded by #{} ({}), which bumps {} to `{}`. Closed by pipe bump.",
                                                 current.number, current.html_url, result.service, result.new_value);
            if (auto commented = github.comment(repository, older.number, note); !commented) {
                return Result<void>(commented.error());
            }
            if (auto closed = github.close_pull(repository, older.number); !closed) {
                return Result<void>(closed.error());
            }
            result.superseded.push_back(older.number);
        }
        return {};
    }

    const Workspace& m_workspace;
    const BumpOptions& m_options;
    http::CurlClient m_http;
    std::unique_ptr<github::GithubClient> m_github;
    std::map<std::string, std::string> m_fields;
    std::vector<std::string> m_warnings;
};

Result<Values> values_for(const Workspace& workspace, const config::ServiceConfig& service,
                          const std::optional<state::State>& state, const BumpOptions& options) {
    Values values;
    Result<std::string> pinned = pushed_reference(workspace, state, service,
                                                  "run `pipe push` first (pipe bumps to the digest it pushed), or give "
                                                  "--value");
    if (!pinned && !options.value) {
        return pinned.error();
    }
    if (pinned) {
        Result<oci::ImageReference> reference = oci::parse_reference(*pinned);
        if (!reference) {
            return reference.error();
        }
        values.repository = reference->name();
        values.digest = reference->digest.value_or("");
        const nlohmann::json* section = state->section(service.name, "push");
        values.tag = chosen_tag(section->value("references", std::vector<std::string>{}));
    }
    if (options.value) {
        values.reference = *options.value;
        values.tag_value = *options.value;
        values.tag = *options.value;
    } else {
        values.reference = values.repository + ":" + values.tag + (options.pin_digest ? "@" + values.digest : "");
        values.tag_value = values.tag + (options.pin_digest ? "@" + values.digest : "");
    }
    const std::string commit = workspace.git ? workspace.git->sha : value_or(workspace.env, "GITHUB_SHA", "");
    const std::string server = value_or(workspace.env, "GITHUB_SERVER_URL", "https://github.com");
    values.fields = {
        {"image", values.repository},
        {"tag", values.tag},
        {"digest", values.digest},
        {"value", options.value ? *options.value : values.tag_value},
        {"commit", commit},
        {"short_commit", commit.substr(0, 7)},
        {"author", value_or(workspace.env, "GITHUB_ACTOR", value_or(workspace.env, "USER", "pipe"))},
        {"run_url", lookup(workspace.env, "GITHUB_RUN_ID")
                        ? fmt::format("{}/{}/actions/runs/{}", server, value_or(workspace.env, "GITHUB_REPOSITORY", ""),
                                      value_or(workspace.env, "GITHUB_RUN_ID", ""))
                        : std::string("(local run)")}};
    return values;
}

// Checks that the tag still resolves to the pushed digest, so a bump never names an image that
// moved since the push; a refusal when it does not.
Result<std::optional<BumpRefusal>> check_tag(const Workspace& workspace, const config::ServiceConfig& service,
                                             proc::Runner& runner, const Values& values, const BumpOptions& options) {
    if (options.value || values.digest.empty() || options.dry_run) {
        return std::optional<BumpRefusal>();
    }
    Result<std::unique_ptr<RegistrySession>> session = RegistrySession::open(workspace, service, runner, options.trace);
    if (!session) {
        return session.error();
    }
    Result<oci::ImageReference> tagged = oci::parse_reference(values.repository + ":" + values.tag);
    if (!tagged) {
        return tagged.error();
    }
    Result<std::optional<oci::ManifestHead>> head = (*session)->client().head_manifest(*tagged);
    if (!head) {
        return head.error();
    }
    if (!*head || (*head)->digest != values.digest) {
        return std::optional<BumpRefusal>(
            BumpRefusal{fmt::format("refusing to bump {}: {} no longer resolves to the pushed digest {}", service.name,
                                    tagged->string(), values.digest),
                        "someone pushed over the tag; push again, or bump with --pin digest after checking"});
    }
    return std::optional<BumpRefusal>();
}

// Verifies the pushed digest against the service's verify policy; a refusal when its signature
// does not verify. A check that could not run is an error, never a pass.
Result<std::optional<BumpRefusal>> check_signature(const Workspace& workspace, const config::ServiceConfig& service,
                                                   proc::Runner& runner, const Values& values,
                                                   const BumpOptions& options, BumpReport& report) {
    if (!service.verify.configured() || options.value || options.dry_run) {
        return std::optional<BumpRefusal>();
    }
    const std::string image = values.repository + "@" + values.digest;
    if (options.no_verify) {
        report.warnings.push_back(
            fmt::format("--no-verify: {} is bumped WITHOUT checking its signature against the verify policy", image));
        return std::optional<BumpRefusal>();
    }
    VerifyOptions verify;
    verify.images = {image};
    verify.trace = options.trace;
    Result<VerifyReport> verified = run_verify(workspace, runner, verify);
    if (!verified) {
        return verified.error();
    }
    if (verified->verified()) {
        return std::optional<BumpRefusal>();
    }
    const ImageVerification& checked = verified->images.front();
    if (checked.status == VerifyStatus::unchecked) {
        return runtime_error(
            fmt::format("cannot bump {}: its signature could not be checked ({})", checked.image, checked.reason),
            "fix what kept the check from running, then run pipe bump again");
    }
    return std::optional<BumpRefusal>(BumpRefusal{
        fmt::format("refusing to bump {}: its signature does not verify ({})", checked.image, checked.reason),
        "sign it with `pipe sign`, or bump with --no-verify if you must"});
}

}  // namespace

std::string expand_bump_template(std::string_view text, const std::map<std::string, std::string>& fields) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t open = text.find('{', at);
        const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos) {
            out.append(text.substr(at));
            break;
        }
        out.append(text.substr(at, open - at));
        auto field = fields.find(std::string(text.substr(open + 1, close - open - 1)));
        out.append(field != fields.end() ? field->second : std::string(text.substr(open, close - open + 1)));
        at = close + 1;
    }
    return out;
}

bool bump_branch_matches(std::string_view branch_template, const std::map<std::string, std::string>& fields,
                         std::string_view branch) {
    // The template as a regular expression: fixed text and {service}/{image} literally, commit
    // fields as hex (so bump/api-{short_commit} never takes bump/api-worker-1a2b3c4), any other
    // field as one path segment.
    std::string pattern;
    std::size_t at = 0;
    while (at < branch_template.size()) {
        const std::size_t open = branch_template.find('{', at);
        const std::size_t close = open == std::string_view::npos ? open : branch_template.find('}', open);
        if (close == std::string_view::npos) {
            pattern += regex_literal(branch_template.substr(at));
            break;
        }
        pattern += regex_literal(branch_template.substr(at, open - at));
        const std::string name(branch_template.substr(open + 1, close - open - 1));
        const auto field = fields.find(name);
        if ((name == "service" || name == "image") && field != fields.end()) {
            pattern += regex_literal(field->second);
        } else if (name == "commit" || name == "short_commit") {
            pattern += "[0-9a-f]{4,64}";
        } else {
            pattern += "[^/]+";
        }
        at = close + 1;
    }
    return std::regex_match(branch.begin(), branch.end(), std::regex(pattern));
}

Result<BumpReport> run_bump(const Workspace& workspace, proc::Runner& runner, const BumpOptions& options) {
    if (options.direct && options.no_pr) {
        return usage_error("--direct already means no pull request", "give one of --direct and --no-pr");
    }
    if (!options.mode.empty() && options.mode != "git" && options.mode != "api") {
        return usage_error(fmt::format("--mode must be git or api, not '{}'", options.mode));
    }
    std::optional<state::State> state;
    if (workspace.git) {
        Result<RecordedState> recorded = recorded_state(workspace, "pipe bump");
        if (!recorded) {
            return recorded.error();
        }
        state = std::move(recorded->state);
    }
    BumpReport report;
    Bumper bumper(workspace, options);
    for (const config::ServiceConfig& service : workspace.config.services) {
        if (service.bump.empty()) {
            report.warnings.push_back(fmt::format("service '{}' has no `bump:` entries; nothing to do", service.name));
            continue;
        }
        Result<Values> values = values_for(workspace, service, state, options);
        if (!values) {
            return values.error();
        }
        Result<std::optional<BumpRefusal>> refusal = check_tag(workspace, service, runner, *values, options);
        if (refusal && !*refusal) {
            refusal = check_signature(workspace, service, runner, *values, options, report);
        }
        if (!refusal) {
            return refusal.error();
        }
        if (*refusal) {
            report.refusal = std::move(*refusal);
            break;
        }
        for (const config::BumpTarget& target : service.bump) {
            Result<BumpResult> result = bumper.bump(service, target, *values);
            if (!result) {
                return result.error();
            }
            report.results.push_back(std::move(*result));
        }
    }
    for (std::string& warning : bumper.warnings()) {
        report.warnings.push_back(std::move(warning));
    }
    return report;
}

}  // namespace pipeline::steps
