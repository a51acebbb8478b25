#include <pipe/core/file_text.h>
#include <pipe/oci/credentials.h>
#include <pipe/proc/system_runner.h>
#include <pipe/sign/cosign_key_file.h>
#include <pipe/sign/pem.h>
#include <pipe/sign/private_key.h>
#include <pipe/sign/public_key.h>

#include <temp_dir.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <string>

using pipeline::ErrorKind;
using pipeline::Secret;
using pipeline::sign::PrivateKey;
using pipeline::sign::PublicKey;

namespace {

const std::string k_data = std::string(PIPE_TEST_DATA) + "/cosign/";

// The password make_key.py encrypts its fixtures with.
const Secret k_witness_password("pipe-witness-password");

std::string fixture(const std::string& name) {
    std::optional<std::string> text = pipeline::read_file_text(k_data + name);
    REQUIRE(text.has_value());
    return *text;
}

// A fixture holding base64 (a signature file), decoded.
std::string base64_fixture(const std::string& name) {
    std::string text = fixture(name);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    std::optional<std::string> bytes = pipeline::oci::decode_base64(text);
    REQUIRE(bytes.has_value());
    return *bytes;
}

PrivateKey load(const std::string& pem, const Secret& password, const std::string& origin = "test.key") {
    pipeline::Result<PrivateKey> key = PrivateKey::from_pem(pem, password, origin);
    if (!key) {
        FAIL(key.error().message);
    }
    return std::move(key).value();
}

PublicKey load_public(const std::string& pem) {
    pipeline::Result<PublicKey> key = PublicKey::from_pem(pem, "test.pub");
    if (!key) {
        FAIL(key.error().message);
    }
    return std::move(key).value();
}

std::string debian_python3() {
    return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace

TEST_CASE("a generated key survives encrypted_pem and from_pem and its signatures verify", "[sign]") {
    pipeline::Result<PrivateKey> generated = PrivateKey::generate_p256();
    REQUIRE(generated);
    CHECK(generated->type_name() == "ECDSA P-256");
    const Secret password("correct horse");
    pipeline::Result<std::string> pem = generated->encrypted_pem(password);
    REQUIRE(pem);
    CHECK(pem->rfind("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n", 0) == 0);
    CHECK(pem->find("correct horse") == std::string::npos);

    const PrivateKey loaded = load(*pem, password);
    CHECK(loaded.public_pem() == generated->public_pem());
    CHECK(loaded.public_pem().rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);

    const std::string data = "payload bytes";
    pipeline::Result<std::string> signature = loaded.sign(data);
    REQUIRE(signature);
    CHECK(static_cast<unsigned char>(signature->front()) == 0x30);  // ASN.1 SEQUENCE: a DER ECDSA signature
    const PublicKey public_key = load_public(generated->public_pem());
    CHECK(public_key.verify(data, *signature));
    CHECK(public_key.fingerprint().rfind("sha256:", 0) == 0);
    CHECK(public_key.fingerprint().size() == 7 + 64);
    CHECK(public_key.hint().size() == 44);

    pipeline::Result<PublicKey> from_private = loaded.public_key();
    REQUIRE(from_private);
    CHECK(from_private->fingerprint() == public_key.fingerprint());
    pipeline::Result<PublicKey> from_der = PublicKey::from_der(public_key.spki_der(), "der");
    REQUIRE(from_der);
    CHECK(from_der->verify(data, *signature));
}

TEST_CASE("an empty password is allowed", "[sign]") {
    pipeline::Result<PrivateKey> generated = PrivateKey::generate_p256();
    REQUIRE(generated);
    pipeline::Result<std::string> pem = generated->encrypted_pem(Secret());
    REQUIRE(pem);
    CHECK(load(*pem, Secret()).public_pem() == generated->public_pem());
}

TEST_CASE("tampered data or signatures do not verify", "[sign]") {
    pipeline::Result<PrivateKey> key = PrivateKey::generate_p256();
    REQUIRE(key);
    pipeline::Result<std::string> signature = key->sign("data");
    REQUIRE(signature);
    const PublicKey public_key = load_public(key->public_pem());
    CHECK(public_key.verify("data", *signature));
    CHECK_FALSE(public_key.verify("Data", *signature));
    std::string flipped = *signature;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    CHECK_FALSE(public_key.verify("data", flipped));
    CHECK_FALSE(public_key.verify("data", ""));
    CHECK_FALSE(public_key.verify("data", "not a signature"));

    pipeline::Result<PrivateKey> other = PrivateKey::generate_p256();
    REQUIRE(other);
    CHECK_FALSE(load_public(other->public_pem()).verify("data", *signature));
}

TEST_CASE("a wrong password is a usage error that names the file and not the password", "[sign]") {
    pipeline::Result<PrivateKey> key = PrivateKey::generate_p256();
    REQUIRE(key);
    pipeline::Result<std::string> pem = key->encrypted_pem(Secret("right-password"));
    REQUIRE(pem);
    pipeline::Result<PrivateKey> loaded = PrivateKey::from_pem(*pem, Secret("wrong-password"), "keys/cosign.key");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind == ErrorKind::usage);
    CHECK(loaded.error().message == "wrong password for cosign key keys/cosign.key (COSIGN_PASSWORD)");
    const std::string everything = loaded.error().message + loaded.error().hint + loaded.error().where;
    CHECK(everything.find("wrong-password") == std::string::npos);
    CHECK(everything.find("right-password") == std::string::npos);
}

TEST_CASE("key documents with parameters cosign rejects are refused before decrypting", "[sign]") {
    using pipeline::sign::decrypt_key_document;
    using pipeline::sign::encrypt_key_document;
    using pipeline::sign::ScryptParams;
    pipeline::Result<std::string> document = encrypt_key_document("der bytes", Secret("pw"));
    REQUIRE(document);
    REQUIRE(document->find(R"("params":{"N":65536,"r":8,"p":1})") != std::string::npos);
    pipeline::Result<std::string> plain = decrypt_key_document(*document, Secret("pw"), "k");
    REQUIRE(plain);
    CHECK(*plain == "der bytes");

    const auto with = [&](const std::string& from, const std::string& to) {
        std::string changed = *document;
        changed.replace(changed.find(from), from.size(), to);
        return changed;
    };
    for (const char* params : {R"("N":16384,"r":8,"p":1)", R"("N":65536,"r":16,"p":1)", R"("N":65536,"r":8,"p":2)",
                               R"("N":1048576,"r":8,"p":1)"}) {
        CAPTURE(params);
        pipeline::Result<std::string> refused =
            decrypt_key_document(with(R"("N":65536,"r":8,"p":1)", params), Secret("pw"), "old.key");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().kind == ErrorKind::usage);
        CHECK(refused.error().message.find("unsupported scrypt parameters") != std::string::npos);
        CHECK(refused.error().message.find("old.key") != std::string::npos);
    }
    pipeline::Result<std::string> other_kdf = decrypt_key_document(with("scrypt", "pbkdf2"), Secret("pw"), "k");
    REQUIRE_FALSE(other_kdf);
    CHECK(other_kdf.error().message.find("kdf.name") != std::string::npos);
    pipeline::Result<std::string> other_cipher =
        decrypt_key_document(with("nacl/secretbox", "aes-gcm"), Secret("pw"), "k");
    REQUIRE_FALSE(other_cipher);
    CHECK(other_cipher.error().message.find("cipher.name") != std::string::npos);
    CHECK_FALSE(decrypt_key_document("{not json", Secret("pw"), "k"));
    CHECK_FALSE(decrypt_key_document("{}", Secret("pw"), "k"));

