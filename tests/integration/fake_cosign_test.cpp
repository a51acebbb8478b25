// tests/fakes/fake-cosign proves itself against a real docker-registry on loopback, driven through
// pipe's own cosign wrapper (tools::Cosign with a SystemRunner): key signing stores real legacy
// `.sig` manifests (checked with skopeo as the witness), a second signature is appended, a wrong key
// is exit 12, an unsigned image exit 10, and the token + TLS registry works through DOCKER_CONFIG.
#include "local_registry.h"
#include "temp_dir.h"

#include <pipe/proc/system_runner.h>
#include <pipe/tools/cosign.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using pipeline::Secret;
using pipeline::proc::Command;
using pipeline::proc::ProcessResult;
using pipeline::proc::SystemRunner;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::RegistryAuth;
using pipeline::testing::TempDir;
using pipeline::tools::Cosign;
using pipeline::tools::CosignRegistry;
using pipeline::tools::CosignSignSpec;
using pipeline::tools::CosignVerifyOutcome;
using pipeline::tools::CosignVerifySpec;

namespace {

std::string fake_cosign() {
    return std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-cosign";
}

// Runs `fake-cosign generate-key-pair --output-key-prefix <dir>/<name>` with the password.
void generate_key_pair(SystemRunner& runner, const std::filesystem::path& dir, const std::string& name,
                       const std::string& password) {
    Command command;
    command.argv = {fake_cosign(), "generate-key-pair", "--output-key-prefix", (dir / name).string()};
    command.secret_env["COSIGN_PASSWORD"] = Secret(password);
    auto ran = runner.run(command);
    REQUIRE(ran);
    INFO(ran->err);
    REQUIRE(ran->status.success());
    REQUIRE(std::filesystem::exists(dir / (name + ".key")));
    REQUIRE(std::filesystem::exists(dir / (name + ".pub")));
}

// The registry settings for the fake: plain HTTP, or the CA and a DOCKER_CONFIG holding the
// registry's credentials (the docker config.json format is the same as auth.json's).
CosignRegistry registry_settings(const LocalRegistry& registry, const std::filesystem::path& dir) {
    CosignRegistry settings;
    settings.environment["FAKE_COSIGN_LOG"] = (dir / "cosign-calls.jsonl").string();
    if (registry.scheme() == "http") {
        settings.insecure = true;
    } else {
        settings.ca_file = registry.ca_file().string();
    }
    if (!registry.auth_file().empty()) {
        const std::filesystem::path docker = dir / "docker";
        std::filesystem::create_directories(docker);
        std::filesystem::copy_file(registry.auth_file(), docker / "config.json",
                                   std::filesystem::copy_options::overwrite_existing);
        settings.environment["DOCKER_CONFIG"] = docker.string();
    }
    return settings;
}

// The layers of the legacy signature manifest of digest, read with skopeo.
nlohmann::json signature_layers(const LocalRegistry& registry, const std::string& repository,
                                const std::string& digest) {
    const std::string tag = "sha256-" + digest.substr(std::string("sha256:").size()) + ".sig";
    const ProcessResult raw = registry.run_skopeo(
        {"inspect", "--raw", "docker://" + registry.host() + "/" + repository + ":" + tag}, registry.auth_file());
    INFO(raw.err);
    REQUIRE(raw.status.success());
    return nlohmann::json::parse(raw.out).at("layers");
}

}  // namespace

