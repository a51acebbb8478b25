// pipe doctor's judgments: version numbers from real tool output, minimum comparisons, buildah's
// setup for root and rootless users, the Trivy DB age, registry answers, GitHub token reach and
// the verdict.
#include <pipe/core/timestamp.h>
#include <pipe/steps/doctor_checks.h>
#include <pipe/tools/buildah_info.h>
#include <pipe/tools/tool_version.h>

#include <catch2/catch.hpp>

using pipeline::Verdict;
using pipeline::steps::CheckStatus;
using pipeline::steps::DoctorCheck;
using pipeline::tools::find_version;
using pipeline::tools::ToolVersion;

TEST_CASE("find_version reads the version out of what real tools print", "[unit][doctor]") {
    struct Row {
        std::string text;
        std::optional<ToolVersion> expected;
    };
    const std::vector<Row> rows{
        {"buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)\n", ToolVersion{1, 28, 2}},
        {"v2.4.1", ToolVersion{2, 4, 1}},
        {"0.58.1", ToolVersion{0, 58, 1}},
        {"Version: 0.49.0\nVulnerability DB:\n", ToolVersion{0, 49, 0}},
        {"git version 2.39.5", ToolVersion{2, 39, 5}},
        {"tool 3.2", ToolVersion{3, 2, 0}},
        {"v2.0.0-rc.1+build.5", ToolVersion{2, 0, 0}},
        {"no version here", std::nullopt},
        {"build 42", std::nullopt},
        {"", std::nullopt},
        {"1.", std::nullopt},
    };
    for (const Row& row : rows) {
        INFO(row.text);
        CHECK(find_version(row.text) == row.expected);
    }
}

TEST_CASE("versions compare numerically against the minimums", "[unit][doctor]") {
    CHECK(ToolVersion{1, 28, 0}.at_least(pipeline::tools::k_min_buildah));
    CHECK_FALSE(ToolVersion{1, 27, 9}.at_least(pipeline::tools::k_min_buildah));
    CHECK(ToolVersion{1, 100, 0}.at_least(ToolVersion{1, 28, 2}));
    CHECK_FALSE(ToolVersion{1, 28, 2}.at_least(ToolVersion{1, 100, 0}));
    CHECK_FALSE(ToolVersion{0, 9, 0}.at_least(pipeline::tools::k_min_trivy));
    CHECK(ToolVersion{2, 0, 0}.at_least(pipeline::tools::k_min_cosign));
    CHECK(ToolVersion{2, 0, 1}.at_least(ToolVersion{2, 0, 0}));
    CHECK_FALSE(ToolVersion{2, 0, 0}.at_least(ToolVersion{2, 0, 1}));
    CHECK(ToolVersion{1, 28, 2}.string() == "1.28.2");
}

TEST_CASE("judge_tool fails a missing, unreadable or old required tool and warns for an optional one",
          "[unit][doctor]") {
    using pipeline::steps::judge_tool;
    using pipeline::steps::ToolProbe;
    const ToolVersion minimum{2, 0, 0};
    DoctorCheck missing = judge_tool(ToolProbe{"trivy", false, std::nullopt, {}}, minimum, true, "install it", "");
    CHECK(missing.status == CheckStatus::fail);
    CHECK_THAT(missing.detail, Catch::Contains("not found on PATH"));
    CHECK_THAT(missing.fix, Catch::Contains("install trivy 2.0 or later: install it"));
    DoctorCheck unreadable = judge_tool(ToolProbe{"trivy", true, std::nullopt, "exit 1"}, minimum, true, "x", "");
    CHECK(unreadable.status == CheckStatus::fail);
    CHECK_THAT(unreadable.detail, Catch::Contains("exit 1"));
    DoctorCheck old = judge_tool(ToolProbe{"trivy", true, ToolVersion{1, 9, 9}, {}}, minimum, true, "x", "");
    CHECK(old.status == CheckStatus::fail);
    CHECK_THAT(old.detail, Catch::Contains("1.9.9 is older than the minimum 2.0"));
    DoctorCheck fine = judge_tool(ToolProbe{"trivy", true, ToolVersion{2, 0, 0}, {}}, minimum, true, "x", "");
    CHECK(fine.status == CheckStatus::ok);
    CHECK(fine.fix.empty());
    DoctorCheck optional =
        judge_tool(ToolProbe{"cosign", false, std::nullopt, {}}, minimum, false, "x", "optional: native signing");
    CHECK(optional.status == CheckStatus::warn);
    CHECK_FALSE(optional.required);
    CHECK_THAT(optional.detail, Catch::Contains("optional: native signing"));
}

