#include <pipe/http/www_authenticate.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

using pipeline::ErrorKind;
using pipeline::Result;
using pipeline::http::Challenge;
using pipeline::http::describe;
using pipeline::http::find_challenge;
using pipeline::http::parse_www_authenticate;

namespace {

nlohmann::json load_cases() {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/http/www_authenticate.json");
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

Challenge expected_challenge(const nlohmann::json& data) {
    Challenge challenge;
    challenge.scheme = data.at("scheme").get<std::string>();
    if (data.contains("token68")) {
        challenge.token68 = data.at("token68").get<std::string>();
    }
    for (const nlohmann::json& param : data.at("params")) {
        challenge.params.emplace_back(param.at(0).get<std::string>(), param.at(1).get<std::string>());
    }
    return challenge;
}

}  // namespace

TEST_CASE("WWW-Authenticate: real registry and RFC challenges parse", "[http][www-authenticate]") {
    const nlohmann::json cases = load_cases();
    REQUIRE(cases.at("valid").size() >= 20);
    for (const nlohmann::json& c : cases.at("valid")) {
        INFO(c.at("name").get<std::string>());
        const auto fields = c.at("headers").get<std::vector<std::string>>();
        const std::vector<std::string_view> views(fields.begin(), fields.end());
        Result<std::vector<Challenge>> parsed = parse_www_authenticate(views);
        if (!parsed) {
            FAIL(parsed.error().message);
        }
        std::vector<Challenge> expected;
        for (const nlohmann::json& challenge : c.at("challenges")) {
            expected.push_back(expected_challenge(challenge));
        }
        CHECK(*parsed == expected);

        for (const Challenge& challenge : *parsed) {
            Result<std::vector<Challenge>> again = parse_www_authenticate(describe(challenge));
            REQUIRE(again.has_value());
            REQUIRE(again->size() == 1);
            CHECK(again->front() == challenge);
        }
    }
}

TEST_CASE("WWW-Authenticate: malformed headers are runtime errors naming the column", "[http][www-authenticate]") {
    const nlohmann::json cases = load_cases();
    REQUIRE(cases.at("invalid").size() >= 10);
    for (const nlohmann::json& c : cases.at("invalid")) {
        INFO(c.at("name").get<std::string>());
        Result<std::vector<Challenge>> parsed = parse_www_authenticate(c.at("header").get<std::string>());
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().kind == ErrorKind::runtime);
        CHECK_THAT(parsed.error().message, Catch::Contains(c.at("problem").get<std::string>()));
        CHECK_THAT(parsed.error().message,
                   Catch::Contains("at column " + std::to_string(c.at("column").get<int>()) + ":"));
        CHECK_FALSE(parsed.error().hint.empty());
    }
}

TEST_CASE("WWW-Authenticate: the registry Bearer flow reads realm, service and scope", "[http][www-authenticate]") {
    const std::vector<std::string_view> fields = {
        R"(Basic realm="Registry Realm")",
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push")",
    };
    Result<std::vector<Challenge>> parsed = parse_www_authenticate(fields);
    REQUIRE(parsed.has_value());
    const Challenge* bearer = find_challenge(*parsed, "Bearer");
    REQUIRE(bearer != nullptr);
    CHECK(bearer->param("realm") == std::optional<std::string_view>("https://auth.docker.io/token"));
    CHECK(bearer->param("Service") == std::optional<std::string_view>("registry.docker.io"));
    CHECK(bearer->param("SCOPE") == std::optional<std::string_view>("repository:samalba/my-app:pull,push"));
    CHECK_FALSE(bearer->param("error").has_value());
    const Challenge* basic = find_challenge(*parsed, "basic");
    REQUIRE(basic != nullptr);
    CHECK(basic->param("realm") == std::optional<std::string_view>("Registry Realm"));
    CHECK(find_challenge(*parsed, "Digest") == nullptr);
}

TEST_CASE("WWW-Authenticate: no field at all is an error", "[http][www-authenticate]") {
    Result<std::vector<Challenge>> parsed = parse_www_authenticate(std::vector<std::string_view>{});
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().message, Catch::Contains("no WWW-Authenticate header"));
}

TEST_CASE("WWW-Authenticate: describe() writes the canonical form", "[http][www-authenticate]") {
    Challenge challenge;
    challenge.scheme = "bearer";
    challenge.params = {{"realm", R"(say "hi" \o/)"}, {"service", "registry"}};
    CHECK(describe(challenge) == R"(bearer realm="say \"hi\" \\o/", service="registry")");
    challenge.params.clear();
    CHECK(describe(challenge) == "bearer");
    challenge.token68 = "abc==";
    CHECK(describe(challenge) == "bearer abc==");
}
