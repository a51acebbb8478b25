#include <pipe/config/loader.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using pipeline::ErrorKind;
using pipeline::config::parse_config;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(PIPE_TEST_DATA) + "/config/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

pipeline::Error parse_error(const std::string& yaml) {
    auto parsed = parse_config(yaml, "pipe.yaml", "repo");
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error();
}

}  // namespace

TEST_CASE("an empty or absent configuration is one service named after the repository", "[config]") {
    for (const char* text : {"", "# only a comment\n", "---\n"}) {
        auto parsed = parse_config(text, "pipe.yaml", "payments-api");
        REQUIRE(parsed.has_value());
        REQUIRE(parsed->services.size() == 1);
        CHECK(parsed->services[0].name == "payments-api");
        CHECK_FALSE(parsed->services[0].tags.has_value());
        CHECK(parsed->services[0].context == ".");
    }
}

TEST_CASE("single service keys are read with their positions", "[config]") {
    auto parsed = parse_config(
        "image: ghcr.io/acme/app\ntags:\n  - type=sha\n  - type=ref,event=tag\ncontext: app\n"
        "file: app/Containerfile\n",
        "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    const auto& service = parsed->services.at(0);
    CHECK(service.images == std::vector<std::string>{"ghcr.io/acme/app"});
    CHECK(service.tags == std::vector<std::string>{"type=sha", "type=ref,event=tag"});
    CHECK(service.context == "app");
    CHECK(service.file == "app/Containerfile");
    CHECK(service.origin_of("tags[1]") == "pipe.yaml:4:5");
    CHECK(service.origin_of("image") == "pipe.yaml:1:8");
}

TEST_CASE("services inherit top-level defaults and may override them", "[config]") {
    auto parsed = parse_config(read_data("monorepo.yaml"), "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    REQUIRE(parsed->multi_service);
    REQUIRE(parsed->services.size() == 2);
    const auto& api = parsed->services[0];
    CHECK(api.name == "payments-api");
    CHECK(api.tags->size() == 2);
    CHECK(api.flavor == std::vector<std::string>{"latest=false"});
    CHECK(api.labels == std::vector<std::string>{"org.opencontainers.image.vendor=Acme"});
    const auto& web = parsed->services[1];
    CHECK(web.images.size() == 2);
    CHECK(web.tags == std::vector<std::string>{"type=semver,pattern={{version}}", "type=raw,value=stable"});
    CHECK(web.context == "web");
}

TEST_CASE("configuration mistakes are config errors with file:line:column and a hint", "[config]") {
    struct Case {
        std::string yaml;
        std::string where;
        std::string message_part;
        std::string hint_part;
    };
    const std::vector<Case> cases{
        {"tgas: [type=sha]\n", "pipe.yaml:1:1", "unknown key 'tgas'", "did you mean 'tags'?"},
        {"image: a\nimage: b\n", "pipe.yaml:2:1", "duplicate key 'image'", ""},
        {"tags: {type: sha}\n", "pipe.yaml:1:7", "'tags' must be a list of strings", ""},
        {"tags:\n  - [nested]\n", "pipe.yaml:2:5", "'tags[0]' must be a string", ""},
        {"context: [a, b]\n", "pipe.yaml:1:10", "'context' must be a string", ""},
        {"labels: [novalue]\n", "pipe.yaml:1:10", "label 'novalue' has no '='", "key=value"},
        {"image: [unclosed\n", "pipe.yaml:2:1", "invalid YAML", ""},
        {"- just\n- a list\n", "pipe.yaml:1:1", "must be a map", "allowed keys"},
        {"services:\n  API:\n    image: x\n", "pipe.yaml:2:3", "invalid service name 'API'", ""},
        {"services:\n  api:\n    contxt: x\n", "pipe.yaml:3:5", "unknown key 'contxt'", "did you mean 'context'?"},
        {"services:\n  api:\n    services: {}\n", "pipe.yaml:3:5", "unknown key 'services'", ""},
        {"services: [a]\n", "pipe.yaml:1:11", "'services' must be a map", ""},
        {"tags: [type=sha,format=long]\n", "pipe.yaml:1:17", "fragment of the tag rule", "quote each rule"},
        {"services:\n  api: 3\n", "pipe.yaml:2:8", "service 'api' must be a map", ""},
    };
    for (const Case& c : cases) {
        INFO(c.yaml);
        pipeline::Error error = parse_error(c.yaml);
        CHECK(error.kind == ErrorKind::config);
        CHECK(error.where == c.where);
        CHECK_THAT(error.message, Catch::Contains(c.message_part));
        CHECK_THAT(error.hint, Catch::Contains(c.hint_part));
    }
}

TEST_CASE("PIPE_* variables override the file for every service", "[config]") {
    auto parsed = parse_config(read_data("monorepo.yaml"), "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    pipeline::Environment env{{"PIPE_TAGS", "type=raw,value=a\n\ntype=raw,value=b\n"},
                              {"PIPE_IMAGE", "ghcr.io/x/one,ghcr.io/x/two"},
                              {"PIPE_FLAVOR", "latest=true"},
                              {"PIPE_CONTEXT", "ctx"}};
    REQUIRE(pipeline::config::apply_environment(*parsed, env).has_value());
    for (const auto& service : parsed->services) {
        CHECK(service.tags == std::vector<std::string>{"type=raw,value=a", "type=raw,value=b"});
        CHECK(service.images == std::vector<std::string>{"ghcr.io/x/one", "ghcr.io/x/two"});
        CHECK(service.flavor == std::vector<std::string>{"latest=true"});
        CHECK(service.context == "ctx");
        CHECK(service.origin_of("tags[1]") == "PIPE_TAGS");
    }
    pipeline::Environment bad{{"PIPE_LABELS", "novalue"}};
    auto applied = pipeline::config::apply_environment(*parsed, bad);
    REQUIRE_FALSE(applied.has_value());
    CHECK(applied.error().where == "PIPE_LABELS");
}

TEST_CASE("service selection keeps the given order in the given order and suggests on typos", "[config]") {
    auto parsed = parse_config(read_data("monorepo.yaml"), "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    auto copy = *parsed;
    REQUIRE(pipeline::config::select_services(copy, {"web"}).has_value());
    REQUIRE(copy.services.size() == 1);
    CHECK(copy.services[0].name == "web");
    auto failed = pipeline::config::select_services(*parsed, {"paymnts-api"});
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().kind == ErrorKind::usage);
    CHECK_THAT(failed.error().hint, Catch::Contains("did you mean 'payments-api'?"));
}

TEST_CASE("quoted rules in a flow list stay whole", "[config]") {
    auto parsed = parse_config("tags: ['type=sha,format=long', stable, \"type=raw,value=x\"]\n", "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    CHECK(parsed->services[0].tags == std::vector<std::string>{"type=sha,format=long", "stable", "type=raw,value=x"});
}

TEST_CASE("split_list drops blank lines and comments and trims", "[config]") {
    CHECK(pipeline::config::split_list("  a \n\n# c\n\tb\r\n") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("build settings are read with positions - services replace them key by key", "[config][build]") {
    auto parsed = parse_config(
        "build:\n"
        "  args: {GO_VERSION: '1.22', DEBUG: 'false'}\n"
        "  platforms: [linux/amd64]\n"
        "  storage_driver: vfs\n"
        "  isolation: chroot\n"
        "  cache_from: [ghcr.io/acme/cache]\n"
        "services:\n"
        "  api:\n"
        "    build:\n"
        "      args:\n"
        "        DEBUG: 'true'\n"
        "        PORT: 8080\n"
        "      target: runtime\n"
        "      platforms: linux/amd64,linux/arm64/v8\n"
        "      layers: false\n"
        "      annotations: [org.opencontainers.image.title=api]\n"
        "      root: .pipe/storage\n"
        "      runroot: /run/pipe\n"
        "  web: {}\n",
        "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    const auto& api = parsed->services.at(0).build;
    CHECK(api.args == std::map<std::string, std::string>{{"DEBUG", "true"}, {"GO_VERSION", "1.22"}, {"PORT", "8080"}});
    CHECK(api.target == "runtime");
    CHECK(api.platforms == std::vector<std::string>{"linux/amd64", "linux/arm64/v8"});
    CHECK_FALSE(api.layers);
    CHECK(api.cache_from == std::vector<std::string>{"ghcr.io/acme/cache"});
    CHECK(api.annotations == std::vector<std::string>{"org.opencontainers.image.title=api"});
    CHECK(api.storage_driver == "vfs");
    CHECK(api.isolation == "chroot");
    CHECK(api.root == ".pipe/storage");
    CHECK(api.runroot == "/run/pipe");
    const auto& service = parsed->services.at(0);
    CHECK(service.origin_of("build.args.DEBUG") == "pipe.yaml:11:16");
    CHECK(service.origin_of("build.args.GO_VERSION") == "pipe.yaml:2:22");
    CHECK(service.origin_of("build.platforms[1]") == "pipe.yaml:14:18");
    CHECK(service.origin_of("build.target") == "pipe.yaml:13:15");
    const auto& web = parsed->services.at(1).build;
    CHECK(web.args == std::map<std::string, std::string>{{"DEBUG", "false"}, {"GO_VERSION", "1.22"}});
    CHECK(web.platforms == std::vector<std::string>{"linux/amd64"});
    CHECK(web.layers);
    CHECK(web.target.empty());
}

TEST_CASE("build defaults: layers on, nothing else set", "[config][build]") {
    auto parsed = parse_config("image: ghcr.io/acme/app\n", "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    const auto& build = parsed->services.at(0).build;
    CHECK(build.layers);
    CHECK(build.args.empty());
    CHECK(build.platforms.empty());
    CHECK(build.storage_driver.empty());
    CHECK(build.isolation.empty());
}

TEST_CASE("build mistakes are config errors with file:line:column and a hint", "[config][build]") {
    struct Case {
        std::string yaml;
        std::string where;
        std::string message_part;
        std::string hint_part;
    };
    const std::vector<Case> cases{
        {"build:\n  targt: x\n", "pipe.yaml:2:3", "unknown key 'targt'", "did you mean 'target'?"},
        {"build: [a]\n", "pipe.yaml:1:8", "'build' must be a map", "allowed keys"},
        {"build:\n  args: [A=1]\n", "pipe.yaml:2:9", "'build.args' must be a map", ""},
        {"build:\n  args:\n    A: [1]\n", "pipe.yaml:3:8", "build argument 'A' must have a string value", "quote"},
        {"build:\n  args:\n    A: 1\n    A: 2\n", "pipe.yaml:4:5", "duplicate build argument 'A'", ""},
        {"build:\n  layers: maybe\n", "pipe.yaml:2:11", "'build.layers' must be true or false", ""},
        {"build:\n  isolation: chrot\n", "pipe.yaml:2:14", "unknown isolation 'chrot'", "did you mean 'chroot'?"},
        {"build:\n  storage_driver: vsf\n", "pipe.yaml:2:19", "unknown storage driver 'vsf'", "did you mean 'vfs'?"},
        {"build:\n  platforms: [linux]\n", "pipe.yaml:2:15", "invalid platform 'linux'", "linux/amd64"},
        {"build:\n  platforms: [Linux/AMD64]\n", "pipe.yaml:2:15", "invalid platform", ""},
        {"build:\n  annotations: [novalue]\n", "pipe.yaml:2:17", "annotation 'novalue' has no key=value", ""},
        {"build:\n  target: {a: b}\n", "pipe.yaml:2:11", "'build.target' must be a string", ""},
        {"build:\n  target: ''\n", "pipe.yaml:2:11", "'build.target' must not be empty", ""},
        {"build:\n  layers: true\n  layers: false\n", "pipe.yaml:3:3", "duplicate key 'layers'", ""},
        {"services:\n  api:\n    build:\n      cache_form: [x]\n", "pipe.yaml:4:7", "unknown key 'cache_form'",
         "did you mean 'cache_from'?"},
    };
    for (const Case& c : cases) {
        INFO(c.yaml);
        pipeline::Error error = parse_error(c.yaml);
        CHECK(error.kind == ErrorKind::config);
        CHECK(error.where == c.where);
        CHECK_THAT(error.message, Catch::Contains(c.message_part));
        CHECK_THAT(error.hint, Catch::Contains(c.hint_part));
    }
}

TEST_CASE("PIPE_STORAGE_DRIVER, PIPE_ISOLATION and PIPE_BUILDAH_ROOT/RUNROOT override build settings",
          "[config][build]") {
    auto parsed = parse_config("build:\n  storage_driver: overlay\n  isolation: oci\n", "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    pipeline::Environment env{{"PIPE_STORAGE_DRIVER", "vfs"},
                              {"PIPE_ISOLATION", "chroot"},
                              {"PIPE_BUILDAH_ROOT", "/tmp/root"},
                              {"PIPE_BUILDAH_RUNROOT", "/tmp/runroot"}};
    REQUIRE(pipeline::config::apply_environment(*parsed, env).has_value());
    const auto& service = parsed->services.at(0);
    CHECK(service.build.storage_driver == "vfs");
    CHECK(service.build.isolation == "chroot");
    CHECK(service.build.root == "/tmp/root");
    CHECK(service.build.runroot == "/tmp/runroot");
    CHECK(service.origin_of("build.isolation") == "PIPE_ISOLATION");

    pipeline::Environment empty{{"PIPE_ISOLATION", ""}};
    REQUIRE(pipeline::config::apply_environment(*parsed, empty).has_value());
    CHECK(parsed->services.at(0).build.isolation == "chroot");

    pipeline::Environment bad{{"PIPE_ISOLATION", "rootles"}};
    auto applied = pipeline::config::apply_environment(*parsed, bad);
    REQUIRE_FALSE(applied.has_value());
    CHECK(applied.error().kind == ErrorKind::config);
    CHECK(applied.error().where == "PIPE_ISOLATION");
    CHECK_THAT(applied.error().hint, Catch::Contains("did you mean 'rootless'?"));
}

TEST_CASE("the test section reads an argv or a shell string, env, coverage and timeout", "[config][test-step]") {
    auto parsed = parse_config(
        "image: ghcr.io/acme/app\ntest:\n  command: [go, test, ./...]\n  env:\n    CGO_ENABLED: \"1\"\n"
        "  coverage: coverage.out\n  timeout: 20m\n",
        "pipe.yaml", "repo");
    REQUIRE(parsed.has_value());
    const auto& test = parsed->test;
    CHECK(test.command == std::vector<std::string>{"go", "test", "./..."});
    CHECK_FALSE(test.shell);
    CHECK(test.env == std::map<std::string, std::string>{{"CGO_ENABLED", "1"}});
    CHECK(test.coverage == "coverage.out");
    CHECK(test.timeout == std::chrono::minutes(20));
    CHECK(test.origins.at("command") == "pipe.yaml:3:12");
    CHECK(test.origins.at("env.CGO_ENABLED") == "pipe.yaml:5:18");

    auto shell = parse_config("test:\n  command: make lint && make check\n", "pipe.yaml", "repo");
    REQUIRE(shell.has_value());
    CHECK(shell->test.command == std::vector<std::string>{"make lint && make check"});
    CHECK(shell->test.shell);
    auto none = parse_config("image: x\n", "pipe.yaml", "repo");
    REQUIRE(none.has_value());
    CHECK(none->test.command.empty());
}

TEST_CASE("mistakes in the test section are config errors at their position", "[config][test-step]") {
    struct Row {
        std::string yaml;
        std::string where;
        std::string message;
    };
    const std::vector<Row> rows{
        {"test:\n  comand: [make]\n", "pipe.yaml:2:3", "unknown key 'comand'"},
        {"test: [make, check]\n", "pipe.yaml:1:7", "'test' must be a map"},
        {"test:\n  command: {make: check}\n", "pipe.yaml:2:12", "must be a list (argv) or a string"},
        {"test:\n  command: []\n", "pipe.yaml:2:12", "needs a program"},
        {"test:\n  command: \"  \"\n", "pipe.yaml:2:12", "must not be empty"},
        {"test:\n  command: [make, [a]]\n", "pipe.yaml:2:19", "'test.command[1]' must be a string"},
        {"test:\n  env: [A=1]\n", "pipe.yaml:2:8", "'test.env' must be a map"},
        {"test:\n  env:\n    A: [1]\n", "pipe.yaml:3:8", "variable 'A' must have a string value"},
        {"test:\n  timeout: soon\n", "pipe.yaml:2:12", "invalid duration 'soon'"},
        {"test:\n  timeout: 0s\n", "pipe.yaml:2:12", "invalid duration '0s'"},
        {"test:\n  coverage: [a, b]\n", "pipe.yaml:2:13", "'test.coverage' must be a string"},
        {"test:\n  command: [a]\n  command: [b]\n", "pipe.yaml:3:3", "duplicate key 'command'"},
        {"services:\n  api:\n    test:\n      command: [make]\n", "pipe.yaml:3:5", "belongs to the whole repository"},
    };
    for (const Row& row : rows) {
        INFO(row.yaml);
        pipeline::Error error = parse_error(row.yaml);
        CHECK(error.kind == ErrorKind::config);
        CHECK(error.where == row.where);
        CHECK_THAT(error.message, Catch::Contains(row.message));
        CHECK_FALSE(error.hint.empty());
    }
}