    CHECK(pipeline::sign::supported_scrypt_params(ScryptParams{32768, 8, 1}));
    CHECK(pipeline::sign::supported_scrypt_params(ScryptParams{131072, 8, 1}));
    CHECK_FALSE(pipeline::sign::supported_scrypt_params(ScryptParams{16384, 8, 1}));
    pipeline::Result<std::string> weak = encrypt_key_document("x", Secret("pw"), ScryptParams{1024, 8, 1});
    REQUIRE_FALSE(weak);
    CHECK(weak.error().kind == ErrorKind::usage);
}

TEST_CASE("an unknown PEM type is a usage error listing the accepted types", "[sign]") {
    const std::string pem = pipeline::sign::pem_encode("CERTIFICATE", "whatever");
    pipeline::Result<PrivateKey> key = PrivateKey::from_pem(pem, Secret("pw"), "signing.pem");
    REQUIRE_FALSE(key);
    CHECK(key.error().kind == ErrorKind::usage);
    CHECK(key.error().message.find("signing.pem") != std::string::npos);
    CHECK(key.error().message.find("CERTIFICATE") != std::string::npos);
    CHECK(key.error().hint.find("ENCRYPTED SIGSTORE PRIVATE KEY") != std::string::npos);
    CHECK(key.error().hint.find("EC PRIVATE KEY") != std::string::npos);

    pipeline::Result<PrivateKey> not_pem = PrivateKey::from_pem("hello", Secret(), "notes.txt");
    REQUIRE_FALSE(not_pem);
    CHECK(not_pem.error().kind == ErrorKind::usage);
    CHECK(not_pem.error().message.find("notes.txt") != std::string::npos);

    pipeline::Result<PublicKey> public_key = PublicKey::from_pem(fixture("python-plain.key"), "cosign.pub");
    REQUIRE_FALSE(public_key);
    CHECK(public_key.error().kind == ErrorKind::usage);
    CHECK(public_key.error().message.find("\"PRIVATE KEY\"") != std::string::npos);
}