TEST_CASE("subordinate id files are matched by user name or uid with a non-empty range", "[unit][doctor]") {
    using pipeline::steps::has_subordinate_ids;
    const std::string text = "alice:100000:65536\n1001:165536:65536\nempty:231072:0\n";
    CHECK(has_subordinate_ids(text, "alice", 1000));
    CHECK(has_subordinate_ids(text, "bob", 1001));
    CHECK_FALSE(has_subordinate_ids(text, "empty", 1002));
    CHECK_FALSE(has_subordinate_ids(text, "carol", 1003));
    CHECK_FALSE(has_subordinate_ids("", "alice", 1000));
    CHECK_FALSE(has_subordinate_ids("garbage line\n", "alice", 1000));
}

TEST_CASE("buildah's setup: rootless needs subordinate ids, oci isolation an OCI runtime", "[unit][doctor]") {
    using pipeline::steps::BuildahSetup;
    using pipeline::steps::judge_buildah_setup;
    BuildahSetup setup;
    setup.driver = "vfs";
    setup.driver_origin = "pipe.yaml:3:19";
    setup.isolation = "chroot";
    setup.isolation_origin = "pipe.yaml:4:14";
    setup.info.graph_root = "/var/lib/containers/storage";
    setup.root = true;
    DoctorCheck root = judge_buildah_setup(setup);
    CHECK(root.status == CheckStatus::ok);
    CHECK_THAT(root.detail, Catch::Contains("driver vfs (pipe.yaml:3:19), isolation chroot (pipe.yaml:4:14)"));
    setup.root = false;
    setup.user = "ci";
    DoctorCheck no_ids = judge_buildah_setup(setup);
    CHECK(no_ids.status == CheckStatus::fail);
    CHECK_THAT(no_ids.fix, Catch::Contains("usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ci"));
    setup.subordinate_ids = true;
    CHECK(judge_buildah_setup(setup).status == CheckStatus::ok);
    setup.isolation = "rootless";
    DoctorCheck no_runtime = judge_buildah_setup(setup);
    CHECK(no_runtime.status == CheckStatus::fail);
    CHECK_THAT(no_runtime.fix, Catch::Contains("crun"));
    setup.info.oci_runtime = "crun";
    setup.driver = "overlay";
    CHECK(judge_buildah_setup(setup).status == CheckStatus::warn);
    CHECK(pipeline::steps::default_isolation("", true) == "oci");
    CHECK(pipeline::steps::default_isolation("", false) == "rootless");
    CHECK(pipeline::steps::default_isolation("chroot", false) == "chroot");
}

TEST_CASE("buildah info's JSON gives driver, root, runtime and rootless", "[unit][doctor]") {
    auto info = pipeline::tools::parse_buildah_info(
        R"({"host": {"OCIRuntime": "crun", "rootless": true}, "store": {"GraphDriverName": "overlay",
            "GraphRoot": "/home/ci/.local/share/containers/storage"}})");
    REQUIRE(info);
    CHECK(info->driver == "overlay");
    CHECK(info->rootless);
    CHECK(info->oci_runtime == "crun");
    CHECK(info->graph_root == "/home/ci/.local/share/containers/storage");
    CHECK_FALSE(pipeline::tools::parse_buildah_info("Error: no storage"));
    CHECK_FALSE(pipeline::tools::parse_buildah_info(R"({"host": {}})"));
}

TEST_CASE("the Trivy DB warns when missing, unreadable or older than the limit", "[unit][doctor]") {
    using pipeline::steps::judge_trivy_db;
    const auto now = *pipeline::parse_rfc3339("2026-11-27T12:00:00Z");
    pipeline::tools::TrivyVersion trivy;
    trivy.version = "0.58.1";
    CHECK(judge_trivy_db(trivy, now, std::chrono::hours(48)).status == CheckStatus::warn);
    trivy.db_updated_at = "yesterday";
    CHECK(judge_trivy_db(trivy, now, std::chrono::hours(48)).status == CheckStatus::warn);
    trivy.db_updated_at = "2026-11-26T06:00:00.123Z";
    trivy.db_next_update = "2026-11-26T12:00:00Z";
    DoctorCheck fresh = judge_trivy_db(trivy, now, std::chrono::hours(48));
    CHECK(fresh.status == CheckStatus::ok);
    CHECK_THAT(fresh.detail, Catch::Contains("(30 h ago), next update 2026-11-26T12:00:00Z"));
    trivy.db_updated_at = "2026-11-20T00:00:00Z";
    DoctorCheck stale = judge_trivy_db(trivy, now, std::chrono::hours(48));
    CHECK(stale.status == CheckStatus::warn);
    CHECK_THAT(stale.detail, Catch::Contains("180 h ago") && Catch::Contains("older than 48 h"));
    CHECK_THAT(stale.fix, Catch::Contains("--download-db-only"));
}

