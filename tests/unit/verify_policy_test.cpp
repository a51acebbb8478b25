// Who `pipe verify` requires: flags, then pipe.yaml's `verify:`, then the GitHub default; the
// conflicts that are usage errors; the printed command; predicate type shorthands; where cosign
// keeps attachments.
#include <pipe/sign/native_signatures.h>
#include <pipe/sign/signature_store.h>
#include <pipe/steps/verify_policy.h>

#include <catch2/catch.hpp>

using pipeline::steps::resolve_verify_policy;
using pipeline::steps::VerifyPolicy;
using pipeline::steps::Workspace;

namespace {

Workspace workspace(const std::string& remote, pipeline::Environment env = {}) {
    Workspace ws;
    ws.root = "/src/app";
    pipeline::git::RepositoryState git;
    git.remote_url = remote;
    ws.git = git;
    ws.config.services.emplace_back();
    ws.config.services.back().name = "api";
    ws.env = std::move(env);
    return ws;
}

}  // namespace

TEST_CASE("a repository on GitHub defaults to its own workflows and the Actions issuer", "[verify]") {
    auto policy = resolve_verify_policy(workspace("https://github.com/acme/payments-api.git"), {});
    REQUIRE(policy);
    CHECK(policy->identity_regexp == "^https://github\\.com/acme/payments-api/\\.github/workflows/");
    CHECK(policy->issuer == "https://token.actions.githubusercontent.com");
    CHECK(policy->source == "default for github.com/acme/payments-api");

    auto in_actions =
        resolve_verify_policy(workspace("", {{"GITHUB_ACTIONS", "true"}, {"GITHUB_REPOSITORY", "acme/web.site"}}), {});
    REQUIRE(in_actions);
    CHECK(in_actions->identity_regexp == "^https://github\\.com/acme/web\\.site/\\.github/workflows/");
}

TEST_CASE("flags win over pipe.yaml, which wins over the default", "[verify]") {
    Workspace ws = workspace("https://github.com/acme/api");
    ws.config.services.front().verify.key = "keys/cosign.pub";
    auto configured = resolve_verify_policy(ws, {});
    REQUIRE(configured);
    CHECK(configured->key == "/src/app/keys/cosign.pub");
    CHECK(configured->source == "pipe.yaml");

    VerifyPolicy flags;
    flags.identity = "release@acme.example";
    flags.issuer = "https://accounts.google.com";
    auto given = resolve_verify_policy(ws, flags);
    REQUIRE(given);
    CHECK(given->key.empty());
    CHECK(given->identity == "release@acme.example");
    CHECK(given->source == "flags");
}

TEST_CASE("conflicting or incomplete identity flags are usage errors", "[verify]") {
    const Workspace ws = workspace("https://github.com/acme/api");
    const auto fails = [&](VerifyPolicy flags) {
        auto policy = resolve_verify_policy(ws, flags);
        REQUIRE_FALSE(policy);
        CHECK(pipeline::exit_code_for(policy.error()) == 2);
        return policy.error().message;
    };
    CHECK(fails({"cosign.pub", "me@example.com", "", "https://accounts.google.com", ""}).find("both given") !=
          std::string::npos);
    CHECK(fails({"", "me@example.com", "", "", ""}).find("needs its OIDC issuer") != std::string::npos);
    CHECK(fails({"", "", "", "https://accounts.google.com", ""}).find("does not say who signed") != std::string::npos);
    CHECK(fails({"", "a", "b", "https://accounts.google.com", ""}).find("identity pattern") != std::string::npos);
    CHECK(fails({"", "", "([", "https://accounts.google.com", ""}).find("not a valid pattern") != std::string::npos);

    auto nowhere = resolve_verify_policy(workspace("https://gitlab.example/acme/api.git"), {});
    REQUIRE_FALSE(nowhere);
    CHECK(nowhere.error().message.find("not on GitHub") != std::string::npos);
}

TEST_CASE("the printed verify command quotes for a shell", "[verify]") {
    VerifyPolicy policy;
    policy.identity_regexp = "^https://github\\.com/acme/api/";
    policy.issuer = "https://token.actions.githubusercontent.com";
    CHECK(pipeline::steps::verify_command_line(policy, "ghcr.io/acme/api@sha256:abc", false) ==
          "pipe verify --certificate-identity-regexp '^https://github\\.com/acme/api/' --certificate-oidc-issuer "
          "https://token.actions.githubusercontent.com ghcr.io/acme/api@sha256:abc");
    CHECK(pipeline::steps::verify_command_line(VerifyPolicy{"k.pub", "", "", "", ""}, "x@sha256:1", true) ==
          "pipe verify --key k.pub --insecure-ignore-tlog x@sha256:1");
}

TEST_CASE("predicate type shorthands map to cosign's URIs - attachments live under cosign's tags", "[verify]") {
    using pipeline::sign::predicate_type_uri;
    CHECK(predicate_type_uri("spdxjson") == "https://spdx.dev/Document");
    CHECK(predicate_type_uri("cyclonedx") == "https://cyclonedx.org/bom");
    CHECK(predicate_type_uri("slsaprovenance1") == "https://slsa.dev/provenance/v1");
    CHECK(predicate_type_uri("https://example.com/custom/v1") == "https://example.com/custom/v1");
    CHECK_FALSE(predicate_type_uri("nonsense"));
    const std::string digest = "sha256:" + std::string(64, 'a');
    CHECK(pipeline::sign::attachment_tag(digest, pipeline::sign::Attachment::signature) ==
          "sha256-" + std::string(64, 'a') + ".sig");
    CHECK(pipeline::sign::attachment_tag(digest, pipeline::sign::Attachment::attestation) ==
          "sha256-" + std::string(64, 'a') + ".att");
    CHECK(pipeline::sign::referrers_fallback_tag(digest) == "sha256-" + std::string(64, 'a'));
}
