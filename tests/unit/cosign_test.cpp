// The cosign wrapper: exact argv per spec, the password only in the secret environment, digest-only
// references, key XOR identity, and the parsers over real-shaped `cosign version` and
// `cosign verify -o json` output (tests/data/cosign-fake).
#include <pipe/proc/recording_runner.h>
#include <pipe/tools/cosign.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using pipeline::ErrorKind;
using pipeline::Secret;
using pipeline::proc::ExitStatus;
using pipeline::proc::ProcessResult;
using pipeline::proc::RecordingRunner;
using pipeline::tools::Cosign;
using pipeline::tools::CosignAttestSpec;
using pipeline::tools::CosignIdentityMode;
using pipeline::tools::CosignSignSpec;
using pipeline::tools::CosignVerifyOutcome;
using pipeline::tools::CosignVerifySpec;

namespace {

using Argv = std::vector<std::string>;

const std::string k_digest = "sha256:6b1f1d4a0b7c1e3f9a2f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
const std::string k_reference = "ghcr.io/acme/api@" + k_digest;

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/cosign-fake/" + name);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

CosignSignSpec key_sign_spec() {
    CosignSignSpec spec;
    spec.reference = k_reference;
    spec.key = "cosign.key";
    spec.password = Secret("hunter2-correct-horse");
    return spec;
}

ProcessResult exited(int code, std::string out = {}, std::string err = {}) {
    ProcessResult result;
    result.status = ExitStatus::exited(code);
    result.out = std::move(out);
    result.err = std::move(err);
    return result;
}

bool argv_mentions(const Argv& argv, const std::string& needle) {
    for (const std::string& arg : argv) {
        if (arg.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("key signing: --yes, --key, the reference last, the password only in secret_env", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    auto command = cosign.sign_command(key_sign_spec());
    REQUIRE(command);
    CHECK(command->argv == Argv{"cosign", "sign", "--yes", "--key", "cosign.key", k_reference});
    REQUIRE(command->secret_env.count("COSIGN_PASSWORD") == 1);
    CHECK(command->secret_env.at("COSIGN_PASSWORD").reveal() == "hunter2-correct-horse");
    CHECK(command->env.count("COSIGN_PASSWORD") == 0);
    CHECK_FALSE(argv_mentions(command->argv, "hunter2"));
    const std::string shown = pipeline::proc::describe(*command);
    CHECK(shown.find("COSIGN_PASSWORD=***") != std::string::npos);
    CHECK(shown.find("hunter2") == std::string::npos);
}

TEST_CASE("an empty password is still exported, so cosign never reads stdin", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignSignSpec spec = key_sign_spec();
    spec.password = Secret();
    auto command = cosign.sign_command(spec);
    REQUIRE(command);
    REQUIRE(command->secret_env.count("COSIGN_PASSWORD") == 1);
    CHECK(command->secret_env.at("COSIGN_PASSWORD").reveal().empty());
    CHECK_FALSE(command->stdin_data.has_value());
}

TEST_CASE("every sign option becomes its cosign flag", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner, "/opt/cosign/bin/cosign");
    CosignSignSpec spec = key_sign_spec();
    spec.key = "awskms:///alias/pipe";
    spec.annotations = {{"pipe.service", "api"}, {"org.opencontainers.image.revision", "0a1b2c3"}};
    spec.recursive = true;
    spec.tlog_upload = false;
    spec.registry.insecure = true;
    spec.registry.ca_file = "/tmp/ca.pem";
    spec.registry.environment = {{"DOCKER_CONFIG", "/tmp/pipe-auth"}};
    auto command = cosign.sign_command(spec);
    REQUIRE(command);
    CHECK(command->argv == Argv{"/opt/cosign/bin/cosign", "sign", "--yes", "--key", "awskms:///alias/pipe",
                                "--tlog-upload=false", "--recursive", "-a", "pipe.service=api", "-a",
                                "org.opencontainers.image.revision=0a1b2c3", "--allow-insecure-registry",
                                "--allow-http-registry", "--registry-cacert", "/tmp/ca.pem", k_reference});
    CHECK(command->env == pipeline::Environment{{"DOCKER_CONFIG", "/tmp/pipe-auth"}});
}

TEST_CASE("keyless signing: ambient uses the github-actions provider, interactive the device flow", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignSignSpec spec;
    spec.reference = k_reference;
    spec.identity = CosignIdentityMode::ambient;
    auto ambient = cosign.sign_command(spec);
    REQUIRE(ambient);
    CHECK(ambient->argv == Argv{"cosign", "sign", "--yes", "--oidc-provider=github-actions", k_reference});
    CHECK(ambient->secret_env.count("COSIGN_PASSWORD") == 1);
    CHECK(ambient->inherit_environment);  // cosign reads ACTIONS_ID_TOKEN_REQUEST_* itself
    CHECK_FALSE(argv_mentions(ambient->argv, "ACTIONS_ID_TOKEN"));
    CHECK_FALSE(argv_mentions(ambient->argv, "--identity-token"));

    spec.identity = CosignIdentityMode::interactive;
    auto interactive = cosign.sign_command(spec);
    REQUIRE(interactive);
    CHECK(interactive->argv == Argv{"cosign", "sign", "--yes", "--fulcio-auth-flow=device", k_reference});
}

TEST_CASE("signing by tag, key mode without key, and keyless with a key are usage errors", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignSignSpec spec = key_sign_spec();
    spec.reference = "ghcr.io/acme/api:main";
    auto by_tag = cosign.sign_command(spec);
    REQUIRE_FALSE(by_tag);
    CHECK(by_tag.error().kind == ErrorKind::usage);
    CHECK(by_tag.error().message.find("not a reference by digest") != std::string::npos);

    spec = key_sign_spec();
    spec.reference = "not a reference";
    CHECK_FALSE(cosign.sign_command(spec));

    spec = key_sign_spec();
    spec.key.clear();
    CHECK_FALSE(cosign.sign_command(spec));

    spec = key_sign_spec();
    spec.identity = CosignIdentityMode::ambient;
    auto both = cosign.sign_command(spec);
    REQUIRE_FALSE(both);
    CHECK(both.error().kind == ErrorKind::usage);
    CHECK(runner.commands().empty());
}

TEST_CASE("attest: predicate and type, --yes, the password in secret_env", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignAttestSpec spec;
    spec.reference = k_reference;
    spec.key = "cosign.key";
    spec.password = Secret("s3cret");
    spec.predicate = "/tmp/sbom.cdx.json";
    spec.type = "cyclonedx";
    spec.tlog_upload = false;
    spec.registry.insecure = true;
    auto command = cosign.attest_command(spec);
    REQUIRE(command);
    CHECK(command->argv == Argv{"cosign", "attest", "--yes", "--key", "cosign.key", "--predicate", "/tmp/sbom.cdx.json",
                                "--type", "cyclonedx", "--tlog-upload=false", "--allow-insecure-registry",
                                "--allow-http-registry", k_reference});
    CHECK(command->secret_env.at("COSIGN_PASSWORD").reveal() == "s3cret");
    CHECK_FALSE(argv_mentions(command->argv, "s3cret"));

    spec.predicate.clear();
    CHECK_FALSE(cosign.attest_command(spec));
    spec.predicate = "/tmp/sbom.cdx.json";
    spec.reference = "ghcr.io/acme/api:1.2.3";
    CHECK_FALSE(cosign.attest_command(spec));
}

TEST_CASE("verify with a key: -o json, the optional tlog skip, registry flags", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignVerifySpec spec;
    spec.reference = k_reference;
    spec.key = "cosign.pub";
    auto plain = cosign.verify_command(spec);
    REQUIRE(plain);
    CHECK(plain->argv == Argv{"cosign", "verify", "--key", "cosign.pub", "-o", "json", k_reference});
    CHECK(plain->secret_env.empty());

    spec.ignore_tlog = true;
    spec.registry.ca_file = "/tmp/ca.pem";
    auto skip = cosign.verify_command(spec);
    REQUIRE(skip);
    CHECK(skip->argv == Argv{"cosign", "verify", "--key", "cosign.pub", "--insecure-ignore-tlog=true", "-o", "json",
                             "--registry-cacert", "/tmp/ca.pem", k_reference});
}

TEST_CASE("keyless verify and verify-attestation", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignVerifySpec spec;
    spec.reference = k_reference;
    spec.certificate_identity_regexp = "^https://github.com/acme/api/";
    spec.certificate_oidc_issuer = std::string(pipeline::tools::k_github_actions_issuer);
    auto keyless = cosign.verify_command(spec);
    REQUIRE(keyless);
    CHECK(keyless->argv == Argv{"cosign", "verify", "--certificate-identity-regexp", "^https://github.com/acme/api/",
                                "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com", "-o",
                                "json", k_reference});

    spec.certificate_identity_regexp.clear();
    spec.certificate_identity = "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main";
    spec.attestation_type = "slsaprovenance1";
    auto attestation = cosign.verify_command(spec);
    REQUIRE(attestation);
    CHECK(attestation->argv == Argv{"cosign", "verify-attestation", "--type", "slsaprovenance1",
                                    "--certificate-identity", spec.certificate_identity, "--certificate-oidc-issuer",
                                    "https://token.actions.githubusercontent.com", "-o", "json", k_reference});
}

TEST_CASE("verify: key and identity together, neither, or an identity without issuer are rejected", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignVerifySpec spec;
    spec.reference = k_reference;
    spec.key = "cosign.pub";
    spec.certificate_identity = "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main";
    spec.certificate_oidc_issuer = "https://token.actions.githubusercontent.com";
    auto both = cosign.verify_command(spec);
    REQUIRE_FALSE(both);
    CHECK(both.error().kind == ErrorKind::usage);
    CHECK(both.error().message.find("both a key and a certificate identity") != std::string::npos);

    spec.key.clear();
    spec.certificate_oidc_issuer.clear();
    CHECK_FALSE(cosign.verify_command(spec));

    spec.certificate_identity.clear();
    CHECK_FALSE(cosign.verify_command(spec));

    spec.key = "cosign.pub";
    spec.reference = "ghcr.io/acme/api:main";
    CHECK_FALSE(cosign.verify_command(spec));
}

TEST_CASE("cosign version: the text banner and --json", "[cosign]") {
    const std::string text = R"(  ______   ______        _______. __    _______ .__   __.
 /      | /  __  \      /       ||  |  /  _____||  \ |  |
|  ,----'|  |  |  |    |   (----`|  | |  |  __  |   \|  |
cosign: A tool for Container Signing, Verification and Storage in an OCI registry.

GitVersion:    v2.4.1
GitCommit:     9a4cfe1aae777984c07ce373d97a65428bbff734
GitTreeState:  clean
BuildDate:     2024-10-03T17:50:52Z
GoVersion:     go1.23.2
Compiler:      gc
Platform:      linux/amd64
)";
    auto version = pipeline::tools::parse_cosign_version(text);
    REQUIRE(version);
    CHECK(version->major == 2);
    CHECK(version->minor == 4);
    CHECK(version->patch == 1);
    CHECK(version->text == "v2.4.1");

    auto json = pipeline::tools::parse_cosign_version(
        R"({"gitVersion":"v3.0.2-fake","gitCommit":"unknown","gitTreeState":"clean","buildDate":"unknown",)"
        R"("goVersion":"go1.24.1","compiler":"gc","platform":"linux/amd64"})");
    REQUIRE(json);
    CHECK(json->major == 3);
    CHECK(json->minor == 0);
    CHECK(json->patch == 2);
    CHECK(json->text == "v3.0.2-fake");

    auto debian = pipeline::tools::parse_cosign_version("GitVersion:    2.2.4\n");
    REQUIRE(debian);
    CHECK(debian->minor == 2);

    CHECK_FALSE(pipeline::tools::parse_cosign_version("GitVersion:    devel\n"));
    CHECK_FALSE(pipeline::tools::parse_cosign_version("{\"gitVersion\": 3}"));
    CHECK_FALSE(pipeline::tools::parse_cosign_version("command not found"));
    CHECK_FALSE(pipeline::tools::parse_cosign_version(""));
}

TEST_CASE("Cosign::version runs `cosign version --json` - a missing cosign says how to install it", "[cosign]") {
    RecordingRunner runner;
    runner.expect({"cosign", "version", "--json"}, exited(0, R"({"gitVersion":"v2.5.0"})"));
    Cosign cosign(runner);
    auto version = cosign.version();
    REQUIRE(version);
    CHECK(version->minor == 5);

    runner.expect({"cosign", "version", "--json"},
                  pipeline::runtime_error("cannot start cosign: No such file or directory"));
    auto missing = cosign.version();
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::runtime);
    CHECK(missing.error().hint.find("install cosign") != std::string::npos);
    CHECK(runner.unanswered() == 0);
}

TEST_CASE("verify -o json: keyless legacy payload with optional claims and the Rekor bundle", "[cosign]") {
    auto signatures = pipeline::tools::parse_verify_output(read_data("verify-keyless.json"));
    REQUIRE(signatures);
    REQUIRE(signatures->size() == 2);
    const auto& first = signatures->at(0);
    CHECK(first.digest == k_digest);
    CHECK(first.identity == "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main");
    CHECK(first.issuer == "https://token.actions.githubusercontent.com");
    CHECK(first.workflow == "release");
    CHECK(first.workflow_ref == "refs/heads/main");
    CHECK(first.repository == "acme/api");
    CHECK(first.commit == "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567");
    CHECK(first.trigger == "push");
    CHECK(first.log_index == 151234567);
    CHECK(first.integrated_time == 1732665600);
    CHECK(first.annotations == std::map<std::string, std::string>{
                                   {"org.opencontainers.image.revision", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
                                   {"pipe.service", "api"}});
    const auto& second = signatures->at(1);  // key-signed, no annotations: optional is null
    CHECK(second.digest == k_digest);
    CHECK(second.identity.empty());
    CHECK_FALSE(second.log_index.has_value());
    CHECK(second.annotations.empty());
}

TEST_CASE("verify -o json: the v3 in-toto statement shape and malformed output", "[cosign]") {
    auto v3 = pipeline::tools::parse_verify_output(
        R"([{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"ghcr.io/acme/api","digest":{"sha256":)"
        R"("6b1f1d4a0b7c1e3f9a2f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"},"annotations":{"pipe.service":"api"}}],)"
        R"("predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}])");
    REQUIRE(v3);
    REQUIRE(v3->size() == 1);
    CHECK(v3->at(0).digest == k_digest);
    CHECK(v3->at(0).annotations.at("pipe.service") == "api");

