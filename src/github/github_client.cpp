#include <pipe/github/github_client.h>

#include <pipe/http/form_encoding.h>
#include <pipe/oci/credentials.h>
#include <pipe/proc/interrupt.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace pipeline::github {

// One API call: what to send, how to name it, and what counts as an answer.
struct GithubClient::Call {
    http::Method method = http::Method::get;
    std::string url;  // absolute
    GithubOperation operation;
    std::optional<nlohmann::json> body;
    bool repeatable = true;            // may be sent again after a 5xx or a lost connection
    bool not_found_is_answer = false;  // a 404 is returned, not turned into an error
};

namespace {

using nlohmann::json;

constexpr std::string_view k_contents_read = "contents:read";
constexpr std::string_view k_contents_write = "contents:write";
constexpr std::string_view k_pulls_read = "pull-requests:read";
constexpr std::string_view k_pulls_write = "pull-requests:write";

// Each '/'-separated segment percent-encoded, the slashes kept (file paths, branch names).
std::string encode_path(std::string_view path) {
    std::string encoded;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        encoded += http::percent_encode(path.substr(start, slash - start));
        if (slash == std::string_view::npos) {
            return encoded;
        }
        encoded += '/';
        start = slash + 1;
    }
}

// True for a secondary rate limit that names no wait: GitHub asks for at least a minute.
bool is_unannounced_rate_limit(const http::Response& response) {
    return is_rate_limit(response) && !response.headers.find("Retry-After") &&
           response.headers.find("X-RateLimit-Remaining") != std::optional<std::string_view>("0");
}

GithubError unexpected_answer(const Repository& repository, const GithubOperation& operation, std::string_view why) {
    return GithubError{runtime_error(fmt::format("GitHub: {} in {}: unexpected answer: {}", operation.description,
                                                 repository.full(), why)),
                       GithubErrorKind::unexpected};
}

// The body as a JSON value (empty means null).
GithubResult<json> parse_body(const Repository& repository, const GithubOperation& operation,
                              const http::Response& response) {
    if (response.body.empty()) {
        return json();
    }
    json doc = json::parse(response.body, nullptr, false);
    if (doc.is_discarded()) {
        return unexpected_answer(repository, operation, "not JSON");
    }
    return doc;
}

// A string member, or nullopt when absent or of another type.
std::optional<std::string> string_at(const json& doc, std::string_view key) {
    if (!doc.is_object()) {
        return std::nullopt;
    }
    const auto found = doc.find(key);
    if (found == doc.end() || !found->is_string()) {
        return std::nullopt;
    }
    return found->get<std::string>();
}

std::optional<std::string> nested_string(const json& doc, std::string_view outer, std::string_view key) {
    if (!doc.is_object()) {
        return std::nullopt;
    }
    const auto found = doc.find(outer);
    return found == doc.end() ? std::nullopt : string_at(*found, key);
}

// The pull request doc describes, or an unexpected answer to operation when it describes none.
GithubResult<PullRequest> pull_in(const Repository& repository, const GithubOperation& operation, const json& doc) {
    if (!doc.is_object() || !doc.contains("number") || !doc["number"].is_number_integer()) {
        return unexpected_answer(repository, operation, "no pull request number");
    }
    PullRequest pull;
    pull.number = doc["number"].get<int>();
    pull.url = string_at(doc, "url").value_or("");
    pull.html_url = string_at(doc, "html_url").value_or("");
    pull.node_id = string_at(doc, "node_id").value_or("");
    pull.title = string_at(doc, "title").value_or("");
    pull.body = string_at(doc, "body").value_or("");
    pull.head_sha = nested_string(doc, "head", "sha").value_or("");
    pull.head_ref = nested_string(doc, "head", "ref").value_or("");
    if (doc.contains("head") && doc["head"].is_object()) {
        pull.head_repo = nested_string(doc["head"], "repo", "full_name").value_or("");
    }
    pull.draft = doc.value("draft", false);
    return pull;
}

json author_json(const CommitAuthor& author) {
    return json{{"name", author.name}, {"email", author.email}};
}