TEST_CASE("pem_encode writes 64-column lines that parse_pem reads back", "[sign]") {
    const std::string body(100, 'x');
    const std::string pem = pipeline::sign::pem_encode("TEST", body);
    CHECK(pem.rfind("-----BEGIN TEST-----\n", 0) == 0);
    CHECK(pem.find('\n', 21) == 21 + 64);
    CHECK(pem.size() - pem.rfind("-----END TEST-----\n") == 19);
    pipeline::Result<pipeline::sign::PemBlock> block = pipeline::sign::parse_pem("junk before\r\n" + pem, "f");
    REQUIRE(block);
    CHECK(block->type == "TEST");
    CHECK(block->body == body);
    CHECK_FALSE(pipeline::sign::parse_pem("-----BEGIN TEST-----\nAAAA\n-----END OTHER-----\n", "f"));
    CHECK_FALSE(pipeline::sign::parse_pem("-----BEGIN TEST-----\nA*A\n-----END TEST-----\n", "f"));
    CHECK_FALSE(pipeline::sign::parse_pem(
        "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END EC PRIVATE KEY-----\n", "f"));
}

TEST_CASE("python witness: pipe reads a key encrypted by hashlib.scrypt and PyNaCl", "[sign]") {
    const PrivateKey key = load(fixture("python-encrypted.key"), k_witness_password, "python-encrypted.key");
    CHECK(key.public_pem() == fixture("python-encrypted.pub"));

    pipeline::Result<PrivateKey> wrong = PrivateKey::from_pem(fixture("python-encrypted.key"), Secret("nope"), "p.key");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().message == "wrong password for cosign key p.key (COSIGN_PASSWORD)");
}

TEST_CASE("python witness: the legacy ENCRYPTED COSIGN PRIVATE KEY type with N=32768 is read", "[sign]") {
    const PrivateKey key = load(fixture("python-legacy.key"), k_witness_password, "python-legacy.key");
    CHECK(key.public_pem() == fixture("python-legacy.pub"));
}

TEST_CASE("python witness: plain PKCS#8 and SEC1 keys load and the password is ignored", "[sign]") {
    const std::string pub = fixture("python-encrypted.pub");
    CHECK(load(fixture("python-plain.key"), Secret("ignored")).public_pem() == pub);
    CHECK(load(fixture("python-sec1.key"), Secret()).public_pem() == pub);
}

TEST_CASE("python witness: signatures made by pyca/cryptography verify", "[sign]") {
    const std::string payload = fixture("python-payload.json");
    const PublicKey ecdsa = load_public(fixture("python-encrypted.pub"));
    const std::string signature = base64_fixture("python-payload.sig");
    CHECK(ecdsa.verify(payload, signature));
    CHECK_FALSE(ecdsa.verify(payload + " ", signature));
    CHECK(ecdsa.type_name() == "ECDSA P-256");

    const PublicKey rsa = load_public(fixture("python-rsa.pub"));
    CHECK(rsa.type_name() == "RSA-2048");
    CHECK(rsa.verify(payload, base64_fixture("python-payload.rsa.sig")));
    CHECK_FALSE(rsa.verify(payload, signature));

    const PublicKey ed25519 = load_public(fixture("python-ed25519.pub"));
    CHECK(ed25519.type_name() == "Ed25519");
    CHECK(ed25519.verify(payload, base64_fixture("python-payload.ed25519.sig")));
    CHECK_FALSE(ed25519.verify(payload + "x", base64_fixture("python-payload.ed25519.sig")));
}

TEST_CASE("a key loaded from python's file signs what python's public key verifies", "[sign]") {
    const PrivateKey key = load(fixture("python-plain.key"), Secret());
    pipeline::Result<std::string> signature = key.sign("pipe signed this");
    REQUIRE(signature);
    CHECK(load_public(fixture("python-encrypted.pub")).verify("pipe signed this", *signature));
}

TEST_CASE("python witness: a key pipe encrypted decrypts with hashlib.scrypt and PyNaCl", "[sign]") {
    pipeline::testing::TempDir dir;
    pipeline::Result<PrivateKey> key = PrivateKey::generate_p256();
    REQUIRE(key);
    pipeline::Result<std::string> pem = key->encrypted_pem(Secret("pipe-made"));
    REQUIRE(pem);
    const std::filesystem::path key_file = dir.write("cosign.key", *pem);
    const std::filesystem::path pub_file = dir.write("cosign.pub", key->public_pem());

    pipeline::proc::SystemRunner runner;
    const auto check = [&](const std::string& password) {
        pipeline::proc::Command command;
        command.argv = {debian_python3(), k_data + "make_key.py", "--check", key_file.string(),
                        password,         pub_file.string()};
        pipeline::Result<pipeline::proc::ProcessResult> result = runner.run(command);
        if (!result) {
            FAIL("cannot run python3 (install python3, python3-nacl and python3-cryptography): "
                 << result.error().message);
        }
        INFO("make_key.py needs python3-nacl and python3-cryptography; its stderr: " << result->err);
        return result->status.success();
    };
    CHECK(check("pipe-made"));
    CHECK_FALSE(check("not-the-password"));
}
