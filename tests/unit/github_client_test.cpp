// GithubClient against a ScriptedClient: the headers of every request (token only in a Secret
// header, never in a URL, trace line or message), each status mapped to its GithubErrorKind with
// a message naming operation and repository, rate-limit waits from Retry-After and
// X-RateLimit-Reset on an injected clock, which requests are repeated after a 5xx, GitHub's
// wrapped base64, the settings from the environment and the GraphQL URL of GitHub Enterprise.
#include <pipe/github/github_client.h>
#include <pipe/github/github_error.h>
#include <pipe/github/repository.h>
#include <pipe/github/settings.h>
#include <pipe/http/scripted_client.h>
#include <pipe/oci/credentials.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

using pipeline::Environment;
using pipeline::ErrorKind;
using pipeline::github::GithubClient;
using pipeline::github::GithubClientOptions;
using pipeline::github::GithubErrorKind;
using pipeline::github::GithubSettings;
using pipeline::github::Repository;
using pipeline::http::Method;
using pipeline::http::scripted_failure;
using pipeline::http::scripted_response;
using pipeline::http::ScriptedClient;
using pipeline::http::TransportFailure;
using std::chrono::milliseconds;

namespace {

constexpr const char* k_token = "ghp_s3cretTOKENvalue";
constexpr long long k_now_epoch = 1'800'000'000;
const std::string k_api = "https://api.github.com";
const std::string k_repo_url = k_api + "/repos/acme/deploy";

// A client with a fixed clock, recorded sleeps and trace lines.
struct Fixture {
    explicit Fixture(std::string api_url = k_api) {
        GithubSettings settings;
        settings.api_url = std::move(api_url);
        settings.token = pipeline::Secret(k_token);
        settings.token_source = "PIPE_GITHUB_TOKEN";
        GithubClientOptions options;
        options.hooks.sleep = [this](milliseconds wait) { sleeps.push_back(wait); };
        options.hooks.jitter = [] { return 0.0; };
        options.hooks.now = [] { return std::chrono::system_clock::from_time_t(k_now_epoch); };
        options.hooks.notify = [this](std::string_view line) { log.emplace_back(line); };
        options.trace = [this](std::string_view line) { log.emplace_back(line); };
        client = std::make_unique<GithubClient>(http, settings, options);
    }

    ScriptedClient http;
    std::vector<milliseconds> sleeps;
    std::vector<std::string> log;
    std::unique_ptr<GithubClient> client;
};

const Repository k_repo{"acme", "deploy"};

nlohmann::json body_of(const pipeline::http::Request& request) {
    return nlohmann::json::parse(std::get<std::string>(request.body));
}

std::string header_of(const pipeline::http::Request& request, std::string_view name) {
    const auto* header = request.find_header(name);
    return header == nullptr ? "" : header->reveal();
}

std::string pull_json(int number) {
    return nlohmann::json{{"number", number},
                          {"url", k_repo_url + "/pulls/" + std::to_string(number)},
                          {"html_url", "https://github.com/acme/deploy/pull/" + std::to_string(number)},
                          {"node_id", "PR_kwDO123"},
                          {"title", "Deploy app 1.2.0"},
                          {"body", "bump"},
                          {"draft", false},
                          {"head", {{"sha", "abc123"}, {"ref", "pipe/bump-app"}}}}
        .dump();
}

std::string error_json(const std::string& message, const std::vector<std::string>& errors = {}) {
    nlohmann::json doc{{"message", message}, {"documentation_url", "https://docs.github.com/rest"}};
    if (!errors.empty()) {
        doc["errors"] = nlohmann::json::array();
        for (const std::string& error : errors) {
            doc["errors"].push_back({{"resource", "PullRequest"}, {"code", "custom"}, {"message", error}});
        }
    }
    return doc.dump();
}

}  // namespace

