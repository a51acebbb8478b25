// The inputs digest behind `pipe build --skip-unchanged`: one sha256 over everything that
// decides what buildah produces (the Containerfile, every context file the ignore file lets
// through, build arguments, target, platforms, configured labels and annotations, and each base
// image's digest), so an unchanged service is recognised in the registry without building.
#pragma once

#include <pipe/core/result.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pipeline::steps {

// The label pipe puts on images built with --skip-unchanged, holding their inputs digest.
inline constexpr const char* k_inputs_label = "dev.pipe.inputs-digest";

// What goes into the digest besides the context files.
struct BuildInputsRequest {
    std::filesystem::path context;        // absolute
    std::filesystem::path containerfile;  // absolute
    std::map<std::string, std::string> build_args;
    std::string target;
    std::vector<std::string> platforms;
    std::vector<std::string> labels;       // configured key=value labels (not the per-commit ones)
    std::vector<std::string> annotations;  // key=value
    std::vector<std::string> base_images;  // each base image pinned: name@sha256:...
};

// The digest and what it covered.
struct BuildInputs {
    std::string digest;  // sha256:<hex>
    std::size_t files = 0;
    std::uintmax_t bytes = 0;
};

// Hashes the request: files in path order with their executable bit (symlinks by target),
// skipping what the context's ignore file excludes and pipe's own .pipe/ directory.
// Unreadable files are runtime errors naming them.
Result<BuildInputs> hash_build_inputs(const BuildInputsRequest& request);

}  // namespace pipeline::steps
