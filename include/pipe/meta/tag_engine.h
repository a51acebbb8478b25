// The tag and label engine: docker/metadata-action's `tags`, `flavor`, `images` and `labels`
// inputs evaluated against a SourceContext, producing exactly the action's tags and labels.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/meta/source_context.h>

#include <map>
#include <string>
#include <vector>

namespace pipeline::meta {

// The action's inputs, one list entry per input line. Each line is first read as the action
// reads its list inputs: lines starting with '#' are comments and one level of CSV quotes is
// consumed, so a ',' inside a field needs tripled quotes ("""pattern=\d{1,3}""").
struct TagInputs {
    std::vector<std::string> images;  // "ghcr.io/acme/app" or "name=ghcr.io/acme/app,enable=false"
    std::vector<std::string> tags;    // e.g. "type=sha,format=long,prefix=sha-"
    std::vector<std::string> flavor;  // e.g. "latest=false"
    std::vector<std::string> labels;  // extra "key=value" labels, overriding the eight defaults
};

// What the action outputs.
struct TagResult {
    std::string version;                        // the `version` output (first produced tag)
    std::vector<std::string> tag_names;         // tags without image (the `tag-names` output)
    std::vector<std::string> references;        // image:tag for every enabled image, image-major;
                                                // bare tags when no image is enabled (`tags`)
    std::map<std::string, std::string> labels;  // sorted by key
    bool latest = false;                        // whether the `latest` tag was added
    bool latest_forced = false;                 // flavor latest=true asked for it explicitly
    std::vector<std::string> warnings;          // e.g. "v1.2 is not a valid semver"
};

// Evaluates the inputs. env supplies DOCKER_METADATA_SHORT_SHA_LENGTH. Errors (kind config) name
// the offending input line ("tags[2]", "flavor[0]", "image[1]", "labels[3]"; "tags" for the
// action's default rules), e.g. an unknown tag type, a missing pattern or an invalid tag. An
// empty `tags` list means the action's defaults (schedule, ref branch, ref tag, ref pr).
Result<TagResult> compute_tags(const TagInputs& inputs, const SourceContext& context, const Environment& env);

}  // namespace pipeline::meta
