// `pipe sign` / `pipe verify` through cosign: tests/fakes/fake-cosign installed as `cosign` on
// PATH (it signs for real in cosign's registry formats and checks pipe's argv and environment),
// against docker-registry on loopback. Keyless with the GitHub Actions OIDC token (served by the
// loopback fault server), key-based signing, cosign v3 bundles read by pipe's native verifier,
// signatures made by one side verified by the other, attestations, and cosign failures that must
// never pass.
#include "git_fixture.h"
#include "http_test_server.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/oci/credentials.h>
#include <pipe/proc/executable_search.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

using pipeline::Environment;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

std::string base64url(const std::string& text) {
    std::string encoded = pipeline::oci::encode_base64(text);
    for (char& c : encoded) {
        c = c == '+' ? '-' : (c == '/' ? '_' : c);
    }
    return encoded.substr(0, encoded.find('='));
}

// A repository, a seeded image, and an environment with the fake cosign first on PATH, or with
// PIPE_TEST_REAL_TOOLS=1 and a cosign installed, that real cosign (real is then true).
struct WithCosign {
    explicit WithCosign(const TempDir& dir) : registry(dir.path()) {
        const char* real_tools = std::getenv("PIPE_TEST_REAL_TOOLS");
        real = real_tools != nullptr && std::string(real_tools) == "1" &&
               pipeline::proc::find_executable("cosign", pipeline::current_environment()).has_value();
        repo = pipeline::testing::service_repository(
            dir.path() / "repo",
            {{"pipe.yaml", "image: " + registry.host() + "/acme/api\nregistry:\n  insecure: true\n"}});
        digest = registry.seed_image("acme/api", "1.0");
        image = registry.host() + "/acme/api@" + digest;
        const std::filesystem::path bin = dir.path() / "bin";
        std::filesystem::create_directories(bin);
        if (!real) {
            std::filesystem::create_symlink(std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-cosign", bin / "cosign");
        }
        const char* path = std::getenv("PATH");
        env["PATH"] = bin.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin");
        log = dir.path() / "cosign-calls.jsonl";
        env["FAKE_COSIGN_LOG"] = log.string();
        env["COSIGN_PASSWORD"] = "cosign-key-password";
        REQUIRE(run_pipe({"sign", "--generate-key"}, repo, env).exit_code == 0);
    }

    // GitHub Actions with `id-token: write`: the request URL and token of the OIDC endpoint.
    Environment actions(const std::string& repository = "acme/api") const {
        Environment actions_env = env;
        const nlohmann::json claims{{"iss", "https://token.actions.githubusercontent.com"},
                                    {"sub", "repo:" + repository + ":ref:refs/heads/main"},
                                    {"aud", "sigstore"},
                                    {"job_workflow_ref", repository + "/.github/workflows/ci.yaml@refs/heads/main"},
                                    {"repository", repository},
                                    {"sha", "0123456789abcdef0123456789abcdef01234567"},
                                    {"ref", "refs/heads/main"},
                                    {"event_name", "push"},
                                    {"workflow", "ci"}};
        actions_env["GITHUB_ACTIONS"] = "true";
        actions_env["GITHUB_REPOSITORY"] = repository;
        actions_env["ACTIONS_ID_TOKEN_REQUEST_URL"] =
            pipeline::testing::shared_fault_server().url("/oidc/" + base64url(claims.dump()) + "/request-token-value") +
            "?api-version=2.0";
        actions_env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-token-value";
        return actions_env;
    }

    // The recorded cosign calls, one JSON object each.
    std::vector<nlohmann::json> calls() const {
        std::vector<nlohmann::json> parsed;
        std::istringstream in(std::filesystem::exists(log) ? read_file(log) : "");
        for (std::string line; std::getline(in, line);) {
            parsed.push_back(nlohmann::json::parse(line));
        }
        return parsed;
    }

    // The argv of the last call whose first word is command.
    nlohmann::json last(const std::string& command) const {
        nlohmann::json found;
        for (const nlohmann::json& call : calls()) {
            if (call["argv"][0] == command) {
                found = call["argv"];
            }
        }
        return found;
    }

    bool real = false;
    LocalRegistry registry;
    std::filesystem::path repo, log;
    std::string digest, image;
    Environment env;
};

bool has(const nlohmann::json& argv, const std::string& word) {
    return std::find(argv.begin(), argv.end(), word) != argv.end();
}

}  // namespace