TEST_CASE("parse_repository accepts owner/name and refuses anything else", "[github]") {
    const auto parsed = pipeline::github::parse_repository("acme-corp/app.deploy_2");
    REQUIRE(parsed);
    CHECK(parsed->owner == "acme-corp");
    CHECK(parsed->name == "app.deploy_2");
    CHECK(parsed->full() == "acme-corp/app.deploy_2");
    CHECK(pipeline::github::parse_repository("acme/deploy.git")->name == "deploy");
    CHECK(pipeline::github::parse_repository("octo_emu/deploy")->owner == "octo_emu");
    for (const char* bad : {"", "acme", "acme/", "/deploy", "acme/deploy/x", "https://github.com/acme/deploy",
                            "-acme/deploy", "acme/..", "ac me/deploy", "acme/dep?loy"}) {
        const auto refused = pipeline::github::parse_repository(bad);
        INFO(bad);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().kind == ErrorKind::usage);
        CHECK(refused.error().hint.find("owner/name") != std::string::npos);
    }
}

TEST_CASE("github_settings prefers PIPE_GITHUB_TOKEN and flags the Actions GITHUB_TOKEN", "[github]") {
    SECTION("PIPE_GITHUB_TOKEN wins, even in Actions") {
        const auto settings = pipeline::github::github_settings(
            {{"PIPE_GITHUB_TOKEN", "app-token"}, {"GITHUB_TOKEN", "actions-token"}, {"GITHUB_ACTIONS", "true"}});
        REQUIRE(settings);
        CHECK(settings->token.reveal() == "app-token");
        CHECK(settings->token_source == "PIPE_GITHUB_TOKEN");
        CHECK_FALSE(settings->actions_token);
        CHECK(settings->api_url == "https://api.github.com");
    }
    SECTION("GITHUB_TOKEN inside Actions is the workflow token") {
        const auto settings =
            pipeline::github::github_settings({{"GITHUB_TOKEN", "actions-token"}, {"GITHUB_ACTIONS", "true"}});
        REQUIRE(settings);
        CHECK(settings->token_source == "GITHUB_TOKEN");
        CHECK(settings->actions_token);
        CHECK(pipeline::github::actions_token_note().find("GITHUB_TOKEN") != std::string_view::npos);
    }
    SECTION("GITHUB_TOKEN outside Actions is someone's token") {
        const auto settings = pipeline::github::github_settings({{"GITHUB_TOKEN", "pat"}, {"PIPE_GITHUB_TOKEN", ""}});
        REQUIRE(settings);
        CHECK(settings->token_source == "GITHUB_TOKEN");
        CHECK_FALSE(settings->actions_token);
    }
    SECTION("no token is a usage error naming both variables") {
        const auto settings = pipeline::github::github_settings({{"GITHUB_ACTIONS", "true"}});
        REQUIRE_FALSE(settings);
        CHECK(settings.error().kind == ErrorKind::usage);
        CHECK(settings.error().message.find("PIPE_GITHUB_TOKEN") != std::string::npos);
        CHECK(settings.error().message.find("GITHUB_TOKEN") != std::string::npos);
    }
    SECTION("GITHUB_API_URL for GitHub Enterprise, trailing slash dropped") {
        const auto settings = pipeline::github::github_settings(
            {{"PIPE_GITHUB_TOKEN", "t"}, {"GITHUB_API_URL", "https://ghe.example.com/api/v3/"}});
        REQUIRE(settings);
        CHECK(settings->api_url == "https://ghe.example.com/api/v3");
    }
    SECTION("a GITHUB_API_URL that is no URL is a config error") {
        const auto settings =
            pipeline::github::github_settings({{"PIPE_GITHUB_TOKEN", "t"}, {"GITHUB_API_URL", "ghe.example.com"}});
        REQUIRE_FALSE(settings);
        CHECK(settings.error().kind == ErrorKind::config);
        CHECK(settings.error().where == "GITHUB_API_URL");
    }
}

