#include <pipe/core/file_text.h>
#include <pipe/oci/credentials.h>
#include <pipe/sign/dsse.h>
#include <pipe/sign/in_toto.h>
#include <pipe/sign/public_key.h>
#include <pipe/sign/sigstore_bundle.h>
#include <pipe/sign/simple_signing.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using pipeline::ErrorKind;
using pipeline::sign::DsseEnvelope;

namespace {

const std::string k_data = std::string(PIPE_TEST_DATA) + "/cosign/";
const std::string k_digest = "sha256:" + std::string(64, 'a');

std::string fixture(const std::string& name) {
    std::optional<std::string> text = pipeline::read_file_text(k_data + name);
    REQUIRE(text.has_value());
    return *text;
}

}  // namespace

TEST_CASE("the simple-signing payload has cosign's exact bytes", "[sign]") {
    using pipeline::sign::simple_signing_payload;
    CHECK(simple_signing_payload("ghcr.io/owner/app", k_digest, {}) ==
          R"({"critical":{"identity":{"docker-reference":"ghcr.io/owner/app"},"image":{"docker-manifest-digest":")" +
              k_digest + R"("},"type":"cosign container image signature"},"optional":null})");
    CHECK(
        simple_signing_payload("r.example/a", "sha256:00", {{"z", "last"}, {"a", "first \"q\""}}) ==
        R"({"critical":{"identity":{"docker-reference":"r.example/a"},"image":{"docker-manifest-digest":"sha256:00"},)"
        R"("type":"cosign container image signature"},"optional":{"a":"first \"q\"","z":"last"}})");
}

TEST_CASE("a simple-signing payload parses back to its claims", "[sign]") {
    const std::string payload = pipeline::sign::simple_signing_payload("ghcr.io/o/app", k_digest, {{"ci", "yes"}});
    pipeline::Result<pipeline::sign::SimpleSigningClaims> claims = pipeline::sign::parse_simple_signing(payload);
    REQUIRE(claims);
    CHECK(claims->docker_reference == "ghcr.io/o/app");
    CHECK(claims->digest == k_digest);
    CHECK(claims->optional == std::map<std::string, std::string>{{"ci", "yes"}});

    pipeline::Result<pipeline::sign::SimpleSigningClaims> python =
        pipeline::sign::parse_simple_signing(fixture("python-payload.json"));
    REQUIRE(python);
    CHECK(python->docker_reference == "registry.example/team/app");
    CHECK(python->optional.at("origin") == "python");

    pipeline::Result<pipeline::sign::SimpleSigningClaims> numbers = pipeline::sign::parse_simple_signing(
        R"({"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},)"
        R"("optional":{"n":3,"s":"x"}})");
    REQUIRE(numbers);
    CHECK(numbers->docker_reference.empty());
    CHECK(numbers->optional.at("n") == "3");
}

TEST_CASE("parse_simple_signing rejects wrong types, missing digests and malformed JSON", "[sign]") {
    const auto rejects = [](const std::string& payload) {
        CAPTURE(payload);
        pipeline::Result<pipeline::sign::SimpleSigningClaims> claims = pipeline::sign::parse_simple_signing(payload);
        REQUIRE_FALSE(claims);
        CHECK(claims.error().kind == ErrorKind::runtime);
        return claims.error().message;
    };
    CHECK(
        rejects(
            R"({"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signatures"}})")
            .find("critical.type") != std::string::npos);
    rejects(
        R"({"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"Cosign Container Image Signature"}})");
    rejects(R"({"critical":{"image":{"docker-manifest-digest":"sha256:ab"}}})");
    CHECK(rejects(R"({"critical":{"image":{},"type":"cosign container image signature"}})").find("digest") !=
          std::string::npos);
    rejects(R"({"critical":{"image":{"docker-manifest-digest":"latest"},"type":"cosign container image signature"}})");
    rejects(
        R"({"critical":{"image":{"docker-manifest-digest":"sha256:AB"},"type":"cosign container image signature"}})");
    rejects(R"({"critical":{"type":"cosign container image signature"}})");
    rejects(R"({"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},)"
            R"("optional":[1]})");
    rejects(R"({"critical":)");
    rejects("[]");
    rejects("");
}

