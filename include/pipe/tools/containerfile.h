// What a Containerfile builds from: its FROM instructions with the ARGs declared before the
// first FROM expanded (defaults overridden by build arguments), so `--skip-unchanged` can pin
// every base image by digest. Stage names and `scratch` are not images.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::tools {

// One FROM instruction that names an image.
struct BaseImage {
    std::string reference;  // as written after expansion, e.g. "golang:1.22" or "docker.io/library/alpine"
    std::string platform;   // the --platform= value, expanded; empty when absent
    int line = 0;           // 1-based line of the FROM
};

// Every FROM of text that names an image (not scratch, not an earlier stage), in order.
// Handles line continuations, comments, case-insensitive instructions and $VAR, ${VAR},
// ${VAR:-default} and ${VAR:+alternative} in FROM lines.
std::vector<BaseImage> base_images(std::string_view text, const std::map<std::string, std::string>& build_args);

// Expands variables of text with vars (unknown names expand to "").
std::string expand_variables(std::string_view text, const std::map<std::string, std::string>& vars);

}  // namespace pipeline::tools