std::string_view merge_method_name(MergeMethod method) {
    switch (method) {
        case MergeMethod::merge:
            return "MERGE";
        case MergeMethod::squash:
            return "SQUASH";
        case MergeMethod::rebase:
            return "REBASE";
    }
    return "MERGE";
}

}  // namespace

GithubClient::GithubClient(http::Client& client, GithubSettings settings, GithubClientOptions options)
    : m_client(client), m_settings(std::move(settings)), m_options(std::move(options)) {}

GithubResult<json> GithubClient::send_json(const Repository& repository, const Call& call) {
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return parse_body(repository, call.operation, *answer);
}

GithubResult<http::Response> GithubClient::send(const Repository& repository, const Call& call) {
    Result<http::SanitizedUrl> url = http::SanitizedUrl::parse(call.url);
    if (!url) {
        return GithubError{url.error(), GithubErrorKind::unexpected};
    }
    http::Request request;
    request.method = call.method;
    request.url = std::move(url).value();
    request.add_header("Accept", "application/vnd.github+json");
    request.add_header("X-GitHub-Api-Version", "2022-11-28");
    request.add_header("User-Agent", std::string("pipe/") + PIPE_VERSION);
    request.add_secret_header("Authorization", Secret("Bearer " + m_settings.token.reveal()));
    if (call.body) {
        request.add_header("Content-Type", "application/json");
        request.body = call.body->dump();
    }
    const http::RetryHooks& hooks = m_options.hooks;
    for (int attempt = 1;; ++attempt) {
        if (m_options.trace) {
            m_options.trace(fmt::format("{} {}", http::method_name(request.method), request.url));
        }
        http::SendResult result = m_client.send(request);
        if (!result && result.error().kind == ErrorKind::interrupted) {
            return GithubError{result.error(), GithubErrorKind::interrupted};
        }
        http::AttemptOutcome outcome = http::outcome_of(result);
        bool repeatable = call.repeatable;
        if (result && is_rate_limit(*result)) {
            repeatable = true;  // GitHub refused it unprocessed
            if (is_unannounced_rate_limit(*result)) {
                outcome.retry_after = "60";
            }
        }
        const http::RetryDecision decision =
            http::decide_retry(m_options.retry, attempt, outcome, repeatable, hooks.now(), hooks.jitter());
        if (!decision.retry) {
            const std::string attempts = attempt > 1 ? fmt::format(" (gave up after {} attempts)", attempt) : "";
            const std::string not_repeated =
                "pipe does not repeat it, since it may have taken effect; look (e.g. for the open pull request or "
                "the branch) before trying again";
            if (!result) {
                const http::TransportError& failure = result.transport_error();
                GithubError error{failure.error, GithubErrorKind::unavailable};
                error.error.message = fmt::format("GitHub: {} in {} failed: {}{}", call.operation.description,
                                                  repository.full(), failure.error.message, attempts);
                error.error.hint = !repeatable && failure.reached_server
                                       ? not_repeated
                                       : fmt::format("check the network and GITHUB_API_URL ({})", m_settings.api_url);
                return error;
            }
            http::Response response = std::move(result).value();
            if (response.ok() || (call.not_found_is_answer && response.status == 404)) {
                return response;
            }
            GithubError error =
                response_error(repository, call.operation, response, m_settings.token_source, hooks.now());
            error.error.message += attempts;
            if (error.kind == GithubErrorKind::unavailable && !repeatable) {
                error.error.hint = not_repeated;
            }
            return error;
        }
        if (hooks.notify) {
            hooks.notify(fmt::format("GitHub: {} in {}: {}; retrying in {} ms (attempt {} of {})",
                                     call.operation.description, repository.full(), decision.reason,
                                     decision.delay.count(), attempt + 1, m_options.retry.max_attempts));
        }
        hooks.sleep(decision.delay);
        if (proc::pending_interrupt() != 0) {
            return GithubError{interrupted_error(proc::pending_interrupt()), GithubErrorKind::interrupted};
        }
    }
}