TEST_CASE("DSSE PAE matches the spec's example", "[sign]") {
    CHECK(pipeline::sign::dsse_pae("http://example.com/HelloWorld", "hello world") ==
          "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    CHECK(pipeline::sign::dsse_pae("", "") == "DSSEv1 0  0 ");
}

TEST_CASE("a DSSE envelope round-trips through its JSON", "[sign]") {
    DsseEnvelope envelope{"application/vnd.in-toto+json", "{\"a\":1}", {{"", "\x30\x01sig"}, {"key-2", "s2"}}};
    const std::string json = pipeline::sign::dsse_envelope_json(envelope);
    CHECK(json == R"({"payloadType":"application/vnd.in-toto+json","payload":"eyJhIjoxfQ==","signatures":[)"
                  R"({"keyid":"","sig":"MAFzaWc="},{"keyid":"key-2","sig":"czI="}]})");
    pipeline::Result<DsseEnvelope> parsed = pipeline::sign::parse_dsse_envelope(json);
    REQUIRE(parsed);
    CHECK(parsed->payload_type == envelope.payload_type);
    CHECK(parsed->payload == envelope.payload);
    REQUIRE(parsed->signatures.size() == 2);
    CHECK(parsed->signatures[0].sig == "\x30\x01sig");
    CHECK(parsed->signatures[1].keyid == "key-2");

    pipeline::Result<DsseEnvelope> from_json = pipeline::sign::parse_dsse_envelope(nlohmann::json::parse(json));
    REQUIRE(from_json);
    CHECK(from_json->payload == envelope.payload);
}

TEST_CASE("parse_dsse_envelope accepts URL-safe base64 and rejects malformed envelopes", "[sign]") {
    pipeline::Result<DsseEnvelope> url_safe =
        pipeline::sign::parse_dsse_envelope(R"({"payloadType":"t","payload":"-_8","signatures":[{"sig":"AA"}]})");
    REQUIRE(url_safe);
    CHECK(url_safe->payload == "\xfb\xff");
    for (const char* bad :
         {R"({"payload":"AA","signatures":[{"sig":"AA"}]})", R"({"payloadType":"t","signatures":[{"sig":"AA"}]})",
          R"({"payloadType":"t","payload":"A*A","signatures":[{"sig":"AA"}]})",
          R"({"payloadType":"t","payload":"AA","signatures":[]})",
          R"({"payloadType":"t","payload":"AA","signatures":[{"keyid":""}]})", R"({"payloadType":"t","payload":"AA"})",
          "[]", "{"}) {
        CAPTURE(bad);
        pipeline::Result<DsseEnvelope> parsed = pipeline::sign::parse_dsse_envelope(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().kind == ErrorKind::runtime);
    }
}

TEST_CASE("python witness: a DSSE envelope signed by python verifies over the PAE", "[sign]") {
    pipeline::Result<DsseEnvelope> envelope = pipeline::sign::parse_dsse_envelope(fixture("python-dsse.json"));
    REQUIRE(envelope);
    REQUIRE(envelope->signatures.size() == 1);
    pipeline::Result<pipeline::sign::PublicKey> key =
        pipeline::sign::PublicKey::from_pem(fixture("python-encrypted.pub"), "python-encrypted.pub");
    REQUIRE(key);
    const std::string pae = pipeline::sign::dsse_pae(envelope->payload_type, envelope->payload);
    CHECK(key->verify(pae, envelope->signatures[0].sig));
    CHECK_FALSE(key->verify(envelope->payload, envelope->signatures[0].sig));

    pipeline::Result<pipeline::sign::InTotoStatement> statement =
        pipeline::sign::parse_in_toto_statement(envelope->payload);
    REQUIRE(statement);
    CHECK(statement->predicate_type == "https://example.com/witness/v1");
    CHECK(statement->predicate.at("by") == "python");
    REQUIRE(statement->subjects.size() == 1);
    std::string expected_digest;
    for (int i = 0; i < 32; ++i) {
        expected_digest += "ab";
    }
    CHECK(statement->subjects[0].digest.at("sha256") == expected_digest);
}

TEST_CASE("an in-toto statement is written in v1 key order and parses back", "[sign]") {
    pipeline::sign::InTotoStatement statement;
    statement.subjects.push_back({"ghcr.io/o/app", {{"sha256", std::string(64, 'b')}}, {}});
    statement.subjects.push_back({"", {{"sha256", std::string(64, 'c')}}, {{"env", "prod"}}});
    statement.predicate_type = std::string(pipeline::sign::k_cosign_sign_predicate_type);
    const std::string json = pipeline::sign::in_toto_statement_json(statement);
    CHECK(json ==
          R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"ghcr.io/o/app","digest":{"sha256":")" +
              std::string(64, 'b') + R"("}},{"name":"","digest":{"sha256":")" + std::string(64, 'c') +
              R"("},"annotations":{"env":"prod"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1",)"
              R"("predicate":{}})");
    pipeline::Result<pipeline::sign::InTotoStatement> parsed = pipeline::sign::parse_in_toto_statement(json);
    REQUIRE(parsed);
    REQUIRE(parsed->subjects.size() == 2);
    CHECK(parsed->subjects[1].annotations.at("env") == "prod");
    CHECK(parsed->predicate == nlohmann::json::object());

    statement.predicate = {{"builder", {{"id", "pipe"}}}, {"a", 1}};
    CHECK(pipeline::sign::in_toto_statement_json(statement).find(R"("predicate":{"a":1,"builder":{"id":"pipe"}}})") !=
          std::string::npos);
}

TEST_CASE("parse_in_toto_statement accepts v0.1 and rejects malformed statements", "[sign]") {
    pipeline::Result<pipeline::sign::InTotoStatement> old = pipeline::sign::parse_in_toto_statement(
        R"({"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"x","digest":{"sha256":"ab"}}],)"
        R"("predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"x":1}})");
    REQUIRE(old);
    CHECK(old->predicate_type == "https://slsa.dev/provenance/v0.2");
    for (
        const char* bad : {
            R"({"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"})",
            R"({"subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"})",
            R"({"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"})",
            R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x"}],"predicateType":"p"})",
            R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{}}],"predicateType":"p"})",
            R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":1}}],"predicateType":"p"})",
            R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}]})",
            "not json",
        }) {
        CAPTURE(bad);
        pipeline::Result<pipeline::sign::InTotoStatement> parsed = pipeline::sign::parse_in_toto_statement(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().kind == ErrorKind::runtime);
    }
}

