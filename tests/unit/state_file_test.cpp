// The state file: round trip, atomic replacement, mode, the .pipe/.gitignore, refusal of a
// state from another commit or a changed dirty tree, and the work tree fingerprint behind it.
#include "git_fixture.h"
#include "temp_dir.h"

#include <pipe/git/repository_state.h>
#include <pipe/git/worktree_fingerprint.h>
#include <pipe/state/build_record.h>
#include <pipe/state/state_file.h>

#include <sys/stat.h>
#include <catch2/catch.hpp>

using pipeline::ErrorKind;
using pipeline::state::BuildRecord;
using pipeline::state::State;
using pipeline::state::TreeIdentity;
using pipeline::testing::commit_file;
using pipeline::testing::git;
using pipeline::testing::init_repository;
using pipeline::testing::read_file;
using pipeline::testing::TempDir;

namespace {

const std::string k_commit_a(40, 'a');
const std::string k_commit_b(40, 'b');

BuildRecord sample_record() {
    BuildRecord record;
    record.image = "ghcr.io/acme/api";
    record.local_name = "ghcr.io/acme/api:main";
    record.image_id = "sha256:" + std::string(64, 'c');
    record.tags = {"main", "sha-" + k_commit_a};
    record.references = {"ghcr.io/acme/api:main", "ghcr.io/acme/api:sha-" + k_commit_a};
    record.platforms = {"linux/amd64"};
    record.started_at = "2024-01-10T00:30:00Z";
    record.finished_at = "2024-01-10T00:30:02Z";
    record.duration_ms = 2000;
    return record;
}

State sample_state(const TreeIdentity& tree) {
    State state;
    state.tree = tree;
    state.set_section("api", pipeline::state::k_build_section, to_json(sample_record()));
    return state;
}

std::vector<std::string> leftovers(const std::filesystem::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        std::string name = entry.path().filename().string();
        if (name != "state.json" && name != ".gitignore") {
            names.push_back(name);
        }
    }
    return names;
}

}  // namespace

TEST_CASE("a written state reads back for the same tree", "[state]") {
    TempDir dir;
    TreeIdentity tree{k_commit_a, ""};
    REQUIRE(pipeline::state::write_state(dir.path(), sample_state(tree)).has_value());
    auto read = pipeline::state::read_state(dir.path(), tree);
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    const nlohmann::json* section = (*read)->section("api", "build");
    REQUIRE(section != nullptr);
    auto record = pipeline::state::parse_build_record(*section, ".pipe/state.json");
    REQUIRE(record.has_value());
    CHECK(record->image_id == sample_record().image_id);
    CHECK(record->references == sample_record().references);
    CHECK(record->duration_ms == 2000);
    CHECK((*read)->section("api", "push") == nullptr);
    CHECK((*read)->section("web", "build") == nullptr);

    auto doc = nlohmann::json::parse(read_file(dir.path() / ".pipe/state.json"));
    CHECK(doc["schema"] == pipeline::state::k_schema_version);
    CHECK(doc["commit"] == k_commit_a);
    CHECK(doc["fingerprint"] == "");
    CHECK(doc["services"]["api"]["build"]["image"] == "ghcr.io/acme/api");
}

TEST_CASE("no state file is not an error for readers", "[state]") {
    TempDir dir;
    auto read = pipeline::state::read_state(dir.path(), TreeIdentity{k_commit_a, ""});
    REQUIRE(read.has_value());
    CHECK_FALSE(read->has_value());
}

TEST_CASE("the state file is replaced atomically with mode 0644 and ignores itself in git", "[state]") {
    TempDir dir;
    TreeIdentity tree{k_commit_a, ""};
    REQUIRE(pipeline::state::write_state(dir.path(), sample_state(tree)).has_value());
    const auto path = pipeline::state::state_path(dir.path());
    const std::string first = read_file(path);
    // A hard link keeps the old inode: an in-place rewrite would change what it shows, a rename does not.
    std::filesystem::create_hard_link(path, dir.path() / "old-state.json");
    State second = sample_state(tree);
    second.set_section("web", "build", to_json(sample_record()));
    REQUIRE(pipeline::state::write_state(dir.path(), second).has_value());
    CHECK(read_file(dir.path() / "old-state.json") == first);
    CHECK(read_file(path) != first);
    CHECK(leftovers(dir.path() / ".pipe").empty());

    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0644);
    CHECK_THAT(read_file(dir.path() / ".pipe/.gitignore"), Catch::Contains("\n*\n"));
}