TEST_CASE("fake-cosign key signing: verify passes, signatures append, wrong key 12, unsigned 10",
          "[integration][cosign]") {
    TempDir dir;
    LocalRegistry registry(dir.path());
    const std::string signed_digest = registry.seed_image("acme/api", "signed");
    const std::string unsigned_digest = registry.seed_image("acme/api", "unsigned");
    const std::string reference = registry.host() + "/acme/api@" + signed_digest;

    SystemRunner runner;
    generate_key_pair(runner, dir.path(), "cosign", "first-password");
    generate_key_pair(runner, dir.path(), "other", "second-password");
    Cosign cosign(runner, fake_cosign());
    const CosignRegistry settings = registry_settings(registry, dir.path());

    CosignSignSpec sign;
    sign.reference = reference;
    sign.key = (dir.path() / "cosign.key").string();
    sign.password = Secret("first-password");
    sign.annotations = {{"pipe.service", "api"}};
    sign.registry = settings;
    auto signed_once = cosign.sign(sign, {});
    INFO((signed_once ? std::string() : signed_once.error().message));
    REQUIRE(signed_once);
    CHECK(signature_layers(registry, "acme/api", signed_digest).size() == 1);

    CosignVerifySpec verify;
    verify.reference = reference;
    verify.key = (dir.path() / "cosign.pub").string();
    verify.registry = settings;
    auto verified = cosign.verify(verify, {});
    REQUIRE(verified);
    INFO(verified->detail);
    REQUIRE(verified->outcome == CosignVerifyOutcome::verified);
    REQUIRE(verified->signatures.size() == 1);
    CHECK(verified->signatures[0].digest == signed_digest);
    CHECK(verified->signatures[0].annotations.at("pipe.service") == "api");
    CHECK(verified->signatures[0].log_index.has_value());

    CosignSignSpec second = sign;
    second.key = (dir.path() / "other.key").string();
    second.password = Secret("second-password");
    second.annotations.clear();
    second.tlog_upload = false;
    REQUIRE(cosign.sign(second, {}));
    const nlohmann::json layers = signature_layers(registry, "acme/api", signed_digest);
    REQUIRE(layers.size() == 2);
    CHECK(layers[0]["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json");
    CHECK(layers[0]["annotations"].contains("dev.sigstore.cosign/bundle"));
    CHECK_FALSE(layers[1]["annotations"].contains("dev.sigstore.cosign/bundle"));

    CosignVerifySpec other = verify;
    other.key = (dir.path() / "other.pub").string();
    auto untracked = cosign.verify(other, {});
    REQUIRE(untracked);
    CHECK(untracked->outcome == CosignVerifyOutcome::failed);
    CHECK(untracked->detail.find("transparency log") != std::string::npos);
    other.ignore_tlog = true;
    auto skipped = cosign.verify(other, {});
    REQUIRE(skipped);
    CHECK(skipped->outcome == CosignVerifyOutcome::verified);

    generate_key_pair(runner, dir.path(), "stranger", "third-password");
    CosignVerifySpec wrong = verify;
    wrong.key = (dir.path() / "stranger.pub").string();
    auto mismatch = cosign.verify(wrong, {});
    REQUIRE(mismatch);
    CHECK(mismatch->outcome == CosignVerifyOutcome::no_match);
    CHECK(mismatch->exit_code == 12);

    CosignVerifySpec unsigned_image = verify;
    unsigned_image.reference = registry.host() + "/acme/api@" + unsigned_digest;
    auto none = cosign.verify(unsigned_image, {});
    REQUIRE(none);
    CHECK(none->outcome == CosignVerifyOutcome::no_signature);
    CHECK(none->exit_code == 10);

    const std::string calls = read_file(dir.path() / "cosign-calls.jsonl");
    CHECK(calls.find("first-password") == std::string::npos);
    CHECK(calls.find("COSIGN_PASSWORD") != std::string::npos);
}

TEST_CASE("fake-cosign refuses a wrong password and signs through token auth over TLS", "[integration][cosign]") {
    TempDir dir;
    LocalRegistry registry(dir.path(), {RegistryAuth::token, true});
    const std::string digest = registry.seed_image("acme/web", "v1");
    SystemRunner runner;
    generate_key_pair(runner, dir.path(), "cosign", "right");
    Cosign cosign(runner, fake_cosign());

    CosignSignSpec sign;
    sign.reference = registry.host() + "/acme/web@" + digest;
    sign.key = (dir.path() / "cosign.key").string();
    sign.password = Secret("wrong");
    sign.registry = registry_settings(registry, dir.path());
    auto refused = cosign.sign(sign, {});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("decryption failed") != std::string::npos);

    sign.password = Secret("right");
    auto signed_ = cosign.sign(sign, {});
    INFO((signed_ ? std::string() : signed_.error().message));
    REQUIRE(signed_);

    CosignVerifySpec verify;
    verify.reference = sign.reference;
    verify.key = (dir.path() / "cosign.pub").string();
    verify.registry = sign.registry;
    auto verified = cosign.verify(verify, {});
    REQUIRE(verified);
    INFO(verified->detail);
    CHECK(verified->outcome == CosignVerifyOutcome::verified);
    CHECK(signature_layers(registry, "acme/web", digest).size() == 1);
}
