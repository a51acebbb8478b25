// What the tag engine derives from a SourceContext: the short sha, the commit date and the
// global expressions ({{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}},
// {{is_not_default_branch}}, {{date}}, {{commit_date}}) with metadata-action's meaning.
#pragma once

#include <pipe/core/environment.h>
#include <pipe/core/result.h>
#include <pipe/meta/source_context.h>
#include <pipe/meta/template.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::meta {

// The ref minus prefix ("refs/heads/", "refs/tags/", "refs/pull/") when it starts with it.
std::optional<std::string> ref_suffix(std::string_view ref, std::string_view prefix);

// The sha cut to DOCKER_METADATA_SHORT_SHA_LENGTH characters (default 7, whole sha when longer);
// a value that is not a number is a config error, reported only where a short sha is used.
Result<std::string> short_sha(const std::string& sha, const Environment& env);

// The commit date: the payload's commits[] or head_commit entry for the sha, else the
// context's commit time, else now.
std::chrono::system_clock::time_point commit_date(const SourceContext& context);

// The repository's default branch from the event payload, or "" when the payload has none.
std::string default_branch(const SourceContext& context);

// The scope of global expressions, used for value, prefix, suffix, enable and labels.
TemplateScope global_scope(const SourceContext& context, const Result<std::string>& sha);

// The scope of a type=schedule pattern, which knows only {{date}} and {{commit_date}}.
TemplateScope schedule_scope(const SourceContext& context);

}  // namespace pipeline::meta