TEST_CASE("a failed write leaves no temporary file and reports the path", "[state]") {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / ".pipe/state.json/blocker");
    auto written = pipeline::state::write_state(dir.path(), sample_state(TreeIdentity{k_commit_a, ""}));
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().kind == ErrorKind::runtime);
    CHECK_THAT(written.error().message, Catch::Contains("state.json"));
    CHECK(leftovers(dir.path() / ".pipe").empty());
}

TEST_CASE("a state from another commit is refused with a clear message", "[state]") {
    TempDir dir;
    REQUIRE(pipeline::state::write_state(dir.path(), sample_state(TreeIdentity{k_commit_a, ""})).has_value());
    auto read = pipeline::state::read_state(dir.path(), TreeIdentity{k_commit_b, ""});
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().kind == ErrorKind::usage);
    CHECK(read.error().where == ".pipe/state.json");
    CHECK_THAT(read.error().message,
               Catch::Contains("commit aaaaaaaaaaaa") && Catch::Contains("HEAD is now bbbbbbbbbbbb"));
    CHECK_THAT(read.error().hint, Catch::Contains("pipe build"));

    auto update = pipeline::state::state_for_update(dir.path(), TreeIdentity{k_commit_b, ""});
    REQUIRE(update.has_value());
    CHECK(update->tree.commit == k_commit_b);
    CHECK(update->services.empty());
}

TEST_CASE("unreadable state files are usage errors that say to rebuild", "[state]") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"not json", "not a JSON object"},
        {"[]", "not a JSON object"},
        {"{\"commit\": \"x\"}", "no schema version"},
        {"{\"schema\": 99, \"commit\": \"x\", \"fingerprint\": \"\"}", "schema version 99"},
        {"{\"schema\": 1, \"fingerprint\": \"\"}", "'commit'"},
        {"{\"schema\": 1, \"commit\": \"x\", \"fingerprint\": \"\", \"services\": []}", "'services'"},
        {"{\"schema\": 1, \"commit\": \"x\", \"fingerprint\": \"\", \"services\": {\"api\": 1}}", "service 'api'"},
    };
    for (const auto& [text, part] : cases) {
        INFO(text);
        auto parsed = pipeline::state::parse_state(text, ".pipe/state.json");
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().kind == ErrorKind::usage);
        CHECK_THAT(parsed.error().message, Catch::Contains(part));
        CHECK_THAT(parsed.error().hint, Catch::Contains("pipe build"));
    }
    auto record = pipeline::state::parse_build_record(nlohmann::json{{"image", 3}}, "here");
    REQUIRE_FALSE(record.has_value());
    CHECK_THAT(record.error().message, Catch::Contains("'image'"));
}

TEST_CASE("rebuilding a service drops the later steps' sections of that service only", "[state]") {
    State state = sample_state(TreeIdentity{k_commit_a, ""});
    state.set_section("api", "push", nlohmann::json{{"digest", "sha256:x"}});
    state.set_section("web", "push", nlohmann::json{{"digest", "sha256:y"}});
    state.reset_service("api");
    CHECK(state.section("api", "push") == nullptr);
    CHECK(state.section("web", "push") != nullptr);
}

TEST_CASE("repository-wide sections round trip and survive a rebuilt service", "[state]") {
    TempDir dir;
    TreeIdentity tree{k_commit_a, ""};
    State state = sample_state(tree);
    auto plain = pipeline::state::to_json(state);
    CHECK_FALSE(plain.contains("repository"));
    state.repository["test"] = nlohmann::json{{"passed", true}};
    state.reset_service("api");
    REQUIRE(pipeline::state::write_state(dir.path(), state).has_value());
    auto read = pipeline::state::read_state(dir.path(), tree);
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    CHECK((*read)->repository.at("test")["passed"] == true);
    auto doc = nlohmann::json::parse(read_file(dir.path() / ".pipe/state.json"));
    CHECK(doc["repository"]["test"]["passed"] == true);

    auto bad = pipeline::state::parse_state(R"({"schema": 1, "commit": "a", "fingerprint": "", "repository": []})",
                                            ".pipe/state.json");
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("'repository' is not an object"));
}

