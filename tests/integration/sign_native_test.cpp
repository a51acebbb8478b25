// `pipe sign` / `pipe verify` with pipe's own signer (no cosign on PATH), against docker-registry
// on loopback: signatures in cosign's `.sig` format that survive a second signer, that the
// `openssl` command line accepts independently, and that fail verification after every kind of
// tampering; the `-f` deploy gate over Kubernetes files; failures that could not be checked.
#include "buildah_storage.h"
#include "git_fixture.h"
#include "local_registry.h"
#include "pipe_binary.h"
#include "temp_dir.h"

#include <pipe/http/curl_client.h>
#include <pipe/oci/credentials.h>
#include <pipe/oci/digest.h>
#include <pipe/oci/media_types.h>
#include <pipe/oci/reference.h>
#include <pipe/oci/registry_client.h>
#include <pipe/proc/system_runner.h>
#include <pipe/sign/private_key.h>
#include <pipe/sign/simple_signing.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <thread>

using pipeline::Environment;
using pipeline::testing::LocalRegistry;
using pipeline::testing::read_file;
using pipeline::testing::run_pipe;
using pipeline::testing::TempDir;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// A repository configured for the registry, two seeded images, and a key pair made by pipe.
struct Signing {
    explicit Signing(const TempDir& dir) : registry(dir.path()) {
        repo = pipeline::testing::service_repository(
            dir.path() / "repo",
            {{"pipe.yaml", "image: " + registry.host() + "/acme/api\nregistry:\n  insecure: true\n"}});
        digest = registry.seed_image("acme/api", "1.0");
        other_digest = registry.seed_image("acme/api", "2.0");
        image = registry.host() + "/acme/api@" + digest;
        other = registry.host() + "/acme/api@" + other_digest;
        env["COSIGN_PASSWORD"] = "first-key-password";
        auto generated = run_pipe({"sign", "--generate-key"}, repo, env);
        INFO(generated.err);
        REQUIRE(generated.exit_code == 0);
    }

    // The raw manifest under image's .sig tag.
    nlohmann::json signature_manifest() const {
        const std::string tag = "sha256-" + digest.substr(7) + ".sig";
        auto raw = registry.run_skopeo({"inspect", "--raw", "docker://" + registry.host() + "/acme/api:" + tag}, {});
        REQUIRE(raw.status.exit_code() == 0);
        return nlohmann::json::parse(raw.out);
    }

    LocalRegistry registry;
    std::filesystem::path repo;
    std::string digest, other_digest, image, other;
    Environment env;
};

// pipe's registry client as a test tool for writing tampered signatures.
struct Tamperer {
    explicit Tamperer(const std::string& host)
        : http(pipeline::http::CurlOptions{{}, true, std::chrono::milliseconds(5000)}),
          credentials(Environment{}, runner),
          client(http, credentials, pipeline::oci::RegistryClientOptions{true, {}, {}, {}}),
          repository(*pipeline::oci::parse_reference(host + "/acme/api")) {}

    // Replaces the .sig manifest of digest with one holding a single layer: payload + signature.
    void store(const std::string& digest, const std::string& payload, const std::string& signature) {
        pipeline::oci::ImageReference at = repository;
        at.tag = "sha256-" + digest.substr(7) + ".sig";
        const std::string layer_digest = *client.put_blob(at, payload);
        const std::string config = R"({"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[")" +
                                   layer_digest + R"("]}})";
        const std::string config_digest = *client.put_blob(at, config);
        nlohmann::json manifest{
            {"schemaVersion", 2},
            {"mediaType", pipeline::oci::k_oci_manifest},
            {"config",
             {{"mediaType", "application/vnd.oci.image.config.v1+json"},
              {"size", config.size()},
              {"digest", config_digest}}},
            {"layers",
             {{{"mediaType", "application/vnd.dev.cosign.simplesigning.v1+json"},
               {"size", payload.size()},
               {"digest", layer_digest},
               {"annotations", {{"dev.cosignproject.cosign/signature", pipeline::oci::encode_base64(signature)}}}}}}};
        auto parsed = pipeline::oci::parse_manifest(manifest.dump(), pipeline::oci::k_oci_manifest, "test");
        REQUIRE(parsed);
        REQUIRE(client.put_manifest(at, *parsed));
    }

    pipeline::proc::SystemRunner runner;
    pipeline::http::CurlClient http;
    pipeline::oci::CredentialResolver credentials;
    pipeline::oci::RegistryClient client;
    pipeline::oci::ImageReference repository;
};

