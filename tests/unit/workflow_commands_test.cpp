// Workflow commands: group markers and the escaping that keeps a title inside its command.
#include <pipe/ci/workflow_commands.h>

#include <catch2/catch.hpp>

TEST_CASE("group markers fold tool output - titles are escaped like @actions/core", "[ci]") {
    CHECK(pipeline::ci::group_start("buildah build api") == "::group::buildah build api");
    CHECK(pipeline::ci::group_end() == "::endgroup::");
    CHECK(pipeline::ci::escape_command_data("50%\r\n::warning::x") == "50%25%0D%0A::warning::x");
    CHECK(pipeline::ci::group_start("a\nb") == "::group::a%0Ab");
}