TEST_CASE("graphql_url handles github.com and GitHub Enterprise Server", "[github]") {
    CHECK(pipeline::github::graphql_url("https://api.github.com") == "https://api.github.com/graphql");
    CHECK(pipeline::github::graphql_url("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql");
    CHECK(pipeline::github::graphql_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql");
}

TEST_CASE("every request carries GitHub's headers and the token only in a Secret header", "[github]") {
    Fixture f;
    f.http.expect(Method::get, k_repo_url,
                  scripted_response(200, R"({"default_branch":"main","private":true,"permissions":{"push":true}})"));
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(403, error_json("Resource not accessible")));
    const auto info = f.client->get_repository(k_repo);
    REQUIRE(info);
    CHECK(info->default_branch == "main");
    CHECK(info->is_private);
    CHECK(info->can_push == true);
    const auto pull = f.client->create_pull(k_repo, "t", "pipe/bump", "main", "b", false);
    REQUIRE_FALSE(pull);
    REQUIRE(f.http.requests().size() == 2);
    for (const auto& request : f.http.requests()) {
        CHECK(header_of(request, "Accept") == "application/vnd.github+json");
        CHECK(header_of(request, "X-GitHub-Api-Version") == "2022-11-28");
        CHECK(header_of(request, "User-Agent") == std::string("pipe/") + PIPE_VERSION);
        CHECK(header_of(request, "Authorization") == std::string("Bearer ") + k_token);
        CHECK(std::holds_alternative<pipeline::Secret>(request.find_header("Authorization")->value));
        CHECK(request.url.reveal().find(k_token) == std::string::npos);
        CHECK(pipeline::http::describe(request).find(k_token) == std::string::npos);
    }
    CHECK(header_of(f.http.requests()[1], "Content-Type") == "application/json");
    CHECK(pull.error().message.find(k_token) == std::string::npos);
    CHECK(pull.error().hint.find(k_token) == std::string::npos);
    for (const std::string& line : f.log) {
        CHECK(line.find(k_token) == std::string::npos);
    }
    CHECK(f.log.front() == "GET https://api.github.com/repos/acme/deploy");
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("get_file decodes GitHub's newline-wrapped base64 and reports a missing file", "[github]") {
    Fixture f;
    const std::string text = "image: ghcr.io/acme/app@sha256:0123456789abcdef0123456789abcdef\nreplicas: 3\n";
    std::string wrapped = pipeline::oci::encode_base64(text);
    for (std::size_t at = 60; at < wrapped.size(); at += 61) {
        wrapped.insert(at, "\n");
    }
    wrapped += "\n";
    f.http.expect(
        Method::get, k_repo_url + "/contents/apps/my%20app/values.yaml?ref=main",
        scripted_response(
            200,
            nlohmann::json{{"type", "file"}, {"encoding", "base64"}, {"content", wrapped}, {"sha", "blob1"}}.dump()));
    f.http.expect(Method::get, k_repo_url + "/contents/missing.yaml?ref=main",
                  scripted_response(404, error_json("Not Found")));
    f.http.expect(Method::get, k_repo_url + "/contents/apps",
                  scripted_response(200, R"([{"type":"file","name":"a.yaml"}])"));

    const auto file = f.client->get_file(k_repo, "apps/my app/values.yaml", "main");
    REQUIRE(file);
    REQUIRE(file->has_value());
    CHECK((*file)->content == text);
    CHECK((*file)->sha == "blob1");

    const auto missing = f.client->get_file(k_repo, "missing.yaml", "main");
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());

    const auto directory = f.client->get_file(k_repo, "apps", "");
    REQUIRE_FALSE(directory);
    CHECK(directory.kind() == GithubErrorKind::unexpected);
    CHECK(directory.error().message.find("not a file") != std::string::npos);
}

TEST_CASE("put_file sends base64 content with the sha, and a stale sha is a conflict", "[github]") {
    Fixture f;
    f.http.expect(Method::put, k_repo_url + "/contents/values.yaml",
                  scripted_response(200, R"({"content":{"sha":"blob2"},"commit":{"sha":"commit2"}})"));
    f.http.expect(Method::put, k_repo_url + "/contents/values.yaml",
                  scripted_response(409, error_json("values.yaml does not match blob1")));
    f.http.expect(Method::put, k_repo_url + "/contents/values.yaml",
                  scripted_response(422, error_json("Invalid request.\n\n\"sha\" wasn't supplied.")));

    const auto written = f.client->put_file(k_repo, "values.yaml", "pipe/bump", "tag: 1.2.0\n", "Deploy 1.2.0",
                                            std::string("blob1"), {"pipe", "pipe@example.com"});
    REQUIRE(written);
    CHECK(written->commit_sha == "commit2");
    CHECK(written->content_sha == "blob2");
    const nlohmann::json body = body_of(f.http.requests()[0]);
    CHECK(body["content"] == pipeline::oci::encode_base64("tag: 1.2.0\n"));
    CHECK(body["sha"] == "blob1");
    CHECK(body["branch"] == "pipe/bump");
    CHECK(body["message"] == "Deploy 1.2.0");
    CHECK(body["author"]["email"] == "pipe@example.com");

    const auto stale = f.client->put_file(k_repo, "values.yaml", "pipe/bump", "x", "m", std::string("blob1"));
    REQUIRE_FALSE(stale);
    CHECK(stale.kind() == GithubErrorKind::conflict);
    CHECK(stale.error().message.find("acme/deploy") != std::string::npos);
    CHECK(stale.error().message.find("write values.yaml") != std::string::npos);

    const auto no_sha = f.client->put_file(k_repo, "values.yaml", "pipe/bump", "x", "m", std::nullopt);
    REQUIRE_FALSE(no_sha);
    CHECK(no_sha.kind() == GithubErrorKind::conflict);
    CHECK_FALSE(body_of(f.http.requests()[2]).contains("sha"));
    CHECK(f.sleeps.empty());
}

TEST_CASE("statuses map to error kinds with the operation, repository and a hint", "[github]") {
    struct Case {
        const char* name;
        int status;
        std::string body;
        GithubErrorKind kind;
        std::string in_message;
    };
    const std::vector<Case> cases = {
        {"401 names the variable", 401, error_json("Bad credentials"), GithubErrorKind::unauthorized,
         "the token from PIPE_GITHUB_TOKEN is bad or expired"},
        {"403 names the permission", 403, error_json("Resource not accessible by integration"),
         GithubErrorKind::forbidden, "lacks pull-requests:write on acme/deploy"},
        {"404", 404, error_json("Not Found"), GithubErrorKind::not_found, "cannot see it"},
        {"422 pull request exists", 422,
         error_json("Validation Failed", {"A pull request already exists for acme:pipe/bump."}),
         GithubErrorKind::pr_exists, "A pull request already exists for acme:pipe/bump."},
        {"422 other validation keeps GitHub's messages", 422,
         error_json("Validation Failed", {"No commits between main and pipe/bump"}), GithubErrorKind::validation,
         "No commits between main and pipe/bump"},
        {"501 is final and unavailable", 501, "", GithubErrorKind::unavailable, "GitHub is unavailable"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        Fixture f;
        f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(c.status, c.body));
        const auto pull = f.client->create_pull(k_repo, "Deploy", "pipe/bump", "main", "", true);
        REQUIRE_FALSE(pull);
        CHECK(pull.kind() == c.kind);
        CHECK(pull.error().kind == ErrorKind::runtime);
        CHECK(pull.error().message.find(c.in_message) != std::string::npos);
        CHECK(pull.error().message.find("create pull request pipe/bump -> main in acme/deploy") != std::string::npos);
        CHECK(pull.error().message.find('\n') == std::string::npos);
        CHECK(f.http.requests().size() == 1);
    }
}

TEST_CASE("a 403 on a read or a contents write names that permission", "[github]") {
    Fixture f;
    f.http.expect(Method::get, k_repo_url + "/git/ref/heads/main", scripted_response(403, error_json("Forbidden")));
    f.http.expect(Method::post, k_repo_url + "/git/refs", scripted_response(403, error_json("Forbidden")));
    const auto read = f.client->get_branch_sha(k_repo, "main");
    CHECK(read.kind() == GithubErrorKind::forbidden);
    CHECK(read.error().message.find("lacks contents:read on acme/deploy") != std::string::npos);
    const auto create = f.client->create_branch(k_repo, "pipe/bump", "abc");
    CHECK(create.kind() == GithubErrorKind::forbidden);
    CHECK(create.error().message.find("lacks contents:write on acme/deploy") != std::string::npos);
    CHECK(create.error().hint.find("PIPE_GITHUB_TOKEN") != std::string::npos);
}

TEST_CASE("branches: read, create, move, and their distinct refusals", "[github]") {
    Fixture f;
    f.http.expect(
        Method::get, k_repo_url + "/git/ref/heads/pipe/bump-app",
        scripted_response(200, R"({"ref":"refs/heads/pipe/bump-app","object":{"sha":"c0ffee","type":"commit"}})"));
    f.http.expect(Method::get, k_repo_url + "/git/ref/heads/gone", scripted_response(404, error_json("Not Found")));
    f.http.expect(Method::post, k_repo_url + "/git/refs", scripted_response(201, R"({"ref":"refs/heads/new"})"));
    f.http.expect(Method::post, k_repo_url + "/git/refs",
                  scripted_response(422, error_json("Reference already exists")));
    f.http.expect(Method::patch, k_repo_url + "/git/refs/heads/pipe/bump-app",
                  scripted_response(422, error_json("Update is not a fast forward")));
    f.http.expect(Method::patch, k_repo_url + "/git/refs/heads/pipe/bump-app",
                  scripted_response(200, R"({"object":{"sha":"d00d"}})"));

    CHECK(f.client->get_branch_sha(k_repo, "pipe/bump-app")->value() == "c0ffee");
    CHECK_FALSE(f.client->get_branch_sha(k_repo, "gone")->has_value());
    CHECK(f.client->create_branch(k_repo, "new", "c0ffee"));
    CHECK(body_of(f.http.requests()[2]) == nlohmann::json{{"ref", "refs/heads/new"}, {"sha", "c0ffee"}});
    CHECK(f.client->create_branch(k_repo, "new", "c0ffee").kind() == GithubErrorKind::ref_exists);
    CHECK(f.client->update_branch(k_repo, "pipe/bump-app", "d00d", false).kind() == GithubErrorKind::not_fast_forward);
    CHECK(f.client->update_branch(k_repo, "pipe/bump-app", "d00d", true));
    CHECK(body_of(f.http.requests()[5]) == nlohmann::json{{"sha", "d00d"}, {"force", true}});
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("commit_files builds one commit over the base tree", "[github]") {
    Fixture f;
    f.http.expect(Method::get, k_repo_url + "/git/commits/base1",
                  scripted_response(200, R"({"sha":"base1","tree":{"sha":"tree0"}})"));
    f.http.expect(Method::post, k_repo_url + "/git/trees", scripted_response(201, R"({"sha":"tree1"})"));
    f.http.expect(Method::post, k_repo_url + "/git/commits", scripted_response(201, R"({"sha":"commit1"})"));
    const auto commit = f.client->commit_files(k_repo, "base1", {{"a/values.yaml", "x: 1\n"}, {"b.yaml", "y: 2\n"}},
                                               "Deploy app", {"pipe", "pipe@example.com"});
    REQUIRE(commit);
    CHECK(*commit == "commit1");
    const nlohmann::json tree = body_of(f.http.requests()[1]);
    CHECK(tree["base_tree"] == "tree0");
    REQUIRE(tree["tree"].size() == 2);
    CHECK(tree["tree"][0] ==
          nlohmann::json{{"path", "a/values.yaml"}, {"mode", "100644"}, {"type", "blob"}, {"content", "x: 1\n"}});
    const nlohmann::json created = body_of(f.http.requests()[2]);
    CHECK(created["tree"] == "tree1");
    CHECK(created["parents"] == nlohmann::json::array({"base1"}));
    CHECK(created["message"] == "Deploy app");
    CHECK(created["author"]["name"] == "pipe");
}

TEST_CASE("pull requests: find by head, update, close, comment, labels, reviewers", "[github]") {
    Fixture f;
    f.http.expect(Method::get, k_repo_url + "/pulls?state=open&head=acme%3Apipe%2Fbump&base=main&per_page=100",
                  scripted_response(200, "[" + pull_json(7) + "]"));
    f.http.expect(Method::get, k_repo_url + "/pulls?state=open&head=acme%3Aother&base=main&per_page=100",
                  scripted_response(200, "[]"));
    f.http.expect(Method::patch, k_repo_url + "/pulls/7", scripted_response(200, pull_json(7)));
    f.http.expect(Method::patch, k_repo_url + "/pulls/7", scripted_response(200, pull_json(7)));
    f.http.expect(Method::post, k_repo_url + "/issues/7/comments", scripted_response(201, R"({"id":1})"));
    f.http.expect(Method::post, k_repo_url + "/issues/7/labels", scripted_response(200, "[]"));
    f.http.expect(Method::post, k_repo_url + "/pulls/7/requested_reviewers", scripted_response(201, pull_json(7)));

    const auto found = f.client->find_open_pull(k_repo, "acme", "pipe/bump", "main");
    REQUIRE(found);
    REQUIRE(found->has_value());
    CHECK((*found)->number == 7);
    CHECK((*found)->html_url == "https://github.com/acme/deploy/pull/7");
    CHECK((*found)->node_id == "PR_kwDO123");
    CHECK((*found)->head_sha == "abc123");
    CHECK_FALSE(f.client->find_open_pull(k_repo, "acme", "other", "main")->has_value());

    REQUIRE(f.client->update_pull(k_repo, 7, std::nullopt, std::string("new body")));
    CHECK(body_of(f.http.requests()[2]) == nlohmann::json{{"body", "new body"}});
    REQUIRE(f.client->close_pull(k_repo, 7));
    CHECK(body_of(f.http.requests()[3]) == nlohmann::json{{"state", "closed"}});
    REQUIRE(f.client->comment(k_repo, 7, "superseded"));
    REQUIRE(f.client->add_labels(k_repo, 7, {"deploy", "automated"}));
    CHECK(body_of(f.http.requests()[5])["labels"] == nlohmann::json::array({"deploy", "automated"}));
    REQUIRE(f.client->request_reviewers(k_repo, 7, {"octocat", "acme/platform"}));
    CHECK(body_of(f.http.requests()[6]) ==
          nlohmann::json{{"reviewers", {"octocat"}}, {"team_reviewers", {"platform"}}});
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("create_pull sends the documented body and returns the pull request", "[github]") {
    Fixture f;
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(201, pull_json(12)));
    const auto pull = f.client->create_pull(k_repo, "Deploy app 1.2.0", "pipe/bump-app", "main", "body", true);
    REQUIRE(pull);
    CHECK(pull->number == 12);
    CHECK(body_of(f.http.requests()[0]) == nlohmann::json{{"title", "Deploy app 1.2.0"},
                                                          {"head", "pipe/bump-app"},
                                                          {"base", "main"},
                                                          {"body", "body"},
                                                          {"draft", true}});
}

TEST_CASE("a POST that reached GitHub is not repeated after a 502 or a dropped connection", "[github]") {
    Fixture f;
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(502, "Bad Gateway"));
    const auto after_502 = f.client->create_pull(k_repo, "t", "pipe/bump", "main", "", false);
    REQUIRE_FALSE(after_502);
    CHECK(after_502.kind() == GithubErrorKind::unavailable);
    CHECK(after_502.error().hint.find("look") != std::string::npos);
    CHECK(f.http.requests().size() == 1);

    f.http.expect(Method::post, k_repo_url + "/pulls",
                  scripted_failure(TransportFailure::dropped, true, "connection reset"));
    const auto dropped = f.client->create_pull(k_repo, "t", "pipe/bump", "main", "", false);
    REQUIRE_FALSE(dropped);
    CHECK(dropped.kind() == GithubErrorKind::unavailable);
    CHECK(dropped.error().message.find("connection reset") != std::string::npos);
    CHECK(dropped.error().hint.find("does not repeat") != std::string::npos);
    CHECK(f.http.requests().size() == 2);

    f.http.expect(Method::get, k_repo_url + "/git/commits/base1",
                  scripted_response(200, R"({"tree":{"sha":"tree0"}})"));
    f.http.expect(Method::post, k_repo_url + "/git/trees", scripted_response(503));
    const auto commit = f.client->commit_files(k_repo, "base1", {{"a", "b"}}, "m");
    REQUIRE_FALSE(commit);
    CHECK(commit.kind() == GithubErrorKind::unavailable);
    CHECK(f.http.requests().size() == 4);
    CHECK(f.http.unanswered() == 0);
    CHECK(f.sleeps.empty());
}

TEST_CASE("a POST that never left pipe and idempotent requests are retried", "[github]") {
    Fixture f;
    f.http.expect(Method::post, k_repo_url + "/pulls",
                  scripted_failure(TransportFailure::connect, false, "connection refused"));
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(201, pull_json(3)));
    f.http.expect(Method::get, k_repo_url + "/git/ref/heads/main", scripted_response(502));
    f.http.expect(Method::get, k_repo_url + "/git/ref/heads/main", scripted_response(200, R"({"object":{"sha":"s"}})"));
    f.http.expect(Method::patch, k_repo_url + "/pulls/3", scripted_response(503));
    f.http.expect(Method::patch, k_repo_url + "/pulls/3", scripted_response(200, pull_json(3)));
    f.http.expect(Method::post, k_repo_url + "/issues/3/labels", scripted_response(500));
    f.http.expect(Method::post, k_repo_url + "/issues/3/labels", scripted_response(200, "[]"));

    CHECK(f.client->create_pull(k_repo, "t", "pipe/bump", "main", "", false));
    CHECK(f.client->get_branch_sha(k_repo, "main")->value() == "s");
    CHECK(f.client->update_pull(k_repo, 3, std::string("t"), std::nullopt));
    CHECK(f.client->add_labels(k_repo, 3, {"deploy"}));
    CHECK(f.http.unanswered() == 0);
    CHECK(f.sleeps ==
          std::vector<milliseconds>{milliseconds(500), milliseconds(500), milliseconds(500), milliseconds(500)});
}