pipeline::sign::PrivateKey load_key(const std::filesystem::path& file, const std::string& password) {
    auto key = pipeline::sign::PrivateKey::from_pem(read_file(file), pipeline::Secret(password), file.string());
    REQUIRE(key);
    return std::move(*key);
}

}  // namespace

TEST_CASE("native signing: sign, verify, a second signer keeps the first, openssl agrees", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);

    auto signed_run = run_pipe({"sign", "--key", "cosign.key", "Not/A Valid:Ref"}, s.repo, s.env);
    CHECK(signed_run.exit_code == 2);  // not a valid reference: a usage error

    auto first = run_pipe({"sign", "--key", "cosign.key", s.registry.host() + "/acme/api:1.0"}, s.repo, s.env);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(first.err.find("resolved to " + s.digest) != std::string::npos);
    CHECK(first.err.find("native key") != std::string::npos);
    CHECK(first.out.find("pipe verify --key " + (s.repo / "cosign.pub").string() + " --insecure-ignore-tlog " +
                         s.image) != std::string::npos);
    CHECK(first.err.find("first-key-password") == std::string::npos);

    auto verified = run_pipe({"verify", "--key", "cosign.pub", "--json", s.image}, s.repo, s.env);
    INFO(verified.err);
    REQUIRE(verified.exit_code == 0);
    const auto doc = nlohmann::json::parse(verified.out);
    CHECK(doc["verified"] == true);
    CHECK(doc["images"][0]["status"] == "verified");
    CHECK(doc["images"][0]["signers"][0]["format"] == "cosign .sig");

    // A second key signs the same digest: both signatures stay and each verifies.
    std::filesystem::create_directories(s.repo / "second");
    Environment second_env = s.env;
    second_env["COSIGN_PASSWORD"] = "";
    REQUIRE(run_pipe({"sign", "--generate-key", "--key", "second/cosign.key"}, s.repo, second_env).exit_code == 0);
    auto second = run_pipe({"sign", "--key", "second/cosign.key", s.image}, s.repo, second_env);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    const nlohmann::json manifest = s.signature_manifest();
    REQUIRE(manifest["layers"].size() == 2);
    CHECK(run_pipe({"verify", "--key", "cosign.pub", s.image}, s.repo, s.env).exit_code == 0);
    CHECK(run_pipe({"verify", "--key", "second/cosign.pub", s.image}, s.repo, s.env).exit_code == 0);

    // Signing again with the first key keeps one signature per key.
    auto again = run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, s.env);
    REQUIRE(again.exit_code == 0);
    CHECK(again.err.find("had signed it already") != std::string::npos);
    CHECK(s.signature_manifest()["layers"].size() == 2);

    // The openssl command line verifies the stored signature over the stored payload bytes.
    const nlohmann::json& layer = manifest["layers"][0];
    auto payload = s.registry.run_skopeo(
        {"copy", "docker://" + s.registry.host() + "/acme/api:sha256-" + s.digest.substr(7) + ".sig",
         "dir:" + (dir.path() / "sigdir").string()},
        {});
    REQUIRE(payload.status.exit_code() == 0);
    const std::filesystem::path payload_file = dir.path() / "sigdir" / layer["digest"].get<std::string>().substr(7);
    const auto claims = pipeline::sign::parse_simple_signing(read_file(payload_file));
    REQUIRE(claims);
    CHECK(claims->digest == s.digest);
    CHECK(claims->docker_reference == s.registry.host() + "/acme/api");
    write(dir.path() / "sig.der",
          *pipeline::oci::decode_base64(layer["annotations"]["dev.cosignproject.cosign/signature"].get<std::string>()));
    pipeline::proc::SystemRunner runner;
    pipeline::proc::Command openssl;
    openssl.argv = {"openssl",
                    "dgst",
                    "-sha256",
                    "-verify",
                    (s.repo / "cosign.pub").string(),
                    "-signature",
                    (dir.path() / "sig.der").string(),
                    payload_file.string()};
    auto checked = runner.run(openssl);
    REQUIRE(checked);
    INFO(checked->err);
    CHECK(checked->status.exit_code() == 0);
    CHECK(checked->out.find("Verified OK") != std::string::npos);
}

