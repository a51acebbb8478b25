// GithubClient: the GitHub REST (and one GraphQL) client `pipe bump` opens its GitOps pull
// request with: repository facts, file contents, branches, commits of several files, pull
// requests, comments, labels, reviewers and auto-merge. Every request carries the token as a
// Secret header and GitHub's versioned media type; failures become GithubErrors naming the
// operation and the repository.
//
// Retrying goes through http::decide_retry (the one retry policy) with two GitHub rules on top:
// a secondary rate limit without Retry-After waits 60 s, as GitHub asks, and a rate-limit
// refusal may be repeated even for a POST, since GitHub did nothing with it. GET, PUT, PATCH and
// DELETE are repeated after a 5xx or a lost connection (PATCH here only sets fields or moves a
// ref to a given sha, so repeating it is harmless); adding labels, requesting reviewers and
// enabling auto-merge are too. A POST that creates something (a pull request, ref, tree,
// commit or comment) is never repeated once it may have reached GitHub: after a 5xx or a broken
// connection the caller must look (find_open_pull, get_branch_sha) before trying again.
#pragma once

#include <pipe/github/github_error.h>
#include <pipe/github/repository.h>
#include <pipe/github/settings.h>
#include <pipe/http/client.h>
#include <pipe/http/retry_policy.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::github {

// How the client retries and reports.
struct GithubClientOptions {
    http::RetryPolicy retry;
    http::RetryHooks hooks;                       // sleep, jitter, clock and retry notices; tests inject them
    std::function<void(std::string_view)> trace;  // one line per request for --verbose; may be empty
};

// What get_repository() reports.
struct RepositoryInfo {
    std::string default_branch;
    bool is_private = false;
    std::optional<bool> can_push;  // permissions.push; GitHub omits it for some tokens
    // The X-OAuth-Scopes header ("repo, workflow"): sent for classic personal access tokens only,
    // so nullopt means a fine-grained, app or Actions token whose scopes GitHub does not list.
    std::optional<std::string> oauth_scopes;
};

// A file read through the contents API.
struct FileContent {
    std::string content;  // decoded bytes
    std::string sha;      // the blob sha, needed to update the file
};

// Commit author (and committer) identity; empty fields let GitHub use the token's identity.
struct CommitAuthor {
    std::string name;
    std::string email;

    bool empty() const { return name.empty() && email.empty(); }
};

// What put_file() created.
struct FileCommit {
    std::string commit_sha;
    std::string content_sha;
};

// The pull request fields bump needs.
struct PullRequest {
    int number = 0;
    std::string url;       // the API URL
    std::string html_url;  // the page to link to
    std::string node_id;   // the GraphQL id, for enable_auto_merge
    std::string title;
    std::string body;
    std::string head_sha;
    std::string head_ref;   // the head branch
    std::string head_repo;  // owner/name of the head branch's repository (another one for a fork)
    bool draft = false;
};

// The merge method auto-merge uses.
enum class MergeMethod { merge, squash, rebase };

// Talks to one GitHub (github.com or a GitHub Enterprise Server) through an http::Client, which
// must outlive it. Not thread-safe.
class GithubClient {
public:
    GithubClient(http::Client& client, GithubSettings settings, GithubClientOptions options = {});

    // The settings in use (actions_token tells bump to add actions_token_note() to the body).
    const GithubSettings& settings() const { return m_settings; }

    // GET /repos/{owner}/{repo}: default branch, visibility and whether the token may push.
    GithubResult<RepositoryInfo> get_repository(const Repository& repository);

    // GET of a file's contents at ref (a branch, tag or sha; empty means the default branch);
    // nullopt when there is no such file. A directory or a file over 1 MB is an error.
    GithubResult<std::optional<FileContent>> get_file(const Repository& repository, std::string_view path,
                                                      std::string_view ref);

