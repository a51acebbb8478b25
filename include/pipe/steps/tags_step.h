// `pipe tags`: the tags, references and OCI labels of each selected service, computed with
// metadata-action's rules from the workspace's source context.
#pragma once

#include <pipe/core/result.h>
#include <pipe/meta/tag_engine.h>
#include <pipe/steps/workspace.h>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::steps {

// Values given on the command line; each replaces the configured list for every service.
struct TagOverrides {
    std::vector<std::string> images;
    std::vector<std::string> tags;
    std::vector<std::string> flavor;
    std::vector<std::string> labels;
};

// The tags of one service.
struct ServiceTags {
    std::string service;
    meta::TagResult result;
};

// The tags of every selected service plus the context they came from.
struct TagsReport {
    meta::SourceContext context;
    std::vector<ServiceTags> services;
    std::vector<std::string> warnings;  // engine warnings and the mutable-latest warning
};

// Applies command-line overrides to the workspace's services (origin "--image", "--tag", ...).
Result<void> apply_overrides(Workspace& workspace, const TagOverrides& overrides);

// Computes the tags of every service; errors point at the configuration line that caused them.
Result<TagsReport> compute_service_tags(const Workspace& workspace);

}  // namespace pipeline::steps