TEST_CASE("native verification fails for every kind of tampering", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    REQUIRE(run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, s.env).exit_code == 0);
    Tamperer tamper(s.registry.host());
    const pipeline::sign::PrivateKey key = load_key(s.repo / "cosign.key", "first-key-password");
    const std::string payload = pipeline::sign::simple_signing_payload(s.registry.host() + "/acme/api", s.digest, {});
    const std::string good_signature = *key.sign(payload);

    const auto verify = [&](const std::string& image) {
        return run_pipe({"verify", "--key", "cosign.pub", image}, s.repo, s.env);
    };

    SECTION("wrong key") {
        Environment env = s.env;
        env["COSIGN_PASSWORD"] = "x";
        std::filesystem::create_directories(s.repo / "k3");
        REQUIRE(run_pipe({"sign", "--generate-key", "--key", "k3/cosign.key"}, s.repo, env).exit_code == 0);
        auto run = run_pipe({"verify", "--key", "k3/cosign.pub", s.image}, s.repo, s.env);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("does not match the key") != std::string::npos);
    }
    SECTION("other, unsigned image") {
        auto run = verify(s.other);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("no signature found") != std::string::npos);
    }
    SECTION("a digest that does not exist") {
        auto run = verify(s.registry.host() + "/acme/api@" + pipeline::oci::sha256_digest("nothing"));
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("no image with this digest") != std::string::npos);
    }
    SECTION("payload byte changed") {
        std::string changed = payload;
        changed[changed.find("cosign container")] = 'C';
        tamper.store(s.digest, changed, good_signature);
        auto run = verify(s.image);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("does not match the key") != std::string::npos);
    }
    SECTION("signature byte changed") {
        std::string changed = good_signature;
        changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x01);
        tamper.store(s.digest, payload, changed);
        CHECK(verify(s.image).exit_code == 1);
    }
    SECTION("validly signed payload naming another digest") {
        const std::string elsewhere =
            pipeline::sign::simple_signing_payload(s.registry.host() + "/acme/api", s.other_digest, {});
        tamper.store(s.digest, elsewhere, *key.sign(elsewhere));
        auto run = verify(s.image);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("names " + s.other_digest) != std::string::npos);
    }
    SECTION("a signature copied onto another image") {
        tamper.store(s.other_digest, payload, good_signature);
        auto run = verify(s.other);
        CHECK(run.exit_code == 1);
        CHECK(run.out.find("names " + s.digest) != std::string::npos);
    }
    SECTION("malformed signature manifest: no signature annotation") {
        tamper.store(s.digest, payload, "");
        auto run = verify(s.image);
        CHECK(run.exit_code == 1);
    }
}

