// git::ConfigCheckout against real bare repositories over file:// and git:// (git daemon on
// loopback, in the bump tests): one branch fetched, files read from the commit, a commit written without a work
// tree, fast-forward-only pushes that are rejected when the branch moved, and the lease on
// pipe's own branch. The git command line is the witness.
#include "git_fixture.h"
#include "temp_dir.h"

#include <pipe/git/config_checkout.h>

#include <catch2/catch.hpp>

using pipeline::git::ConfigCheckout;
using pipeline::git::PushOutcome;
using pipeline::testing::git;
using pipeline::testing::TempDir;

namespace {

// A bare "config repository" with values.yaml on main, seeded from a normal clone.
std::filesystem::path config_remote(const TempDir& dir) {
    const std::filesystem::path seed = dir.path() / "seed";
    pipeline::testing::service_repository(seed, {{"apps/payments/values.yaml", "image:\n  tag: sha-old\n"}});
    const std::filesystem::path bare = dir.path() / "config.git";
    git(dir.path(), {"clone", "-q", "--bare", seed.string(), bare.string()});
    return bare;
}

const pipeline::git::Signature k_author{"pipe", "pipe@example.com"};

}  // namespace

TEST_CASE("config checkout: fetch one branch, read, commit without a work tree, push", "[integration][bump]") {
    TempDir dir;
    const std::filesystem::path bare = config_remote(dir);
    const std::string url = "file://" + bare.string();

    auto checkout = ConfigCheckout::fetch(url, "main", dir.path() / "scratch", {});
    REQUIRE(checkout);
    const std::string base = *checkout->tip("main");
    CHECK(base == git(bare, {"rev-parse", "main"}));
    auto values = checkout->read_file(base, "apps/payments/values.yaml");
    REQUIRE(values);
    CHECK(**values == "image:\n  tag: sha-old\n");
    auto missing = checkout->read_file(base, "apps/none.yaml");
    REQUIRE(missing);
    CHECK_FALSE(*missing);

    auto commit = checkout->commit(base, {{"apps/payments/values.yaml", "image:\n  tag: sha-new\n"}},
                                   "bump payments to sha-new", k_author);
    REQUIRE(commit);
    auto pushed = checkout->push(*commit, "main", std::nullopt);
    REQUIRE(pushed);
    CHECK(*pushed == PushOutcome::pushed);
    CHECK(git(bare, {"rev-parse", "main"}) == *commit);
    CHECK(git(bare, {"show", "main:apps/payments/values.yaml"}) == "image:\n  tag: sha-new");
    CHECK(git(bare, {"log", "-1", "--format=%an <%ae>%n%s", "main"}) ==
          "pipe <pipe@example.com>\nbump payments to sha-new");
    CHECK(git(bare, {"diff", "--stat", base, "main"}).find("1 file changed") != std::string::npos);

    auto no_branch = ConfigCheckout::fetch(url, "nope", dir.path() / "scratch2", {});
    CHECK_FALSE(no_branch);
}

TEST_CASE("config checkout: a moved branch rejects the push, the lease guards pipe's own branch",
          "[integration][bump]") {
    TempDir dir;
    const std::filesystem::path bare = config_remote(dir);
    const std::string url = "file://" + bare.string();
    auto first = ConfigCheckout::fetch(url, "main", dir.path() / "a", {});
    auto second = ConfigCheckout::fetch(url, "main", dir.path() / "b", {});
    REQUIRE(first);
    REQUIRE(second);
    const std::string base = *first->tip("main");

    auto one = first->commit(base, {{"one.txt", "1\n"}}, "one", k_author);
    auto two = second->commit(base, {{"two.txt", "2\n"}}, "two", k_author);
    INFO((one ? "" : one.error().message));
    REQUIRE(one);
    REQUIRE(two);
    CHECK(*first->push(*one, "main", std::nullopt) == PushOutcome::pushed);
    CHECK(*second->push(*two, "main", std::nullopt) == PushOutcome::rejected);
    CHECK(git(bare, {"rev-parse", "main"}) == *one);

    // pipe's bump branch: created when absent ("" expected), replaced only while unchanged.
    CHECK(*first->push(*one, "bump/payments", std::string()) == PushOutcome::pushed);
    CHECK(*second->push(*two, "bump/payments", std::string()) == PushOutcome::rejected);
    CHECK(*second->push(*two, "bump/payments", *one) == PushOutcome::pushed);
    CHECK(git(bare, {"rev-parse", "bump/payments"}) == *two);
    CHECK(*first->push(*one, "bump/payments", *one) == PushOutcome::rejected);
}