TEST_CASE("a key-based bundle pipe writes parses back", "[sign]") {
    const DsseEnvelope envelope{"application/vnd.in-toto+json", "{}", {{"", "sig"}}};
    const std::string json = pipeline::sign::sigstore_bundle_json(envelope, "aGludA==");
    CHECK(json == R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":)"
                  R"({"publicKey":{"hint":"aGludA=="}},"dsseEnvelope":{"payload":"e30=",)"
                  R"("payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"c2ln"}]}})");
    pipeline::Result<pipeline::sign::SigstoreBundle> bundle = pipeline::sign::parse_sigstore_bundle(json);
    REQUIRE(bundle);
    CHECK(bundle->media_type == pipeline::sign::k_sigstore_bundle_v03_media_type);
    CHECK(bundle->public_key_hint == "aGludA==");
    REQUIRE(bundle->envelope.has_value());
    CHECK(bundle->envelope->payload == "{}");
    CHECK(bundle->envelope->signatures.at(0).sig == "sig");
    CHECK_FALSE(bundle->log_index.has_value());
    CHECK(bundle->certificate_der.empty());
}

TEST_CASE("a keyless bundle with a certificate, tlog entry and message signature parses", "[sign]") {
    pipeline::Result<pipeline::sign::SigstoreBundle> bundle =
        pipeline::sign::parse_sigstore_bundle(fixture("bundle-keyless-message.json"));
    REQUIRE(bundle);
    CHECK(bundle->media_type == "application/vnd.dev.sigstore.bundle.v0.3+json");
    CHECK_FALSE(bundle->envelope.has_value());
    CHECK(bundle->message_signature == "signature bytes");
    CHECK(bundle->message_digest_algorithm == "SHA2_256");
    CHECK(bundle->message_digest_hex == "6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435");
    CHECK(bundle->certificate_der == "certificate der");
    CHECK(bundle->log_index == 123456789);
    CHECK(bundle->integrated_time == 1700000000);
}