TEST_CASE("verify -f: the deploy gate over Kubernetes files", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    REQUIRE(run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, s.env).exit_code == 0);
    const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: )" + s.image + R"(
      containers:
        - name: app
          image: )" + s.image + R"(
)";
    for (int i = 0; i < 20; ++i) {
        write(s.repo / "k8s" / ("deploy-" + std::to_string(i) + ".yaml"), deployment);
    }

    auto good = run_pipe({"--verbose", "verify", "--key", "cosign.pub", "-f", "k8s", "--json"}, s.repo, s.env);
    INFO(good.err);
    REQUIRE(good.exit_code == 0);
    const auto doc = nlohmann::json::parse(good.out);
    CHECK(doc["images"].size() == 40);
    CHECK(doc["images"][39]["locations"][0].get<std::string>().find("deploy-9.yaml:13:18") != std::string::npos);
    // Each digest is checked once: one look at the .sig tag for forty references.
    std::size_t sig_fetches = 0;
    std::istringstream lines(good.err);
    for (std::string line; std::getline(lines, line);) {
        sig_fetches += line.rfind("HEAD ", 0) == 0 && line.find(".sig") != std::string::npos ? 1 : 0;
    }
    CHECK(sig_fetches == 1);

    write(s.repo / "k8s" / "unsigned.yaml",
          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n"
          "    - name: x\n      image: " +
              s.other + "\n");
    write(s.repo / "k8s" / "tagged.yaml",
          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: y\nspec:\n  containers:\n"
          "    - name: y\n      image: " +
              s.registry.host() + "/acme/api:1.0\n");
    auto bad = run_pipe({"verify", "--key", "cosign.pub", "-f", "k8s"}, s.repo, s.env);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("not pinned by digest") != std::string::npos);
    CHECK(bad.out.find("unsigned.yaml:8:14)  no signature found") != std::string::npos);

    std::filesystem::remove(s.repo / "k8s" / "unsigned.yaml");
    auto tags_allowed = run_pipe({"verify", "--key", "cosign.pub", "-f", "k8s", "--allow-tags"}, s.repo, s.env);
    INFO(tags_allowed.out);
    CHECK(tags_allowed.exit_code == 0);

    write(s.repo / "broken" / "bad.yaml", "apiVersion: v1\nkind: Pod\nspec: [unclosed\n");
    auto broken = run_pipe({"verify", "--key", "cosign.pub", "-f", "broken"}, s.repo, s.env);
    CHECK(broken.exit_code == 2);
    CHECK(broken.err.find("bad.yaml:") != std::string::npos);
}

TEST_CASE("verification that could not run never passes", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    REQUIRE(run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, s.env).exit_code == 0);

    SECTION("registry unreachable: exit 3") {
        const std::string gone = "127.0.0.1:1/acme/api@" + s.digest;
        auto run = run_pipe({"verify", "--key", "cosign.pub", gone}, s.repo, s.env);
        CHECK(run.exit_code == 3);
        CHECK(run.out.find("unchecked") != std::string::npos);
    }
    SECTION("keyless without cosign: exit 3, saying cosign is missing") {
        auto run = run_pipe({"verify", "--certificate-identity", "me@example.com", "--certificate-oidc-issuer",
                             "https://accounts.google.com", s.image},
                            s.repo, s.env);
        CHECK(run.exit_code == 3);
        CHECK(run.out.find("cosign is not installed") != std::string::npos);
    }
    SECTION("keyless signing without cosign: exit 3") {
        auto run = run_pipe({"sign", s.image}, s.repo, s.env);
        CHECK(run.exit_code == 3);
        CHECK(run.err.find("keyless signing needs cosign") != std::string::npos);
    }
    SECTION("bad input: unknown attestation type, key and identity together, wrong password") {
        CHECK(run_pipe({"verify", "--key", "cosign.pub", "--attestation-type", "nonsense", s.image}, s.repo, s.env)
                  .exit_code == 2);
        CHECK(run_pipe({"verify", "--key", "cosign.pub", "--certificate-identity", "x", s.image}, s.repo, s.env)
                  .exit_code == 2);
        Environment wrong = s.env;
        wrong["COSIGN_PASSWORD"] = "not-the-password";
        auto run = run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, wrong);
        CHECK(run.exit_code == 2);
        CHECK(run.err.find("wrong password") != std::string::npos);
        CHECK(run.err.find("not-the-password") == std::string::npos);
    }
}

