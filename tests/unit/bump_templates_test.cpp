// Branch and message templates of `pipe bump`: fields are filled in, and `supersede` recognises
// the branches one template produced for the same service (and no other service's).
#include <pipe/steps/bump_step.h>

#include <catch2/catch.hpp>

using pipeline::steps::bump_branch_matches;
using pipeline::steps::expand_bump_template;

TEST_CASE("bump templates fill known fields and keep unknown ones", "[bump]") {
    const std::map<std::string, std::string> fields{{"service", "api"}, {"short_commit", "1a2b3c4"}};
    CHECK(expand_bump_template("bump/{service}-{short_commit}", fields) == "bump/api-1a2b3c4");
    CHECK(expand_bump_template("{unknown} {service", fields) == "{unknown} {service");
    CHECK(expand_bump_template("", fields).empty());
}

TEST_CASE("supersede matches the branches of the same template and service only", "[bump]") {
    const std::map<std::string, std::string> fields{
        {"service", "api"}, {"image", "ghcr.io/acme/api"}, {"short_commit", "1a2b3c4"}, {"tag", "sha-1a2b3c4"}};
    CHECK(bump_branch_matches("bump/{service}-{short_commit}", fields, "bump/api-9f8e7d6"));
    CHECK(bump_branch_matches("bump/{service}-{short_commit}", fields, "bump/api-1a2b3c4"));
    CHECK_FALSE(bump_branch_matches("bump/{service}-{short_commit}", fields, "bump/api-worker-9f8e7d6"));
    CHECK_FALSE(bump_branch_matches("bump/{service}-{short_commit}", fields, "bump/web-9f8e7d6"));
    CHECK_FALSE(bump_branch_matches("bump/{service}-{short_commit}", fields, "feature/api-9f8e7d6"));
    CHECK(bump_branch_matches("deploy/{service}/{tag}", fields, "deploy/api/v1.2.3"));
    CHECK_FALSE(bump_branch_matches("deploy/{service}/{tag}", fields, "deploy/api/v1/extra"));
    CHECK(bump_branch_matches("bump/{service}", fields, "bump/api"));
    CHECK_FALSE(bump_branch_matches("bump/{service}", fields, "bump/api2"));
    CHECK(bump_branch_matches("bump.{service}+{commit}", fields, "bump.api+" + std::string(40, 'c')));
    CHECK_FALSE(bump_branch_matches("bump.{service}+{commit}", fields, "bumpXapi+cccc"));
}