TEST_CASE("a GET that keeps failing gives up with the attempt count", "[github]") {
    Fixture f;
    for (int i = 0; i < 4; ++i) {
        f.http.expect(Method::get, k_repo_url, scripted_response(503));
    }
    const auto info = f.client->get_repository(k_repo);
    REQUIRE_FALSE(info);
    CHECK(info.kind() == GithubErrorKind::unavailable);
    CHECK(info.error().message.find("gave up after 4 attempts") != std::string::npos);
    CHECK(f.sleeps.size() == 3);
}

TEST_CASE("rate limits wait as GitHub asks, also for a POST", "[github]") {
    Fixture f;
    const std::string reset_in_30s = std::to_string(k_now_epoch + 30);
    f.http.expect(Method::get, k_repo_url,
                  scripted_response(403, error_json("API rate limit exceeded for installation ID 1."),
                                    {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", reset_in_30s}}));
    f.http.expect(Method::get, k_repo_url, scripted_response(200, R"({"default_branch":"main"})"));
    f.http.expect(
        Method::post, k_repo_url + "/pulls",
        scripted_response(429, error_json("You have exceeded a secondary rate limit."), {{"Retry-After", "5"}}));
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(201, pull_json(4)));
    f.http.expect(Method::post, k_repo_url + "/issues/4/comments",
                  scripted_response(403, error_json("You have exceeded a secondary rate limit. Please wait a few "
                                                    "minutes before you try again.")));
    f.http.expect(Method::post, k_repo_url + "/issues/4/comments", scripted_response(201, "{}"));

    CHECK(f.client->get_repository(k_repo));
    CHECK(f.client->create_pull(k_repo, "t", "pipe/bump", "main", "", false));
    CHECK(f.client->comment(k_repo, 4, "hello"));
    CHECK(f.sleeps == std::vector<milliseconds>{milliseconds(30000), milliseconds(5000), milliseconds(60000)});
    CHECK(f.http.unanswered() == 0);
}

TEST_CASE("a rate limit that resets too late fails at once saying when it resets", "[github]") {
    Fixture f;
    const std::string reset_in_an_hour = std::to_string(k_now_epoch + 3600);
    f.http.expect(Method::get, k_repo_url,
                  scripted_response(403, error_json("API rate limit exceeded"),
                                    {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", reset_in_an_hour}}));
    const auto info = f.client->get_repository(k_repo);
    REQUIRE_FALSE(info);
    CHECK(info.kind() == GithubErrorKind::rate_limited);
    CHECK(info.error().message.find("rate limit exceeded; it resets at 2027-01-15 09:00:00 UTC, in 60 min") !=
          std::string::npos);
    CHECK(f.sleeps.empty());
}

TEST_CASE("enable_auto_merge posts the GraphQL mutation to the right endpoint", "[github]") {
    SECTION("github.com") {
        Fixture f;
        f.http.expect(
            Method::post, "https://api.github.com/graphql",
            scripted_response(200, R"({"data":{"enablePullRequestAutoMerge":{"pullRequest":{"number":7}}}})"));
        REQUIRE(f.client->enable_auto_merge(k_repo, "PR_kwDO123", pipeline::github::MergeMethod::squash));
        const nlohmann::json body = body_of(f.http.requests()[0]);
        CHECK(body["query"].get<std::string>().find("enablePullRequestAutoMerge") != std::string::npos);
        CHECK(body["variables"] == nlohmann::json{{"id", "PR_kwDO123"}, {"method", "SQUASH"}});
    }
    SECTION("GitHub Enterprise Server, with GitHub's refusal as a validation error") {
        Fixture f("https://ghe.example.com/api/v3");
        f.http.expect(
            Method::post, "https://ghe.example.com/api/graphql",
            scripted_response(200, R"({"data":{"enablePullRequestAutoMerge":null},"errors":[{"type":"UNPROCESSABLE",)"
                                   R"("message":"Auto merge is not allowed for this repository"}]})"));
        const auto enabled = f.client->enable_auto_merge(k_repo, "PR_1", pipeline::github::MergeMethod::merge);
        REQUIRE_FALSE(enabled);
        CHECK(enabled.kind() == GithubErrorKind::validation);
        CHECK(enabled.error().message.find("Auto merge is not allowed for this repository") != std::string::npos);
        CHECK(enabled.error().message.find("acme/deploy") != std::string::npos);
    }
}

TEST_CASE("an answer that is no pull request is an unexpected answer, listed, created or updated", "[github]") {
    Fixture f;
    f.http.expect(Method::get, k_repo_url + "/pulls?state=open&head=acme%3Apipe%2Fbump&base=main&per_page=100",
                  scripted_response(200, R"([{"title": "no number"}])"));
    f.http.expect(Method::post, k_repo_url + "/pulls", scripted_response(201, R"({"number": "12"})"));
    f.http.expect(Method::patch, k_repo_url + "/pulls/7", scripted_response(200, "[]"));

    const auto listed = f.client->find_open_pull(k_repo, "acme", "pipe/bump", "main");
    REQUIRE_FALSE(listed);
    CHECK(listed.kind() == GithubErrorKind::unexpected);
    CHECK(listed.error().message.find("list pull requests from acme:pipe/bump") != std::string::npos);
    CHECK(listed.error().message.find("no pull request number") != std::string::npos);

    const auto created = f.client->create_pull(k_repo, "t", "pipe/bump", "main", "", false);
    REQUIRE_FALSE(created);
    CHECK(created.kind() == GithubErrorKind::unexpected);
    CHECK(created.error().message.find("create pull request pipe/bump -> main") != std::string::npos);

    const auto updated = f.client->update_pull(k_repo, 7, std::string("t"), std::nullopt);
    REQUIRE_FALSE(updated);
    CHECK(updated.kind() == GithubErrorKind::unexpected);
    CHECK(updated.error().message.find("update pull request #7") != std::string::npos);
    CHECK(f.http.unanswered() == 0);
}