TEST_CASE("the pipeline: build, push, scan --sbom, sign with SBOM and provenance attestations, verify",
          "[integration][sign][buildah]") {
    TempDir dir;
    pipeline::testing::BuildahStorage storage(dir);
    LocalRegistry registry(dir.path());
    const std::filesystem::path repo = pipeline::testing::service_repository(
        dir.path() / "repo", {{"pipe.yaml", "image: " + registry.host() +
                                                "/acme/api\nregistry:\n  insecure: true\n"
                                                "sign:\n  key: keys/cosign.key\n  attest: sbom, provenance\n"
                                                "verify:\n  key: keys/cosign.pub\n"},
                              {"Containerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"},
                              {"hello.txt", "hello\n"}});
    Environment env = storage.env();
    const std::filesystem::path bin = dir.path() / "bin";
    std::filesystem::create_directories(bin);
    std::filesystem::create_symlink(std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-trivy", bin / "trivy");
    env["PATH"] = bin.string() + ":/usr/sbin:/usr/bin:/sbin:/bin";
    env["FAKE_TRIVY_REPORT"] = std::string(PIPE_TEST_DATA) + "/trivy/clean.json";
    env["FAKE_TRIVY_LOG"] = (dir.path() / "trivy-calls.jsonl").string();
    env["COSIGN_PASSWORD"] = "pipeline-key";

    auto unsigned_yet = run_pipe({"sign"}, repo, env);
    CHECK(unsigned_yet.exit_code == 2);
    CHECK(unsigned_yet.err.find("run `pipe push` first") != std::string::npos);

    std::filesystem::create_directories(repo / "keys");
    REQUIRE(run_pipe({"sign", "--generate-key", "--key", "keys/cosign.key"}, repo, env).exit_code == 0);
    for (const std::vector<std::string>& step :
         std::vector<std::vector<std::string>>{{"build"}, {"push"}, {"scan", "--sbom", "sbom.spdx.json"}}) {
        auto run = run_pipe(step, repo, env);
        INFO(step[0] << ": " << run.err);
        REQUIRE(run.exit_code == 0);
    }
    auto signed_run = run_pipe({"sign", "--json"}, repo, env);
    INFO(signed_run.err);
    REQUIRE(signed_run.exit_code == 0);
    const auto signed_doc = nlohmann::json::parse(signed_run.out);
    const nlohmann::json& image = signed_doc["images"][0];
    CHECK(image["method"] == "native key");
    CHECK(image["attestations"] ==
          nlohmann::json::array({"https://spdx.dev/Document", "https://slsa.dev/provenance/v1"}));
    const std::string pinned = image["image"];

    const auto state = nlohmann::json::parse(read_file(repo / ".pipe/state.json"));
    CHECK(state["services"]["api"]["sign"]["digest"] == image["digest"]);
    CHECK(state.dump().find("pipeline-key") == std::string::npos);

    // The policy comes from pipe.yaml; the pushed digest from the state.
    auto verified = run_pipe({"verify"}, repo, env);
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK(verified.err.find("(pipe.yaml)") != std::string::npos);
    CHECK(run_pipe({"verify", "--attestation-type", "spdxjson", pinned}, repo, env).exit_code == 0);
    auto provenance = run_pipe({"verify", "--attestation-type", "slsaprovenance1", "--json", pinned}, repo, env);
    CHECK(provenance.exit_code == 0);
    CHECK(run_pipe({"verify", "--attestation-type", "cyclonedx", pinned}, repo, env).exit_code == 1);

    // The provenance statement names the commit and the image digest.
    const std::string att_tag = "sha256-" + image["digest"].get<std::string>().substr(7) + ".att";
    auto copied = registry.run_skopeo(
        {"copy", "docker://" + registry.host() + "/acme/api:" + att_tag, "dir:" + (dir.path() / "att").string()}, {});
    REQUIRE(copied.status.exit_code() == 0);
    const auto att_manifest = nlohmann::json::parse(read_file(dir.path() / "att/manifest.json"));
    REQUIRE(att_manifest["layers"].size() == 2);
    const auto envelope = nlohmann::json::parse(
        read_file(dir.path() / "att" / att_manifest["layers"][1]["digest"].get<std::string>().substr(7)));
    const auto statement = nlohmann::json::parse(*pipeline::oci::decode_base64(envelope["payload"].get<std::string>()));
    CHECK(statement["predicateType"] == "https://slsa.dev/provenance/v1");
    CHECK(statement["subject"][0]["digest"]["sha256"] == image["digest"].get<std::string>().substr(7));
    CHECK(statement["predicate"].dump().find(pipeline::testing::git(repo, {"rev-parse", "HEAD"}).substr(0, 40)) !=
          std::string::npos);
}

TEST_CASE("recursive signing signs a multi-arch index and each platform manifest", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    Tamperer writer(s.registry.host());
    const auto size_of = [&](const std::string& digest) {
        auto raw =
            s.registry.run_skopeo({"inspect", "--raw", "docker://" + s.registry.host() + "/acme/api@" + digest}, {});
        REQUIRE(raw.status.exit_code() == 0);
        return raw.out.size();
    };
    const nlohmann::json index{{"schemaVersion", 2},
                               {"mediaType", pipeline::oci::k_oci_index},
                               {"manifests",
                                {{{"mediaType", pipeline::oci::k_oci_manifest},
                                  {"digest", s.digest},
                                  {"size", size_of(s.digest)},
                                  {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                                 {{"mediaType", pipeline::oci::k_oci_manifest},
                                  {"digest", s.other_digest},
                                  {"size", size_of(s.other_digest)},
                                  {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}}};
    auto parsed = pipeline::oci::parse_manifest(index.dump(), pipeline::oci::k_oci_index, "test");
    REQUIRE(parsed);
    pipeline::oci::ImageReference tag = writer.repository;
    tag.tag = "multi";
    REQUIRE(writer.client.put_manifest(tag, *parsed));

    auto signed_run = run_pipe(
        {"sign", "--key", "cosign.key", "--recursive", "--json", s.registry.host() + "/acme/api:multi"}, s.repo, s.env);
    INFO(signed_run.err);
    REQUIRE(signed_run.exit_code == 0);
    const auto doc = nlohmann::json::parse(signed_run.out);
    CHECK(doc["images"][0]["digest"] == parsed->digest);
    CHECK(doc["images"][0]["signed_digests"] == nlohmann::json::array({parsed->digest, s.digest, s.other_digest}));
    for (const std::string& digest : {parsed->digest, s.digest, s.other_digest}) {
        CHECK(run_pipe({"verify", "--key", "cosign.pub", s.registry.host() + "/acme/api@" + digest}, s.repo, s.env)
                  .exit_code == 0);
    }
}

TEST_CASE("sign and verify inside GitHub Actions write outputs and a step summary", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    Environment actions = s.env;
    actions["GITHUB_ACTIONS"] = "true";
    actions["GITHUB_OUTPUT"] = (dir.path() / "output").string();
    actions["GITHUB_STEP_SUMMARY"] = (dir.path() / "summary.md").string();
    auto signed_run = run_pipe({"sign", "--key", "cosign.key", s.image}, s.repo, actions);
    INFO(signed_run.err);
    REQUIRE(signed_run.exit_code == 0);
    const std::string outputs = read_file(dir.path() / "output");
    CHECK(outputs.find("signed=") != std::string::npos);
    CHECK(outputs.find(s.image) != std::string::npos);
    CHECK(outputs.find("verify-command=") != std::string::npos);
    CHECK(read_file(dir.path() / "summary.md").find("### pipe sign") != std::string::npos);

    auto verified = run_pipe({"verify", "--key", "cosign.pub", s.image, s.other}, s.repo, actions);
    CHECK(verified.exit_code == 1);
    const std::string summary = read_file(dir.path() / "summary.md");
    CHECK(summary.find("### pipe verify") != std::string::npos);
    CHECK(summary.find("| rejected | no signature found |") != std::string::npos);
    CHECK(read_file(dir.path() / "output").find("verified=false") != std::string::npos);
}

TEST_CASE("concurrent signers on one digest: every signature is kept", "[integration][sign]") {
    TempDir dir;
    Signing s(dir);
    constexpr int k_signers = 4;
    for (int i = 0; i < k_signers; ++i) {
        std::filesystem::create_directories(s.repo / ("k" + std::to_string(i)));
        REQUIRE(run_pipe({"sign", "--generate-key", "--key", "k" + std::to_string(i) + "/cosign.key"}, s.repo, s.env)
                    .exit_code == 0);
    }
    std::vector<std::thread> signers;
    std::vector<pipeline::testing::PipeRun> runs(k_signers);
    for (int i = 0; i < k_signers; ++i) {
        signers.emplace_back([&, i] {
            runs[i] = run_pipe({"sign", "--key", "k" + std::to_string(i) + "/cosign.key", s.image}, s.repo, s.env);
        });
    }
    for (std::thread& signer : signers) {
        signer.join();
    }
    for (const auto& run : runs) {
        INFO(run.err);
        CHECK(run.exit_code == 0);
    }
    CHECK(s.signature_manifest()["layers"].size() == k_signers);
    for (int i = 0; i < k_signers; ++i) {
        CHECK(
            run_pipe({"verify", "--key", "k" + std::to_string(i) + "/cosign.pub", s.image}, s.repo, s.env).exit_code ==
            0);
    }
}
