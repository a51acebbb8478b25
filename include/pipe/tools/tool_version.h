// Version numbers of the external tools pipe runs, as `pipe doctor` reads them from whatever a
// tool prints ("buildah version 1.28.2 (image-spec ...)", "v2.4.1", "Version: 0.58.1") and
// compares them with the minimum pipe supports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::tools {

// A major.minor.patch version; a missing patch reads as 0.
struct ToolVersion {
    int major = 0;
    int minor = 0;
    int patch = 0;

    // "1.28.2".
    std::string string() const;

    // True when this version is minimum or newer (major, then minor, then patch).
    bool at_least(const ToolVersion& minimum) const;

    friend bool operator==(const ToolVersion&, const ToolVersion&) = default;
};

// The first "N.N" or "N.N.N" in text (an optional leading 'v' is skipped, pre-release and build
// suffixes are ignored), or nullopt when text holds none.
std::optional<ToolVersion> find_version(std::string_view text);

// The oldest versions pipe supports: what Debian 12 ships for buildah and libgit2, cosign 2
// (the v2 flags and bundle format), Trivy 0.50 (`--scanners`, the DB v2 layout).
inline constexpr ToolVersion k_min_buildah{1, 28, 0};
inline constexpr ToolVersion k_min_cosign{2, 0, 0};
inline constexpr ToolVersion k_min_trivy{0, 50, 0};
inline constexpr ToolVersion k_min_libgit2{1, 5, 0};

}  // namespace pipeline::tools