GithubResult<RepositoryInfo> GithubClient::get_repository(const Repository& repository) {
    Call call;
    call.url = fmt::format("{}/repos/{}", m_settings.api_url, repository.full());
    call.operation = {"read repository", std::string(k_contents_read)};
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    GithubResult<json> doc = parse_body(repository, call.operation, *answer);
    if (!doc) {
        return doc.github_error();
    }
    RepositoryInfo info;
    if (std::optional<std::string_view> scopes = answer->headers.find("X-OAuth-Scopes")) {
        info.oauth_scopes = std::string(*scopes);
    }
    info.default_branch = string_at(*doc, "default_branch").value_or("");
    if (info.default_branch.empty()) {
        return unexpected_answer(repository, call.operation, "no default_branch");
    }
    info.is_private = doc->value("private", false);
    if (doc->contains("permissions") && (*doc)["permissions"].is_object() && (*doc)["permissions"].contains("push") &&
        (*doc)["permissions"]["push"].is_boolean()) {
        info.can_push = (*doc)["permissions"]["push"].get<bool>();
    }
    return info;
}

GithubResult<std::optional<FileContent>> GithubClient::get_file(const Repository& repository, std::string_view path,
                                                                std::string_view ref) {
    Call call;
    call.url = fmt::format("{}/repos/{}/contents/{}", m_settings.api_url, repository.full(), encode_path(path));
    if (!ref.empty()) {
        call.url += "?ref=" + http::percent_encode(ref);
    }
    call.operation = {fmt::format("read {}{}", path, ref.empty() ? "" : fmt::format(" at {}", ref)),
                      std::string(k_contents_read)};
    call.not_found_is_answer = true;
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    if (answer->status == 404) {
        return std::optional<FileContent>();
    }
    GithubResult<json> doc = parse_body(repository, call.operation, *answer);
    if (!doc) {
        return doc.github_error();
    }
    if (!doc->is_object() || string_at(*doc, "type") != "file") {
        return unexpected_answer(repository, call.operation, fmt::format("{} is not a file", path));
    }
    const std::optional<std::string> sha = string_at(*doc, "sha");
    const std::optional<std::string> encoded = string_at(*doc, "content");
    if (!sha || !encoded) {
        return unexpected_answer(repository, call.operation, "no sha or content");
    }
    if (string_at(*doc, "encoding") != "base64") {
        return unexpected_answer(repository, call.operation,
                                 "the content is not included (files over 1 MB are not supported)");
    }
    std::string compact = *encoded;
    compact.erase(std::remove_if(compact.begin(), compact.end(), [](char c) { return c == '\n' || c == '\r'; }),
                  compact.end());
    std::optional<std::string> content = oci::decode_base64(compact);
    if (!content) {
        return unexpected_answer(repository, call.operation, "the content is not valid base64");
    }
    return std::optional<FileContent>(FileContent{std::move(*content), *sha});
}

GithubResult<FileCommit> GithubClient::put_file(const Repository& repository, std::string_view path,
                                                std::string_view branch, std::string_view content,
                                                std::string_view message, const std::optional<std::string>& sha,
                                                const CommitAuthor& author) {
    Call call;
    call.method = http::Method::put;
    call.url = fmt::format("{}/repos/{}/contents/{}", m_settings.api_url, repository.full(), encode_path(path));
    call.operation = {fmt::format("write {} on {}", path, branch), std::string(k_contents_write)};
    json body{{"message", message}, {"content", oci::encode_base64(content)}, {"branch", branch}};
    if (sha) {
        body["sha"] = *sha;
    }
    if (!author.empty()) {
        body["author"] = author_json(author);
        body["committer"] = author_json(author);
    }
    call.body = std::move(body);
    GithubResult<json> doc = send_json(repository, call);
    if (!doc) {
        return doc.github_error();
    }
    const std::optional<std::string> commit_sha = nested_string(*doc, "commit", "sha");
    const std::optional<std::string> content_sha = nested_string(*doc, "content", "sha");
    if (!commit_sha || !content_sha) {
        return unexpected_answer(repository, call.operation, "no commit or content sha");
    }
    return FileCommit{*commit_sha, *content_sha};
}