TEST_CASE("keyless signing in GitHub Actions uses the ambient OIDC token and self-verifies", "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);
    if (c.real) {
        WARN("needs fake-cosign (an OIDC provider, v3 mode or crash modes): skipped with the real cosign");
        return;
    }
    const Environment actions = c.actions();

    auto signed_run = run_pipe({"sign", c.registry.host() + "/acme/api:1.0"}, c.repo, actions);
    INFO(signed_run.err);
    INFO(signed_run.out);
    REQUIRE(signed_run.exit_code == 0);
    CHECK(signed_run.err.find("cosign keyless (GitHub Actions OIDC)") != std::string::npos);
    const nlohmann::json sign_argv = c.last("sign");
    CHECK(has(sign_argv, "--yes"));
    CHECK(has(sign_argv, c.image));  // by digest, never the tag
    for (const auto& word : sign_argv) {
        CHECK(word.get<std::string>().find("request-token-value") == std::string::npos);
    }
    CHECK(signed_run.out.find("pipe verify --certificate-identity-regexp '^https://github\\.com/acme/api/\\.github/"
                              "workflows/' --certificate-oidc-issuer https://token.actions.githubusercontent.com " +
                              c.image) != std::string::npos);

    auto verified = run_pipe({"verify", "--json", c.image}, c.repo, actions);
    INFO(verified.err);
    REQUIRE(verified.exit_code == 0);
    const auto doc = nlohmann::json::parse(verified.out);
    CHECK(doc["policy"]["source"] == "default for github.com/acme/api");
    const nlohmann::json& signer = doc["images"][0]["signers"][0];
    CHECK(signer["identity"] == "https://github.com/acme/api/.github/workflows/ci.yaml@refs/heads/main");
    CHECK(signer["issuer"] == "https://token.actions.githubusercontent.com");
    CHECK(signer["commit"] == "0123456789abcdef0123456789abcdef01234567");
    CHECK(signer.contains("log_index"));

    SECTION("another repository's workflow does not match: exit 1") {
        auto run = run_pipe({"verify", "--certificate-identity-regexp", "^https://github\\.com/evil/",
                             "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com", c.image},
                            c.repo, c.env);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("rejected") != std::string::npos);
    }
    SECTION("cosign crashing during verification: exit 3, never verified") {
        Environment crashing = actions;
        crashing["FAKE_COSIGN_MODE"] = "crash";
        auto run = run_pipe({"verify", c.image}, c.repo, crashing);
        CHECK(run.exit_code == 3);
        CHECK(run.out.find("unchecked") != std::string::npos);
    }
}

TEST_CASE("keyless signing refuses to wait for a person in CI", "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);
    if (c.real) {
        WARN("needs fake-cosign (an OIDC provider, v3 mode or crash modes): skipped with the real cosign");
        return;
    }
    Environment no_token = c.env;
    no_token["GITHUB_ACTIONS"] = "true";
    no_token["GITHUB_REPOSITORY"] = "acme/api";
    auto run = run_pipe({"sign", c.image}, c.repo, no_token);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("id-token: write") != std::string::npos);
    auto required = run_pipe({"sign", "--require-ambient", c.image}, c.repo, c.env);
    CHECK(required.exit_code == 2);
    CHECK(c.last("sign").is_null());
}

TEST_CASE("key signing through cosign, verified by pipe's own verifier, and the other way round",
          "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);

    auto with_cosign =
        run_pipe({"sign", "--key", "cosign.key", "--tlog-upload", "false", "-a", "env=prod", c.image}, c.repo, c.env);
    INFO(with_cosign.err);
    REQUIRE(with_cosign.exit_code == 0);
    CHECK(with_cosign.err.find("(cosign key)") != std::string::npos);
    if (!c.real) {
        for (const auto& call : c.calls()) {
            CHECK(call.dump().find("cosign-key-password") == std::string::npos);
        }
        CHECK(has(c.last("sign"), "env=prod"));
        CHECK(has(c.last("sign"), "--tlog-upload=false"));
    }

    auto native = run_pipe({"verify", "--native", "--key", "cosign.pub", "--json", c.image}, c.repo, c.env);
    INFO(native.out);
    REQUIRE(native.exit_code == 0);
    CHECK(nlohmann::json::parse(native.out)["images"][0]["signers"][0]["format"] == "cosign .sig");

    const std::string second = c.registry.host() + "/acme/api@" + c.registry.seed_image("acme/api", "2.0");
    REQUIRE(run_pipe({"sign", "--native", "--key", "cosign.key", second}, c.repo, c.env).exit_code == 0);
    // Native signatures are in no transparency log: cosign refuses them unless told so.
    auto refused = run_pipe({"verify", "--key", "cosign.pub", second}, c.repo, c.env);
    CHECK(refused.exit_code == 3);
    CHECK(refused.out.find("transparency log") != std::string::npos);
    auto by_cosign = run_pipe({"verify", "--key", "cosign.pub", "--insecure-ignore-tlog", second}, c.repo, c.env);
    INFO(by_cosign.err);
    INFO(by_cosign.out);
    CHECK(by_cosign.exit_code == 0);
    CHECK((c.real || c.last("verify")[0] == "verify"));
}