TEST_CASE("a registry check is ok when accepted and fails with the login fix when refused", "[unit][doctor]") {
    using pipeline::steps::judge_registry;
    pipeline::oci::RegistryAccess access{"basic", "with the credentials of user 'ci' from auth file a.json", true, {}};
    DoctorCheck ok = judge_registry("127.0.0.1:5000", access);
    CHECK(ok.status == CheckStatus::ok);
    CHECK(ok.name == "registry 127.0.0.1:5000");
    CHECK_THAT(ok.detail, Catch::Contains("basic auth ok") && Catch::Contains("from auth file a.json"));
    access.accepted = false;
    access.refusal = "registry 127.0.0.1:5000: GET /v2/ was refused: HTTP 401";
    DoctorCheck refused = judge_registry("127.0.0.1:5000", access);
    CHECK(refused.status == CheckStatus::fail);
    CHECK(refused.required);
    CHECK_THAT(refused.detail, Catch::Contains("HTTP 401"));
    CHECK_THAT(refused.fix, Catch::Contains("buildah login 127.0.0.1:5000"));
    CHECK(judge_registry("r", pipeline::oci::RegistryAccess{"anonymous", "none", true, {}}).status == CheckStatus::ok);
}

TEST_CASE("a GitHub token must push, and a classic one needs the repo scope", "[unit][doctor]") {
    using pipeline::steps::GithubTokenFacts;
    using pipeline::steps::judge_github;
    pipeline::github::RepositoryInfo info;
    info.default_branch = "main";
    info.can_push = true;
    const GithubTokenFacts pat{"PIPE_GITHUB_TOKEN", false, "acme/app"};
    CHECK(judge_github("acme/config", info, pat).status == CheckStatus::ok);
    info.oauth_scopes = "read:packages, workflow";
    DoctorCheck no_repo = judge_github("acme/config", info, pat);
    CHECK(no_repo.status == CheckStatus::fail);
    CHECK_THAT(no_repo.detail, Catch::Contains("without `repo`"));
    info.oauth_scopes = "public_repo";
    CHECK(judge_github("acme/config", info, pat).status == CheckStatus::ok);
    info.is_private = true;
    CHECK(judge_github("acme/config", info, pat).status == CheckStatus::fail);
    info.oauth_scopes = "repo, workflow";
    CHECK(judge_github("acme/config", info, pat).status == CheckStatus::ok);
    info.oauth_scopes.reset();
    info.can_push = false;
    DoctorCheck read_only = judge_github("acme/config", info, pat);
    CHECK(read_only.status == CheckStatus::fail);
    CHECK_THAT(read_only.detail, Catch::Contains("not push"));
    info.can_push.reset();
    CHECK(judge_github("acme/config", info, pat).status == CheckStatus::warn);
    info.can_push = true;
    const GithubTokenFacts actions{"GITHUB_TOKEN", true, "acme/app"};
    DoctorCheck elsewhere = judge_github("acme/config", info, actions);
    CHECK(elsewhere.status == CheckStatus::warn);
    CHECK_THAT(elsewhere.detail, Catch::Contains("belongs to acme/app"));
    CHECK(judge_github("acme/app", info, actions).status == CheckStatus::ok);
}

TEST_CASE("the doctor's verdict fails only on a failed required check", "[unit][doctor]") {
    using pipeline::steps::doctor_verdict;
    std::vector<DoctorCheck> checks{{"a", CheckStatus::ok, true, {}, {}},
                                    {"b", CheckStatus::warn, true, {}, {}},
                                    {"c", CheckStatus::fail, false, {}, {}},
                                    {"d", CheckStatus::skipped, true, {}, {}}};
    CHECK(doctor_verdict(checks) == Verdict::pass);
    checks.push_back({"e", CheckStatus::fail, true, {}, {}});
    CHECK(doctor_verdict(checks) == Verdict::fail);
    CHECK(doctor_verdict({}) == Verdict::pass);
    CHECK(pipeline::steps::status_name(CheckStatus::skipped) == "skipped");
}