    CHECK(pipeline::tools::parse_verify_output("[]")->empty());
    CHECK_FALSE(pipeline::tools::parse_verify_output(""));
    CHECK_FALSE(pipeline::tools::parse_verify_output("{}"));
    CHECK_FALSE(pipeline::tools::parse_verify_output("[{\"critical\":{}}]"));
    CHECK_FALSE(pipeline::tools::parse_verify_output("[42]"));
    CHECK_FALSE(pipeline::tools::parse_verify_output("Verification for ghcr.io/acme/api --"));
}

TEST_CASE("verify exit codes: 0, 10, 11, 12, 13 and everything else", "[cosign]") {
    using pipeline::tools::classify_verify_exit;
    CHECK(classify_verify_exit(0) == CosignVerifyOutcome::verified);
    CHECK(classify_verify_exit(10) == CosignVerifyOutcome::no_signature);
    CHECK(classify_verify_exit(11) == CosignVerifyOutcome::tag_missing);
    CHECK(classify_verify_exit(12) == CosignVerifyOutcome::no_match);
    CHECK(classify_verify_exit(13) == CosignVerifyOutcome::no_certificate);
    CHECK(classify_verify_exit(1) == CosignVerifyOutcome::failed);
    CHECK(classify_verify_exit(2) == CosignVerifyOutcome::failed);
    CHECK(classify_verify_exit(-1) == CosignVerifyOutcome::failed);
    for (auto outcome :
         {CosignVerifyOutcome::verified, CosignVerifyOutcome::no_signature, CosignVerifyOutcome::tag_missing,
          CosignVerifyOutcome::no_match, CosignVerifyOutcome::no_certificate, CosignVerifyOutcome::failed}) {
        CHECK_FALSE(pipeline::tools::describe_verify_outcome(outcome).empty());
    }
    CHECK(pipeline::tools::describe_verify_outcome(CosignVerifyOutcome::no_signature).find("no signature") !=
          std::string::npos);
}