    // PUT of a file's contents as one commit on branch. sha is the blob sha read before (needed
    // to update an existing file); a stale or missing sha is GithubErrorKind::conflict, after
    // which the caller reads the file again (it may then find its own content: a PUT whose
    // answer was lost is repeated, and the repeat sees the sha it just replaced).
    GithubResult<FileCommit> put_file(const Repository& repository, std::string_view path, std::string_view branch,
                                      std::string_view content, std::string_view message,
                                      const std::optional<std::string>& sha, const CommitAuthor& author = {});

    // The commit sha branch points at, or nullopt when there is no such branch.
    GithubResult<std::optional<std::string>> get_branch_sha(const Repository& repository, std::string_view branch);

    // POST of refs/heads/<branch> at sha; an existing branch is GithubErrorKind::ref_exists.
    GithubResult<void> create_branch(const Repository& repository, std::string_view branch, std::string_view sha);

    // PATCH of refs/heads/<branch> to sha; without force, a move that is no fast-forward is
    // GithubErrorKind::not_fast_forward.
    GithubResult<void> update_branch(const Repository& repository, std::string_view branch, std::string_view sha,
                                     bool force);

    // One commit on top of base_commit_sha changing the given files (path -> full content, mode
    // 100644) through the git data API: the base commit's tree, a new tree over it, a commit.
    // Returns the new commit's sha; no branch moves until update_branch() or create_branch().
    GithubResult<std::string> commit_files(const Repository& repository, std::string_view base_commit_sha,
                                           const std::map<std::string, std::string>& files, std::string_view message,
                                           const CommitAuthor& author = {});

    // The open pull request from head_owner:head_branch into base, or nullopt.
    GithubResult<std::optional<PullRequest>> find_open_pull(const Repository& repository, std::string_view head_owner,
                                                            std::string_view head_branch, std::string_view base);

    // Every open pull request into base (all pages, newest first).
    GithubResult<std::vector<PullRequest>> list_open_pulls(const Repository& repository, std::string_view base);

    // Opens a pull request from head ("branch", or "owner:branch" from a fork) into base. One
    // that already exists is GithubErrorKind::pr_exists (use find_open_pull and update_pull);
    // a 5xx or a broken connection is not retried: look with find_open_pull first.
    GithubResult<PullRequest> create_pull(const Repository& repository, std::string_view title, std::string_view head,
                                          std::string_view base, std::string_view body, bool draft);

    // Changes the title and/or body of a pull request; an unset field is left alone.
    GithubResult<PullRequest> update_pull(const Repository& repository, int number,
                                          const std::optional<std::string>& title,
                                          const std::optional<std::string>& body);

    // Closes a pull request without merging it.
    GithubResult<void> close_pull(const Repository& repository, int number);

    // Adds a comment to a pull request (its issue); never repeated after a 5xx.
    GithubResult<void> comment(const Repository& repository, int number, std::string_view body);

    // Adds labels to a pull request; labels it already has stay.
    GithubResult<void> add_labels(const Repository& repository, int number, const std::vector<std::string>& labels);

    // Requests reviews: "login" for a user, "org/team-slug" for a team.
    GithubResult<void> request_reviewers(const Repository& repository, int number,
                                         const std::vector<std::string>& reviewers);

    // Enables auto-merge of the pull request with this node id (GraphQL
    // enablePullRequestAutoMerge); GitHub's refusal (auto-merge not allowed in the repository,
    // the pull request already mergeable) is GithubErrorKind::validation with its message.
    GithubResult<void> enable_auto_merge(const Repository& repository, std::string_view node_id, MergeMethod method);

private:
    struct Call;

    GithubResult<http::Response> send(const Repository& repository, const Call& call);
    // send() and the answer's body as JSON (an unreadable body is GithubErrorKind::unexpected).
    GithubResult<nlohmann::json> send_json(const Repository& repository, const Call& call);

    http::Client& m_client;
    GithubSettings m_settings;
    GithubClientOptions m_options;
};

}  // namespace pipeline::github
