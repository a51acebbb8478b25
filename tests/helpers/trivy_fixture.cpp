#include "trivy_fixture.h"

#include "temp_dir.h"

#include <catch2/catch.hpp>

namespace pipeline::testing {

scan::Report trivy_report(const std::string& name) {
    auto report = scan::parse_report(read_file(std::string(PIPE_TEST_DATA) + "/trivy/" + name), name);
    REQUIRE(report);
    return *report;
}

}  // namespace pipeline::testing
