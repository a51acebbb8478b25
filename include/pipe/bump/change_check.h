// `pipe bump --check`: the config repository's own CI asks whether a change (a pull request) only
// moves image versions, so bump pull requests can be merged automatically and anything else gets
// a human. Pure classification of one file's change; reading git is the caller's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::bump {

// One change found in a file, and whether it is an image version change.
struct CheckFinding {
    std::string file;
    int line = 0;  // in the old version; 0 for a whole-file finding
    int column = 0;
    std::string path;         // YAML path, empty for a whole-file finding
    std::string description;  // "image.tag: sha-1 -> sha-2", "replicas: 2 -> 3", "file added"
    bool image_version = false;
};

// Classifies the change of one file. Allowed (image_version) are scalar changes where both
// values are references to the same repository (nginx:1.25 -> nginx:1.26@sha256:...), a kustomize
// `images[i].newTag`/`digest` set or added, a value under a key named `tag`, `*Tag` or `digest`
// that stays a valid tag or digest, and scalars at extra_keys (a.b[0].c paths). Everything else
// is a finding with image_version false: other scalars, added or removed keys, structure, a file
// added, deleted, or not YAML (by its .yaml/.yml name). before/after are nullopt for a file that
// does not exist on that side. Invalid YAML on either side is such a finding too.
std::vector<CheckFinding> check_file_change(const std::string& file, const std::optional<std::string>& before,
                                            const std::optional<std::string>& after,
                                            const std::vector<std::string>& extra_keys);

}  // namespace pipeline::bump