TEST_CASE("a v0.1 bundle with a certificate chain and a DSSE envelope parses", "[sign]") {
    pipeline::Result<pipeline::sign::SigstoreBundle> bundle =
        pipeline::sign::parse_sigstore_bundle(fixture("bundle-chain-dsse.json"));
    REQUIRE(bundle);
    CHECK(bundle->media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1");
    CHECK(bundle->certificate_der == "leaf der");
    REQUIRE(bundle->envelope.has_value());
    CHECK(bundle->envelope->payload_type == "application/vnd.in-toto+json");
    CHECK(bundle->log_index == 42);
    CHECK(bundle->integrated_time == 1690000000);
}

TEST_CASE("parse_sigstore_bundle rejects malformed bundles", "[sign]") {
    const std::string_view material = R"("verificationMaterial":{"publicKey":{"hint":"h"}})";
    const std::string_view envelope =
        R"("dsseEnvelope":{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AA"}]})";
    const std::string_view message = R"("messageSignature":{"signature":"AA"})";
    const std::string_view media = R"("mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json")";
    const auto object = [](std::initializer_list<std::string_view> members) {
        std::string out = "{";
        for (const std::string_view member : members) {
            out.append(out.size() > 1 ? "," : "").append(member);
        }
        return out.append("}");
    };
    for (const std::string& bad : {
             object({material, envelope}),
             object({R"("mediaType":"application/json")", material, envelope}),
             object({media, envelope}),
             object({media, material}),
             object({media, material, envelope, message}),
             object({media, material, R"("messageSignature":{"signature":"*"})"}),
             object({media, material, R"("dsseEnvelope":{"payloadType":"t","signatures":[]})"}),
             object({media, R"("verificationMaterial":{"tlogEntries":[{"logIndex":"12x"}]})", envelope}),
             object({media, R"("verificationMaterial":{"certificate":{}})", envelope}),
             std::string("{"),
         }) {
        CAPTURE(bad);
        pipeline::Result<pipeline::sign::SigstoreBundle> bundle = pipeline::sign::parse_sigstore_bundle(bad);
        REQUIRE_FALSE(bundle);
        CHECK(bundle.error().kind == ErrorKind::runtime);
    }
}

TEST_CASE("signature documents nested deeper than 64 levels are refused before parsing", "[sign]") {
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    const std::string payload =
        R"({"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:)" +
        std::string(64, 'a') + R"("},"type":"cosign container image signature"},"optional":{"x":)" + deep + "}}";
    CHECK_FALSE(pipeline::sign::parse_simple_signing(payload));
    CHECK_FALSE(pipeline::sign::parse_in_toto_statement(R"({"_type":"https://in-toto.io/Statement/v1","predicate":)" +
                                                        deep + "}"));
    CHECK_FALSE(pipeline::sign::parse_sigstore_bundle(
        R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","x":)" + deep + "}"));
    // Brackets inside strings, escaped quotes included, do not count.
    const std::string quoted =
        R"({"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:)" +
        std::string(64, 'a') + R"("},"type":"cosign container image signature"},"optional":{"x":"\")" +
        std::string(100, '[') + R"("}})";
    CHECK(pipeline::sign::parse_simple_signing(quoted));
}
