// Stand-ins for buildah, trivy and cosign that `pipe doctor` asks for versions, written as tiny
// /bin/sh scripts into a test's bin directory, so PATH can hold them alone (tools missing, old or
// broken). Each announces itself as a fake, records every call in <bin>/calls.log and fails loudly
// (exit 90, "FAKE FAILED") on any argument pipe doctor never passes.
#pragma once

#include <filesystem>
#include <string>

namespace pipeline::testing {

// What the fakes report; an empty version leaves that tool out of the directory.
struct DoctorTools {
    std::string buildah = "1.28.2";
    std::string trivy = "0.58.1";
    std::string cosign = "v2.4.1";
    std::string trivy_db_updated = "2026-11-26T00:00:00Z";  // VulnerabilityDB.UpdatedAt; "" for no DB
    bool buildah_info_fails = false;                        // `buildah info` exits 125 with an error
};

// Writes the fakes into bin (created if needed) and returns bin.
std::filesystem::path write_doctor_tools(const std::filesystem::path& bin, const DoctorTools& tools);

}  // namespace pipeline::testing
