#include <pipe/oci/reference.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

using pipeline::ErrorKind;
using pipeline::oci::ImageReference;
using pipeline::oci::parse_reference;
using pipeline::oci::parse_repository;
using pipeline::oci::validate_digest;
using pipeline::oci::validate_tag;

namespace {

const std::string k_sha256 = "sha256:b769d9b32076ed9f1d662ec239c3c1b63994809e009f51e43dc1940b661b3f18";
const std::string k_sha384 =
    "sha384:6d678709eb94ab29df427b82976ef6ff2025101616634e8159f77679914abda38b3c35aba3ef82bc4b18d3c8494f8cf6";
const std::string k_sha512 =
    "sha512:"
    "ca48f23065b66705c0a98779632f18f1d5feb21d47ca03dcf5aa510b7c2640145903d5ffccdf5ca7d233126514a47e2ce1cc930ae8154a075d"
    "c0a00a6e203b81";
const std::string k_hex64 = k_sha256.substr(7);

struct ValidCase {
    std::string input;
    std::string registry;
    std::string repository;
    std::optional<std::string> tag;
    std::optional<std::string> digest;
    std::string familiar;
};

struct InvalidCase {
    std::string input;
    std::string problem;  // must appear in the message
    std::size_t column;   // 1-based column named in the message
};

std::vector<ValidCase> valid_cases() {
    const std::string tag128(128, 't');
    const std::string long_path = "acme/" + std::string(255 - 5 - 8, 'a');  // "ghcr.io/" + path = 255
    return {
        {"alpine", "docker.io", "library/alpine", {}, {}, "alpine"},
        {"alpine:3.19", "docker.io", "library/alpine", "3.19", {}, "alpine:3.19"},
        {"acme/app", "docker.io", "acme/app", {}, {}, "acme/app"},
        {"docker.io/alpine", "docker.io", "library/alpine", {}, {}, "alpine"},
        {"docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest", {}, "alpine:latest"},
        {"index.docker.io/acme/app:v1", "docker.io", "acme/app", "v1", {}, "acme/app:v1"},
        {"index.docker.io/busybox", "docker.io", "library/busybox", {}, {}, "busybox"},
        {"library/a/b", "docker.io", "library/a/b", {}, {}, "library/a/b"},
        {"ghcr.io/acme/app:1.2.3", "ghcr.io", "acme/app", "1.2.3", {}, "ghcr.io/acme/app:1.2.3"},
        {"ghcr.io/acme/team/sub/app", "ghcr.io", "acme/team/sub/app", {}, {}, "ghcr.io/acme/team/sub/app"},
        {"localhost/app", "localhost", "app", {}, {}, "localhost/app"},
        {"localhost:5000/app:dev", "localhost:5000", "app", "dev", {}, "localhost:5000/app:dev"},
        {"localhost", "docker.io", "library/localhost", {}, {}, "localhost"},
        {"localhost:5000", "docker.io", "library/localhost", "5000", {}, "localhost:5000"},
        {"127.0.0.1:5000/acme/app", "127.0.0.1:5000", "acme/app", {}, {}, "127.0.0.1:5000/acme/app"},
        {"[::1]:5000/app:1", "[::1]:5000", "app", "1", {}, "[::1]:5000/app:1"},
        {"[::1]/app", "[::1]", "app", {}, {}, "[::1]/app"},
        {"[::]:80/app", "[::]:80", "app", {}, {}, "[::]:80/app"},
        {"[2001:db8::1]/app", "[2001:db8::1]", "app", {}, {}, "[2001:db8::1]/app"},
        {"[2001:DB8:0:0:0:0:0:1]:443/app",
         "[2001:DB8:0:0:0:0:0:1]:443",
         "app",
         {},
         {},
         "[2001:DB8:0:0:0:0:0:1]:443/app"},
        {"[fe80::]:65535/app", "[fe80::]:65535", "app", {}, {}, "[fe80::]:65535/app"},
        {"registry.example.com:443/a/b/c",
         "registry.example.com:443",
         "a/b/c",
         {},
         {},
         "registry.example.com:443/a/b/c"},
        {"Registry.Example.COM/app", "Registry.Example.COM", "app", {}, {}, "Registry.Example.COM/app"},
        {"my-registry.local/app", "my-registry.local", "app", {}, {}, "my-registry.local/app"},
        {"xn--bcher-kva.example/app", "xn--bcher-kva.example", "app", {}, {}, "xn--bcher-kva.example/app"},
        {"registry:5000/app", "registry:5000", "app", {}, {}, "registry:5000/app"},
        {"1.2.3.4/app", "1.2.3.4", "app", {}, {}, "1.2.3.4/app"},
        {"app@" + k_sha256, "docker.io", "library/app", {}, k_sha256, "app@" + k_sha256},
        {"ghcr.io/acme/app:1.0@" + k_sha256, "ghcr.io", "acme/app", "1.0", k_sha256,
         "ghcr.io/acme/app:1.0@" + k_sha256},
        {"ghcr.io/acme/app@" + k_sha384, "ghcr.io", "acme/app", {}, k_sha384, "ghcr.io/acme/app@" + k_sha384},
        {"ghcr.io/acme/app@" + k_sha512, "ghcr.io", "acme/app", {}, k_sha512, "ghcr.io/acme/app@" + k_sha512},
        {"acme/my_app", "docker.io", "acme/my_app", {}, {}, "acme/my_app"},
        {"acme/my__app", "docker.io", "acme/my__app", {}, {}, "acme/my__app"},
        {"acme/my---app", "docker.io", "acme/my---app", {}, {}, "acme/my---app"},
        {"acme/my.app", "docker.io", "acme/my.app", {}, {}, "acme/my.app"},
        {"a/b.c_d-e__f--g", "docker.io", "a/b.c_d-e__f--g", {}, {}, "a/b.c_d-e__f--g"},
        {"0/1", "docker.io", "0/1", {}, {}, "0/1"},
        {"ghcr.io", "docker.io", "library/ghcr.io", {}, {}, "ghcr.io"},
        {"docker.io/foo.com/bar", "docker.io", "foo.com/bar", {}, {}, "docker.io/foo.com/bar"},
        {"docker.io/localhost/bar", "docker.io", "localhost/bar", {}, {}, "docker.io/localhost/bar"},
        {"library/" + k_hex64, "docker.io", "library/" + k_hex64, {}, {}, "library/" + k_hex64},
        {"alpine:_x", "docker.io", "library/alpine", "_x", {}, "alpine:_x"},
        {"alpine:V1.2.3-RC.1_build",
         "docker.io",
         "library/alpine",
         "V1.2.3-RC.1_build",
         {},
         "alpine:V1.2.3-RC.1_build"},
        {"alpine:" + tag128, "docker.io", "library/alpine", tag128, {}, "alpine:" + tag128},
        {"ghcr.io/" + long_path, "ghcr.io", long_path, {}, {}, "ghcr.io/" + long_path},
    };
}

std::vector<InvalidCase> invalid_cases() {
    const std::string upper_hex = "B769D9B32076ED9F1D662EC239C3C1B63994809E009F51E43DC1940B661B3F18";
    return {
        {"", "it is empty", 0},
        {"ghcr.io/Acme/app", "repository must be lowercase", 9},
        {"Alpine", "repository must be lowercase", 1},
        {"acme/App:1", "repository must be lowercase", 6},
        {"acme/aPP", "repository must be lowercase", 7},
        {"alpine:", "the tag is empty", 8},
        {"alpine:@" + k_sha256, "the tag is empty", 8},
        {"alpine:-x", "a tag must start with a letter, digit or '_'", 8},
        {"alpine:.x", "a tag must start with a letter, digit or '_'", 8},
        {"acme/app:v1/x", "invalid character in the tag", 12},
        {"alpine:v1/x", "the registry port must be a number", 8},
        {"acme/app:tag:other", "invalid character in the tag", 13},
        {"acme/app:1 ", "whitespace is not allowed in the tag", 11},
        {"alpine:" + std::string(129, 't'), "a tag has at most 128 characters", 136},
        {"alpine@", "the digest is empty", 8},
        {"alpine@sha256", "the digest has no ':' after its algorithm", 14},
        {"alpine@sha256:abc", "a sha256 digest has exactly 64 hex characters, this one has 3", 18},
        {"alpine@sha256:", "this one has 0", 15},
        {"alpine@sha256:" + upper_hex, "a digest must be lowercase hex", 15},
        {"alpine@sha256:" + k_hex64 + "0", "a sha256 digest has exactly 64 hex characters", 79},
        {"alpine@sha256:" + std::string(64, 'g'), "invalid character in the digest", 15},
        {"alpine@md5:" + std::string(32, 'a'), "unsupported digest algorithm 'md5'", 8},
        {"alpine@sha256+b64:" + k_hex64, "unsupported digest algorithm 'sha256+b64'", 8},
        {"alpine@1sha:" + k_hex64, "a digest algorithm component must start with a letter", 8},
        {"alpine@sha!:" + k_hex64, "invalid character in the digest algorithm", 11},
        {"acme@sha256:abc/def", "invalid character in the digest", 16},
        {"acme/app@" + k_sha256 + "@" + k_sha256, "exactly 64 hex characters", 81},
        {"ghcr.io//app", "empty path component in the repository", 9},
        {"ghcr.io/", "the repository is empty", 9},
        {"ghcr.io/:tag", "the repository is empty", 9},
        {":tag", "the repository is empty", 1},
        {"@" + k_sha256, "the repository is empty", 1},
        {"/app", "empty path component in the repository", 1},
        {"acme/app/", "empty path component in the repository", 10},
        {"acme/-app", "a path component must start with a lowercase letter or digit", 6},
        {"acme/_app", "a path component must start with a lowercase letter or digit", 6},
        {"acme/app-", "a path component must end with a lowercase letter or digit", 9},
        {"acme/app.:1", "a path component must end with a lowercase letter or digit", 9},
        {"acme/a..b", "invalid separator in the repository", 8},
        {"acme/a___b", "invalid separator in the repository", 9},
        {"acme/a_.b", "invalid separator in the repository", 8},
        {"acme/a-.b", "invalid separator in the repository", 8},
        {"acme/a b", "whitespace is not allowed in the repository", 7},
        {"acme/a+b", "invalid character in the repository", 7},
        {"acme\\app", "invalid character in the repository", 5},
        {"ghcr.io/acm\xc3\xa9/app", "invalid character in the repository", 12},
        {"acme/\x1b[31mapp", "invalid character in the repository", 6},
        {"-ghcr.io/app", "a registry host label must start with a letter or digit", 1},
        {"ghcr-.io/app", "a registry host label must not end with '-'", 5},
        {"ghcr..io/app", "a registry host label must start with a letter or digit", 6},
        {"ghcr.io./app", "a registry host label must start with a letter or digit", 9},
        {":5000/app", "a registry host label must start with a letter or digit", 1},
        {"my_registry.io/app", "invalid character in the registry host", 3},
        {"ghcr.io:/app", "the registry port is empty", 9},
        {"ghcr.io:abc/app", "the registry port must be a number", 9},
        {"ghcr.io:50a/app", "the registry port must be a number", 11},
        {"ghcr.io:70000/app", "the registry port must be between 1 and 65535", 9},
        {"ghcr.io:99999999999999999999/app", "the registry port must be between 1 and 65535", 9},
        {"ghcr.io:0/app", "the registry port must be between 1 and 65535", 9},
        {"alpine:3.19/x", "the registry port must be a number", 9},
        {"[::1/app", "the IPv6 address has no closing ']'", 5},
        {"[::1]x:5000/app", "invalid character in the registry", 6},
        {"[1:2:3:4:5:6:7:8:9]/app", "an IPv6 address needs 8 groups", 19},
        {"[1:2:3:4:5:6:7::8]/app", "an IPv6 address needs 8 groups", 18},
        {"[1:2]/app", "an IPv6 address needs 8 groups", 5},
        {"[]:5000/app", "an IPv6 address needs 8 groups", 2},
        {"[1::2::3]/app", "'::' may appear only once in an IPv6 address", 7},
        {"[12345::1]/app", "an IPv6 group has at most 4 hex digits", 6},
        {"[fe80::1%eth0]/app", "invalid character in the IPv6 address", 9},
        {"[::g]/app", "invalid character in the IPv6 address", 4},
        {"[:1]/app", "an IPv6 address must not start with a single ':'", 2},
        {"[1:]/app", "an IPv6 address must not end with a single ':'", 3},
        {"[::1]:/app", "the registry port is empty", 7},
        {k_hex64, "a 64-character hex string is an image ID, not a name", 1},
        {"ghcr.io/" + std::string(248, 'a'), "the name is 256 characters long once normalized, more than 255", 256},
        {std::string(238, 'a'), "the name is 256 characters long once normalized, more than 255", 238},
    };
}

// The real-shaped references in tests/data/reference/valid.txt, one a line.
std::vector<std::string> real_world_references() {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/reference/valid.txt");
    REQUIRE(in.good());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

}  // namespace

TEST_CASE("valid references parse and normalize like docker", "[reference]") {
    for (const ValidCase& c : valid_cases()) {
        CAPTURE(c.input);
        pipeline::Result<ImageReference> parsed = parse_reference(c.input);
        if (!parsed) {
            FAIL(parsed.error().message);
        }
        CHECK(parsed->registry == c.registry);
        CHECK(parsed->repository == c.repository);
        CHECK(parsed->tag == c.tag);
        CHECK(parsed->digest == c.digest);
        CHECK(parsed->familiar() == c.familiar);
        CHECK(parsed->name() == c.registry + "/" + c.repository);

        pipeline::Result<ImageReference> again = parse_reference(parsed->string());
        REQUIRE(again.has_value());
        CHECK(*again == *parsed);
        pipeline::Result<ImageReference> from_familiar = parse_reference(parsed->familiar());
        REQUIRE(from_familiar.has_value());
        CHECK(*from_familiar == *parsed);
    }
}

TEST_CASE("invalid references are usage errors naming the column", "[reference]") {
    for (const InvalidCase& c : invalid_cases()) {
        CAPTURE(c.input);
        pipeline::Result<ImageReference> parsed = parse_reference(c.input);
        REQUIRE_FALSE(parsed.has_value());
        const pipeline::Error& error = parsed.error();
        CHECK(error.kind == ErrorKind::usage);
        CHECK(error.message.find("invalid image reference \"") == 0);
        CHECK_THAT(error.message, Catch::Contains(c.problem));
        if (c.column > 0) {
            CHECK_THAT(error.message, Catch::Contains("at column " + std::to_string(c.column) + " "));
        }
        CHECK_FALSE(error.hint.empty());
    }
}

TEST_CASE("error messages point at the offending character and suggest a fix", "[reference]") {
    pipeline::Result<ImageReference> upper = parse_reference("ghcr.io/Acme/App:V1");
    REQUIRE_FALSE(upper.has_value());
    CHECK(upper.error().message ==
          "invalid image reference \"ghcr.io/Acme/App:V1\": repository must be lowercase "
          "at column 9 ('A')");
    CHECK(upper.error().hint == "repository names are lowercase: use \"ghcr.io/acme/app:V1\"");

    pipeline::Result<ImageReference> end = parse_reference("alpine:");
    REQUIRE_FALSE(end.has_value());
    CHECK(end.error().message == "invalid image reference \"alpine:\": the tag is empty at column 8 (end of input)");

    pipeline::Result<ImageReference> control = parse_reference("acme/\x1b[31mapp");
    REQUIRE_FALSE(control.has_value());
    CHECK(control.error().message ==
          "invalid image reference \"acme/\\x1b[31mapp\": invalid character in the repository at column 6 (byte 0x1b)");
}

TEST_CASE("parse_repository accepts names only", "[reference]") {
    pipeline::Result<ImageReference> plain = parse_repository("alpine");
    REQUIRE(plain.has_value());
    CHECK(plain->string() == "docker.io/library/alpine");

    pipeline::Result<ImageReference> port = parse_repository("localhost:5000/acme/app");
    REQUIRE(port.has_value());
    CHECK(port->registry == "localhost:5000");
    CHECK(port->repository == "acme/app");
    CHECK_FALSE(port->tag.has_value());

    pipeline::Result<ImageReference> tagged = parse_repository("ghcr.io/acme/app:1.0");
    REQUIRE_FALSE(tagged.has_value());
    CHECK(tagged.error().kind == ErrorKind::usage);
    CHECK(tagged.error().message ==
          "invalid image repository \"ghcr.io/acme/app:1.0\": a tag is not allowed here at column 17 (':')");

    pipeline::Result<ImageReference> digested = parse_repository("ghcr.io/acme/app@" + k_sha256);
    REQUIRE_FALSE(digested.has_value());
    CHECK_THAT(digested.error().message, Catch::Contains("a digest is not allowed here at column 17 ('@')"));

    pipeline::Result<ImageReference> upper = parse_repository("ghcr.io/Acme/app");
    REQUIRE_FALSE(upper.has_value());
    CHECK_THAT(upper.error().message, Catch::StartsWith("invalid image repository"));
}

TEST_CASE("with_tag and with_digest validate and keep the other part", "[reference]") {
    pipeline::Result<ImageReference> base = parse_reference("ghcr.io/acme/app:old@" + k_sha256);
    REQUIRE(base.has_value());

    pipeline::Result<ImageReference> retagged = base->with_tag("1.2.3");
    REQUIRE(retagged.has_value());
    CHECK(retagged->string() == "ghcr.io/acme/app:1.2.3@" + k_sha256);

    pipeline::Result<ImageReference> redigested = base->with_digest(k_sha512);
    REQUIRE(redigested.has_value());
    CHECK(redigested->string() == "ghcr.io/acme/app:old@" + k_sha512);

    pipeline::Result<ImageReference> bad_tag = base->with_tag("1.2/3");
    REQUIRE_FALSE(bad_tag.has_value());
    CHECK(bad_tag.error().kind == ErrorKind::usage);
    CHECK(bad_tag.error().message == "invalid tag \"1.2/3\": invalid character in the tag at column 4 ('/')");

    pipeline::Result<ImageReference> bad_digest = base->with_digest("sha256:abc");
    REQUIRE_FALSE(bad_digest.has_value());
    CHECK_THAT(bad_digest.error().message, Catch::StartsWith("invalid digest \"sha256:abc\""));
}

TEST_CASE("validate_tag and validate_digest apply the grammar on their own", "[reference]") {
    for (const std::string& tag :
         std::vector<std::string>{"latest", "1.2.3", "_", "v1-rc.1", "A_b.C-d", std::string(128, '9')}) {
        CAPTURE(tag);
        CHECK(validate_tag(tag).has_value());
    }
    for (const std::string& tag :
         std::vector<std::string>{"", "-1", ".x", "a b", "a:b", "a/b", "a@b", "caf\xc3\xa9", std::string(129, '9')}) {
        CAPTURE(tag);
        CHECK_FALSE(validate_tag(tag).has_value());
    }
    for (const std::string& digest : {k_sha256, k_sha384, k_sha512}) {
        CAPTURE(digest);
        CHECK(validate_digest(digest).has_value());
    }
    for (const std::string& digest :
         std::vector<std::string>{std::string(), k_hex64, "sha256:" + k_hex64.substr(1), "SHA256:" + k_hex64,
                                  "sha512:" + k_hex64, "sha256:" + k_hex64 + " "}) {
        CAPTURE(digest);
        CHECK_FALSE(validate_digest(digest).has_value());
    }
}

TEST_CASE("registry API helpers", "[reference]") {
    auto host_of = [](const std::string& text) {
        pipeline::Result<ImageReference> parsed = parse_reference(text);
        REQUIRE(parsed.has_value());
        return parsed->api_host();
    };
    CHECK(host_of("alpine") == "registry-1.docker.io");
    CHECK(host_of("index.docker.io/acme/app") == "registry-1.docker.io");
    CHECK(host_of("ghcr.io/acme/app") == "ghcr.io");
    CHECK(host_of("localhost:5000/app") == "localhost:5000");
    CHECK(host_of("[::1]:5000/app") == "[::1]:5000");

    auto manifest_of = [](const std::string& text) {
        pipeline::Result<ImageReference> parsed = parse_reference(text);
        REQUIRE(parsed.has_value());
        return parsed->manifest_reference();
    };
    CHECK(manifest_of("alpine") == "latest");
    CHECK(manifest_of("alpine:3.19") == "3.19");
    CHECK(manifest_of("alpine:3.19@" + k_sha256) == k_sha256);
    CHECK(manifest_of("alpine@" + k_sha256) == k_sha256);
}

TEST_CASE("real-world references round-trip through string() and familiar()", "[reference]") {
    const std::vector<std::string> references = real_world_references();
    CHECK(references.size() >= 20);
    for (const std::string& text : references) {
        CAPTURE(text);
        pipeline::Result<ImageReference> parsed = parse_reference(text);
        if (!parsed) {
            FAIL(parsed.error().message);
        }
        pipeline::Result<ImageReference> again = parse_reference(parsed->string());
        REQUIRE(again.has_value());
        CHECK(*again == *parsed);
        pipeline::Result<ImageReference> familiar = parse_reference(parsed->familiar());
        REQUIRE(familiar.has_value());
        CHECK(*familiar == *parsed);
        pipeline::Result<ImageReference> name = parse_repository(parsed->name());
        REQUIRE(name.has_value());
        CHECK(name->name() == parsed->name());
    }
}
