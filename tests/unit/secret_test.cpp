#include <pipe/core/secret.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using pipeline::Secret;

TEST_CASE("a secret prints as *** in every rendering", "[secret]") {
    Secret token("ghp_supersecret");
    CHECK(fmt::format("token={}", token) == "token=***");
    std::ostringstream stream;
    stream << token;
    CHECK(stream.str() == "***");
    nlohmann::json doc = {{"token", token}};
    CHECK(doc.dump() == R"({"token":"***"})");
    CHECK(token.reveal() == "ghp_supersecret");
}

TEST_CASE("redact masks every occurrence of every secret", "[secret]") {
    std::vector<Secret> secrets{Secret("abc"), Secret(""), Secret("xyz")};
    CHECK(pipeline::redact("abc-abc xyz!", secrets) == "***-*** ***!");
    CHECK(pipeline::redact("nothing here", secrets) == "nothing here");
}