TEST_CASE("Cosign::verify turns exit codes into outcomes and parses the signatures", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    CosignVerifySpec spec;
    spec.reference = k_reference;
    spec.key = "cosign.pub";
    const Argv argv{"cosign", "verify", "--key", "cosign.pub", "-o", "json", k_reference};
    runner.expect(argv, exited(0, read_data("verify-keyless.json"), "Verification for ghcr.io/acme/api --\n"));
    runner.expect(argv, exited(12, "",
                               "Error: no matching signatures: invalid signature\nmain.go:74: error during "
                               "command execution: no matching signatures: invalid signature\n"));
    auto verified = cosign.verify(spec, {});
    REQUIRE(verified);
    CHECK(verified->outcome == CosignVerifyOutcome::verified);
    CHECK(verified->signatures.size() == 2);
    auto mismatch = cosign.verify(spec, {});
    REQUIRE(mismatch);
    CHECK(mismatch->outcome == CosignVerifyOutcome::no_match);
    CHECK(mismatch->exit_code == 12);
    CHECK(mismatch->detail.find("no matching signatures") != std::string::npos);

    ProcessResult crashed;
    crashed.status = ExitStatus::signaled(11);
    runner.expect(argv, crashed);
    auto signal = cosign.verify(spec, {});
    REQUIRE_FALSE(signal);
    CHECK(signal.error().message.find("signal 11") != std::string::npos);
}

TEST_CASE("Cosign::sign quotes cosign's error on failure", "[cosign]") {
    RecordingRunner runner;
    Cosign cosign(runner);
    runner.expect({"cosign", "sign", "--yes", "--key", "cosign.key", k_reference},
                  exited(1, "",
                         "Error: signing [" + k_reference +
                             "]: getting signer: reading key: decrypt: encrypted: decryption failed\n"));
    auto signed_ = cosign.sign(key_sign_spec(), {});
    REQUIRE_FALSE(signed_);
    CHECK(signed_.error().message.find("decryption failed") != std::string::npos);
    CHECK(signed_.error().message.find("exit 1") != std::string::npos);
    REQUIRE(runner.commands().size() == 1);
    CHECK(runner.commands().front().secret_env.count("COSIGN_PASSWORD") == 1);
}