TEST_CASE("the work tree fingerprint follows content, not staging, and ignores .pipe/", "[state][git]") {
    TempDir dir;
    init_repository(dir.path());
    std::string sha = git(dir.path(), {"rev-parse", "HEAD"});
    auto clean = pipeline::git::worktree_fingerprint(dir.path());
    REQUIRE(clean.has_value());
    CHECK_FALSE(clean->dirty);
    CHECK(clean->digest.empty());

    // pipe's own files never make the tree dirty.
    REQUIRE(pipeline::state::write_state(dir.path(), sample_state(TreeIdentity{sha, ""})).has_value());
    CHECK(pipeline::git::worktree_fingerprint(dir.path())->digest.empty());
    CHECK_FALSE(pipeline::git::read_state(dir.path())->dirty);

    dir.write("README.md", "changed\n");
    auto edited = pipeline::git::worktree_fingerprint(dir.path());
    REQUIRE(edited.has_value());
    CHECK(edited->dirty);
    CHECK(edited->digest.size() == 40);
    CHECK(edited->changed_paths == 1);

    git(dir.path(), {"add", "README.md"});
    CHECK(pipeline::git::worktree_fingerprint(dir.path())->digest == edited->digest);

    dir.write("README.md", "changed again\n");
    auto again = pipeline::git::worktree_fingerprint(dir.path());
    CHECK(again->digest != edited->digest);

    dir.write("src/new.txt", "new\n");
    auto added = pipeline::git::worktree_fingerprint(dir.path());
    CHECK(added->changed_paths == 2);
    CHECK(added->digest != again->digest);

    std::filesystem::permissions(dir.path() / "src/new.txt", std::filesystem::perms::owner_exec,
                                 std::filesystem::perm_options::add);
    CHECK(pipeline::git::worktree_fingerprint(dir.path())->digest != added->digest);
}

TEST_CASE("a dirty tree's state is refused once its changes change", "[state][git]") {
    TempDir dir;
    init_repository(dir.path());
    std::string sha = git(dir.path(), {"rev-parse", "HEAD"});
    dir.write("README.md", "work in progress\n");
    auto built_from = pipeline::state::current_tree(dir.path(), sha);
    REQUIRE(built_from.has_value());
    CHECK_FALSE(built_from->fingerprint.empty());
    REQUIRE(pipeline::state::write_state(dir.path(), sample_state(*built_from)).has_value());

    auto same = pipeline::state::read_state(dir.path(), *pipeline::state::current_tree(dir.path(), sha));
    REQUIRE(same.has_value());
    CHECK(same->has_value());

    dir.write("README.md", "more work\n");
    auto changed = pipeline::state::read_state(dir.path(), *pipeline::state::current_tree(dir.path(), sha));
    REQUIRE_FALSE(changed.has_value());
    CHECK(changed.error().kind == ErrorKind::usage);
    CHECK_THAT(changed.error().message, Catch::Contains("uncommitted files changed since the build"));
    CHECK_THAT(changed.error().hint, Catch::Contains("pipe build"));

    dir.write("README.md", "hello\n");  // back to the committed content: clean again
    auto reverted = pipeline::state::read_state(dir.path(), *pipeline::state::current_tree(dir.path(), sha));
    REQUIRE_FALSE(reverted.has_value());
    CHECK_THAT(reverted.error().message, Catch::Contains("changes it was built with are gone"));

    std::string next = commit_file(dir.path(), "other.txt", "x\n", "second commit");
    auto committed = pipeline::state::read_state(dir.path(), *pipeline::state::current_tree(dir.path(), next));
    REQUIRE_FALSE(committed.has_value());
    CHECK_THAT(committed.error().message, Catch::Contains("written for commit"));
}