TEST_CASE("cosign v3 bundles (referrers fallback tag) verify natively", "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);
    if (c.real) {
        WARN("needs fake-cosign (an OIDC provider, v3 mode or crash modes): skipped with the real cosign");
        return;
    }
    Environment v3 = c.env;
    v3["FAKE_COSIGN_VERSION"] = "3";
    auto signed_run = run_pipe({"sign", "--key", "cosign.key", c.image}, c.repo, v3);
    INFO(signed_run.err);
    REQUIRE(signed_run.exit_code == 0);
    CHECK(c.registry.skopeo_digest(c.registry.host() + "/acme/api:sha256-" + c.digest.substr(7)) != "");
    auto native = run_pipe({"verify", "--native", "--key", "cosign.pub", "--json", c.image}, c.repo, v3);
    INFO(native.out);
    REQUIRE(native.exit_code == 0);
    CHECK(nlohmann::json::parse(native.out)["images"][0]["signers"][0]["format"] == "sigstore bundle");

    Environment other = v3;
    other["COSIGN_PASSWORD"] = "";
    std::filesystem::create_directories(c.repo / "other");
    REQUIRE(run_pipe({"sign", "--generate-key", "--key", "other/cosign.key"}, c.repo, other).exit_code == 0);
    CHECK(run_pipe({"verify", "--native", "--key", "other/cosign.pub", c.image}, c.repo, v3).exit_code == 1);
}

TEST_CASE("attestations: provenance through cosign, checked by type", "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);
    if (c.real) {
        WARN("needs fake-cosign (an OIDC provider, v3 mode or crash modes): skipped with the real cosign");
        return;
    }
    auto attested = run_pipe({"sign", "--key", "cosign.key", "--attest", "provenance", c.image}, c.repo, c.env);
    INFO(attested.err);
    REQUIRE(attested.exit_code == 0);
    const nlohmann::json attest_argv = c.last("attest");
    REQUIRE(attest_argv.is_array());
    CHECK(has(attest_argv, "slsaprovenance1"));

    CHECK(run_pipe({"verify", "--key", "cosign.pub", "--attestation-type", "slsaprovenance1", c.image}, c.repo, c.env)
              .exit_code == 0);
    auto native = run_pipe(
        {"verify", "--native", "--key", "cosign.pub", "--attestation-type", "https://slsa.dev/provenance/v1", c.image},
        c.repo, c.env);
    INFO(native.out);
    CHECK(native.exit_code == 0);
    auto missing = run_pipe({"verify", "--native", "--key", "cosign.pub", "--attestation-type", "cyclonedx", c.image},
                            c.repo, c.env);
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("no https://cyclonedx.org/bom attestation found") != std::string::npos);

    Environment crashing = c.env;
    crashing["FAKE_COSIGN_MODE"] = "crash";
    auto crashed = run_pipe({"sign", "--key", "cosign.key", c.image}, c.repo, crashing);
    CHECK(crashed.exit_code == 3);
}

TEST_CASE("keyless signing on a laptop uses cosign's device flow and shows its URL", "[integration][sign]") {
    TempDir dir;
    WithCosign c(dir);
    if (c.real) {
        WARN("would need a person to log in: skipped with the real cosign");
        return;
    }
    auto run = run_pipe({"sign", c.image}, c.repo, c.env);
    CHECK(run.exit_code == 3);
    CHECK(run.err.find("https://oauth2.sigstore.dev/auth/device") != std::string::npos);
    CHECK(has(c.last("sign"), "--fulcio-auth-flow=device"));
}
