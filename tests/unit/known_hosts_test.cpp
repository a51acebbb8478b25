// known_host(): plain, port-qualified, hashed (ssh-keygen -H), revoked and cert-authority entries
// of a real-shaped known_hosts file (tests/data/git/known_hosts).
#include <pipe/core/file_text.h>
#include <pipe/git/known_hosts.h>
#include <pipe/oci/credentials.h>

#include <catch2/catch.hpp>

#include <filesystem>

namespace {

// The raw key blobs of the three keys in the file (the base64 field of their .pub files).
std::string blob(const std::string& base64) {
    return *pipeline::oci::decode_base64(base64);
}

const std::string k_a = blob("AAAAC3NzaC1lZDI1NTE5AAAAIMx7DF0vKG6Mm4cjfcaGU0+wFF4aDpTPouriiVUYvvCW");
const std::string k_b = blob("AAAAC3NzaC1lZDI1NTE5AAAAICK4UEDInMWOEaOJviPGwCtSyyACpHfutd+/HAk2P2wD");
const std::string k_c = blob(
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJL77wyowe94zjLPzBgbzmH95ZPFyWaIky1NvlOjr8hujPs6Be9m0YW6cBQA"
    "oDrlLSIz5PJCtJuAhGOn1rdSlwY=");

}  // namespace

TEST_CASE("known_host matches host patterns, ports, hashed entries and honours @revoked", "[unit][git]") {
    const std::optional<std::string> text =
        pipeline::read_file_text(std::filesystem::path(PIPE_TEST_DATA) / "git" / "known_hosts");
    REQUIRE(text);
    struct Case {
        const char* host;
        int port;
        const std::string* key;
        bool known;
    };
    const Case cases[] = {
        {"github.com", 22, &k_a, true},           // first of a comma-separated list
        {"140.82.121.4", 22, &k_a, true},         // second of the list
        {"github.com", 2222, &k_a, false},        // another port is another entry
        {"github.com", 22, &k_b, false},          // another key
        {"git.example.com", 2222, &k_b, true},    // hashed [host]:port
        {"git.example.com", 22, &k_b, false},     // the hashed entry is for port 2222 only
        {"git.example.org", 2222, &k_b, false},   // another host does not match the hash
        {"gitlab.example.com", 22, &k_c, false},  // listed, but revoked
        {"www.example.org", 22, &k_a, false},     // @cert-authority is not a host key
    };
    for (const Case& c : cases) {
        INFO(c.host << " port " << c.port);
        CHECK(pipeline::git::known_host(*text, c.host, c.port, *c.key) == c.known);
    }
    CHECK_FALSE(pipeline::git::known_host("", "github.com", 22, k_a));
    CHECK_FALSE(pipeline::git::known_host("github.com ssh-ed25519 not-base64!\n", "github.com", 22, k_a));
}
