#include "doctor_tools.h"

#include <fmt/format.h>

#include <fstream>

namespace pipeline::testing {
namespace {

// A /bin/sh fake that logs "<name> <args>" and answers the cases (sh `case` patterns on "$*").
void write_script(const std::filesystem::path& bin, const std::string& name, const std::string& cases) {
    const std::filesystem::path file = bin / name;
    std::ofstream out(file, std::ios::trunc);
    out << fmt::format(R"(#!/bin/sh
# fake-{0}: a FAKE {0} for pipe doctor's tests; it only reports a version.
echo "{0} $*" >> '{1}'
case "$*" in
{2}
  *) echo "fake-{0}: FAKE FAILED: unexpected arguments: $*" >&2; exit 90 ;;
esac
)",
                       name, (bin / "calls.log").string(), cases);
    out.close();
    std::filesystem::permissions(file, std::filesystem::perms::owner_all);
}

}  // namespace

std::filesystem::path write_doctor_tools(const std::filesystem::path& bin, const DoctorTools& tools) {
    std::filesystem::create_directories(bin);
    if (!tools.buildah.empty()) {
        const std::string info =
            tools.buildah_info_fails
                ? R"(echo 'Error: mount /var/lib/containers/storage/overlay: permission denied' >&2; exit 125)"
                : R"(echo '{"host": {"OCIRuntime": "crun", "rootless": false}, "store": {"GraphDriverName": "vfs", "GraphRoot": "/tmp/fake-storage"}}')";
        write_script(bin, "buildah",
                     fmt::format("  --version) echo 'buildah version {} (fake-buildah, pipe test stand-in)' ;;\n"
                                 "  info|*' info') {} ;;",
                                 tools.buildah, info));
    }
    if (!tools.trivy.empty()) {
        const std::string db =
            tools.trivy_db_updated.empty()
                ? std::string()
                : fmt::format(
                      R"(, "VulnerabilityDB": {{"Version": 2, "UpdatedAt": "{0}", "NextUpdate": "{0}", "DownloadedAt": "{0}"}})",
                      tools.trivy_db_updated);
        write_script(bin, "trivy",
                     fmt::format("  'version --format json') echo '{{\"Version\": \"{}\"{}}}' ;;", tools.trivy, db));
    }
    if (!tools.cosign.empty()) {
        write_script(
            bin, "cosign",
            fmt::format("  'version --json') echo '{{\"gitVersion\": \"{}\", \"gitTreeState\": \"clean\"}}' ;;",
                        tools.cosign));
    }
    return bin;
}

}  // namespace pipeline::testing