GithubResult<std::optional<std::string>> GithubClient::get_branch_sha(const Repository& repository,
                                                                      std::string_view branch) {
    Call call;
    call.url = fmt::format("{}/repos/{}/git/ref/heads/{}", m_settings.api_url, repository.full(), encode_path(branch));
    call.operation = {fmt::format("read branch {}", branch), std::string(k_contents_read)};
    call.not_found_is_answer = true;
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    if (answer->status == 404) {
        return std::optional<std::string>();
    }
    GithubResult<json> doc = parse_body(repository, call.operation, *answer);
    if (!doc) {
        return doc.github_error();
    }
    std::optional<std::string> sha = nested_string(*doc, "object", "sha");
    if (!sha) {
        return unexpected_answer(repository, call.operation, "no object.sha");
    }
    return sha;
}

GithubResult<void> GithubClient::create_branch(const Repository& repository, std::string_view branch,
                                               std::string_view sha) {
    Call call;
    call.method = http::Method::post;
    call.url = fmt::format("{}/repos/{}/git/refs", m_settings.api_url, repository.full());
    call.operation = {fmt::format("create branch {}", branch), std::string(k_contents_write)};
    call.body = json{{"ref", fmt::format("refs/heads/{}", branch)}, {"sha", sha}};
    call.repeatable = false;
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<void> GithubClient::update_branch(const Repository& repository, std::string_view branch,
                                               std::string_view sha, bool force) {
    Call call;
    call.method = http::Method::patch;
    call.url = fmt::format("{}/repos/{}/git/refs/heads/{}", m_settings.api_url, repository.full(), encode_path(branch));
    call.operation = {fmt::format("move branch {}", branch), std::string(k_contents_write)};
    call.body = json{{"sha", sha}, {"force", force}};
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<std::string> GithubClient::commit_files(const Repository& repository, std::string_view base_commit_sha,
                                                     const std::map<std::string, std::string>& files,
                                                     std::string_view message, const CommitAuthor& author) {
    Call read;
    read.url = fmt::format("{}/repos/{}/git/commits/{}", m_settings.api_url, repository.full(), base_commit_sha);
    read.operation = {fmt::format("read commit {}", base_commit_sha), std::string(k_contents_read)};
    GithubResult<http::Response> base = send(repository, read);
    if (!base) {
        return base.github_error();
    }
    GithubResult<json> base_doc = parse_body(repository, read.operation, *base);
    if (!base_doc) {
        return base_doc.github_error();
    }
    const std::optional<std::string> base_tree = nested_string(*base_doc, "tree", "sha");
    if (!base_tree) {
        return unexpected_answer(repository, read.operation, "no tree.sha");
    }

    json entries = json::array();
    for (const auto& [path, content] : files) {
        entries.push_back(json{{"path", path}, {"mode", "100644"}, {"type", "blob"}, {"content", content}});
    }
    Call tree;
    tree.method = http::Method::post;
    tree.url = fmt::format("{}/repos/{}/git/trees", m_settings.api_url, repository.full());
    tree.operation = {"create tree", std::string(k_contents_write)};
    tree.body = json{{"base_tree", *base_tree}, {"tree", std::move(entries)}};
    tree.repeatable = false;
    GithubResult<http::Response> tree_answer = send(repository, tree);
    if (!tree_answer) {
        return tree_answer.github_error();
    }
    GithubResult<json> tree_doc = parse_body(repository, tree.operation, *tree_answer);
    if (!tree_doc) {
        return tree_doc.github_error();
    }
    const std::optional<std::string> tree_sha = string_at(*tree_doc, "sha");
    if (!tree_sha) {
        return unexpected_answer(repository, tree.operation, "no sha");
    }

    Call commit;
    commit.method = http::Method::post;
    commit.url = fmt::format("{}/repos/{}/git/commits", m_settings.api_url, repository.full());
    commit.operation = {"create commit", std::string(k_contents_write)};
    json body{{"message", message}, {"tree", *tree_sha}, {"parents", json::array({base_commit_sha})}};
    if (!author.empty()) {
        body["author"] = author_json(author);
        body["committer"] = author_json(author);
    }
    commit.body = std::move(body);
    commit.repeatable = false;
    GithubResult<http::Response> commit_answer = send(repository, commit);
    if (!commit_answer) {
        return commit_answer.github_error();
    }
    GithubResult<json> commit_doc = parse_body(repository, commit.operation, *commit_answer);
    if (!commit_doc) {
        return commit_doc.github_error();
    }
    std::optional<std::string> sha = string_at(*commit_doc, "sha");
    if (!sha) {
        return unexpected_answer(repository, commit.operation, "no sha");
    }
    return std::move(*sha);
}

GithubResult<std::optional<PullRequest>> GithubClient::find_open_pull(const Repository& repository,
                                                                      std::string_view head_owner,
                                                                      std::string_view head_branch,
                                                                      std::string_view base) {
    Call call;
    call.url = fmt::format("{}/repos/{}/pulls?{}", m_settings.api_url, repository.full(),
                           http::form_encode({{"state", "open"},
                                              {"head", fmt::format("{}:{}", head_owner, head_branch)},
                                              {"base", std::string(base)},
                                              {"per_page", "100"}}));
    call.operation = {fmt::format("list pull requests from {}:{}", head_owner, head_branch), std::string(k_pulls_read)};
    GithubResult<json> doc = send_json(repository, call);
    if (!doc) {
        return doc.github_error();
    }
    if (!doc->is_array()) {
        return unexpected_answer(repository, call.operation, "not a list");
    }
    if (doc->empty()) {
        return std::optional<PullRequest>();
    }
    GithubResult<PullRequest> pull = pull_in(repository, call.operation, doc->front());
    if (!pull) {
        return pull.github_error();
    }
    return std::optional<PullRequest>(std::move(*pull));
}

GithubResult<std::vector<PullRequest>> GithubClient::list_open_pulls(const Repository& repository,
                                                                     std::string_view base) {
    constexpr int k_page_size = 100;
    constexpr int k_max_pages = 50;
    std::vector<PullRequest> pulls;
    for (int page = 1; page <= k_max_pages; ++page) {
        Call call;
        call.url = fmt::format("{}/repos/{}/pulls?{}", m_settings.api_url, repository.full(),
                               http::form_encode({{"state", "open"},
                                                  {"base", std::string(base)},
                                                  {"per_page", std::to_string(k_page_size)},
                                                  {"page", std::to_string(page)}}));
        call.operation = {fmt::format("list open pull requests into {}", base), std::string(k_pulls_read)};
        GithubResult<json> doc = send_json(repository, call);
        if (!doc) {
            return doc.github_error();
        }
        if (!doc->is_array()) {
            return unexpected_answer(repository, call.operation, "not a list");
        }
        for (const json& entry : *doc) {
            GithubResult<PullRequest> pull = pull_in(repository, call.operation, entry);
            if (!pull) {
                return pull.github_error();
            }
            pulls.push_back(std::move(*pull));
        }
        if (doc->size() < static_cast<std::size_t>(k_page_size)) {
            break;
        }
    }
    return pulls;
}

GithubResult<PullRequest> GithubClient::create_pull(const Repository& repository, std::string_view title,
                                                    std::string_view head, std::string_view base, std::string_view body,
                                                    bool draft) {
    Call call;
    call.method = http::Method::post;
    call.url = fmt::format("{}/repos/{}/pulls", m_settings.api_url, repository.full());
    call.operation = {fmt::format("create pull request {} -> {}", head, base), std::string(k_pulls_write)};
    call.body = json{{"title", title}, {"head", head}, {"base", base}, {"body", body}, {"draft", draft}};
    call.repeatable = false;
    GithubResult<json> doc = send_json(repository, call);
    if (!doc) {
        return doc.github_error();
    }
    return pull_in(repository, call.operation, *doc);
}

GithubResult<PullRequest> GithubClient::update_pull(const Repository& repository, int number,
                                                    const std::optional<std::string>& title,
                                                    const std::optional<std::string>& body) {
    Call call;
    call.method = http::Method::patch;
    call.url = fmt::format("{}/repos/{}/pulls/{}", m_settings.api_url, repository.full(), number);
    call.operation = {fmt::format("update pull request #{}", number), std::string(k_pulls_write)};
    json fields = json::object();
    if (title) {
        fields["title"] = *title;
    }
    if (body) {
        fields["body"] = *body;
    }
    call.body = std::move(fields);
    GithubResult<json> doc = send_json(repository, call);
    if (!doc) {
        return doc.github_error();
    }
    return pull_in(repository, call.operation, *doc);
}

GithubResult<void> GithubClient::close_pull(const Repository& repository, int number) {
    Call call;
    call.method = http::Method::patch;
    call.url = fmt::format("{}/repos/{}/pulls/{}", m_settings.api_url, repository.full(), number);
    call.operation = {fmt::format("close pull request #{}", number), std::string(k_pulls_write)};
    call.body = json{{"state", "closed"}};
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<void> GithubClient::comment(const Repository& repository, int number, std::string_view body) {
    Call call;
    call.method = http::Method::post;
    call.url = fmt::format("{}/repos/{}/issues/{}/comments", m_settings.api_url, repository.full(), number);
    call.operation = {fmt::format("comment on pull request #{}", number), std::string(k_pulls_write)};
    call.body = json{{"body", body}};
    call.repeatable = false;
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<void> GithubClient::add_labels(const Repository& repository, int number,
                                            const std::vector<std::string>& labels) {
    Call call;
    call.method = http::Method::post;
    call.url = fmt::format("{}/repos/{}/issues/{}/labels", m_settings.api_url, repository.full(), number);
    call.operation = {fmt::format("label pull request #{}", number), std::string(k_pulls_write)};
    call.body = json{{"labels", labels}};
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<void> GithubClient::request_reviewers(const Repository& repository, int number,
                                                   const std::vector<std::string>& reviewers) {
    json users = json::array();
    json teams = json::array();
    for (const std::string& reviewer : reviewers) {
        const std::size_t slash = reviewer.find('/');
        if (slash == std::string::npos) {
            users.push_back(reviewer);
        } else {
            teams.push_back(reviewer.substr(slash + 1));
        }
    }
    Call call;
    call.method = http::Method::post;
    call.url = fmt::format("{}/repos/{}/pulls/{}/requested_reviewers", m_settings.api_url, repository.full(), number);
    call.operation = {fmt::format("request reviewers for pull request #{}", number), std::string(k_pulls_write)};
    call.body = json{{"reviewers", std::move(users)}, {"team_reviewers", std::move(teams)}};
    GithubResult<http::Response> answer = send(repository, call);
    if (!answer) {
        return answer.github_error();
    }
    return {};
}

GithubResult<void> GithubClient::enable_auto_merge(const Repository& repository, std::string_view node_id,
                                                   MergeMethod method) {
    Call call;
    call.method = http::Method::post;
    call.url = graphql_url(m_settings.api_url);
    call.operation = {"enable auto-merge", std::string(k_pulls_write)};
    call.body = json{{"query",
                      "mutation($id: ID!, $method: PullRequestMergeMethod!) { enablePullRequestAutoMerge(input: "
                      "{pullRequestId: $id, mergeMethod: $method}) { pullRequest { number } } }"},
                     {"variables", {{"id", node_id}, {"method", merge_method_name(method)}}}};
    GithubResult<json> doc = send_json(repository, call);
    if (!doc) {
        return doc.github_error();
    }
    if (doc->is_object() && doc->contains("errors")) {
        const std::string messages = github_messages(doc->dump());
        GithubErrorKind kind = GithubErrorKind::validation;
        for (const json& entry : (*doc)["errors"]) {
            const std::optional<std::string> type = string_at(entry, "type");
            if (type == "FORBIDDEN") {
                kind = GithubErrorKind::forbidden;
            } else if (type == "NOT_FOUND") {
                kind = GithubErrorKind::not_found;
            }
        }
        return GithubError{
            runtime_error(fmt::format("GitHub: enable auto-merge in {} failed: {}", repository.full(),
                                      messages.empty() ? std::string("GraphQL error") : messages),
                          "allow auto-merge in the repository settings and protect the base branch with required "
                          "checks; a pull request that is already mergeable needs no auto-merge"),
            kind};
    }
    return {};
}

}  // namespace pipeline::github
