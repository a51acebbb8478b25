#include <pipe/steps/tags_step.h>

#include <pipe/ci/source_context_builder.h>
#include <pipe/config/loader.h>
#include <pipe/oci/reference.h>

#include <fmt/format.h>

namespace pipeline::steps {
namespace {

// Rewrites an engine error's `where` ("tags[2]") into the configuration position it came from.
Error locate(Error error, const config::ServiceConfig& service) {
    std::string origin = service.origin_of(error.where);
    if (!origin.empty()) {
        error.where = origin;
    } else if (!error.where.empty()) {
        error.where = fmt::format("service '{}' {}", service.name, error.where);
    }
    return error;
}

Result<void> check_images(const config::ServiceConfig& service) {
    for (std::size_t i = 0; i < service.images.size(); ++i) {
        Result<oci::ImageReference> parsed = oci::parse_repository(service.images[i]);
        if (!parsed) {
            Error error = parsed.error();
            error.kind = ErrorKind::config;
            error.where = service.origin_of(fmt::format("image[{}]", i));
            return error;
        }
    }
    return {};
}

void set_list(config::ServiceConfig& service, const char* key, const char* flag, std::vector<std::string>& target,
              const std::vector<std::string>& values) {
    target = values;
    service.set_origin(key, flag);
    for (std::size_t i = 0; i < values.size(); ++i) {
        service.origins[fmt::format("{}[{}]", key, i)] = fmt::format("{} {}", flag, values[i]);
    }
}

}  // namespace

Result<void> apply_overrides(Workspace& workspace, const TagOverrides& overrides) {
    for (config::ServiceConfig& service : workspace.config.services) {
        if (!overrides.images.empty()) {
            set_list(service, "image", "--image", service.images, overrides.images);
        }
        if (!overrides.tags.empty()) {
            std::vector<std::string> tags;
            set_list(service, "tags", "--tag", tags, overrides.tags);
            service.tags = std::move(tags);
        }
        if (!overrides.flavor.empty()) {
            set_list(service, "flavor", "--flavor", service.flavor, overrides.flavor);
        }
        if (!overrides.labels.empty()) {
            for (const std::string& label : overrides.labels) {
                if (label.find('=') == std::string::npos) {
                    return usage_error(fmt::format("--label '{}' has no '='", label), "write --label key=value");
                }
            }
            set_list(service, "labels", "--label", service.labels, overrides.labels);
        }
    }
    return {};
}

Result<TagsReport> compute_service_tags(const Workspace& workspace) {
    Result<meta::SourceContext> context = ci::build_source_context(workspace.env, workspace.git);
    if (!context) {
        return context.error();
    }
    TagsReport report;
    report.context = std::move(*context);
    for (const config::ServiceConfig& service : workspace.config.services) {
        if (auto checked = check_images(service); !checked) {
            return checked.error();
        }
        meta::TagInputs inputs{service.images, service.tags.value_or(config::default_tag_rules()), service.flavor,
                               service.labels};
        Result<meta::TagResult> result = meta::compute_tags(inputs, report.context, workspace.env);
        if (!result) {
            return locate(result.error(), service);
        }
        for (const std::string& warning : result->warnings) {
            report.warnings.push_back(workspace.config.multi_service ? fmt::format("{}: {}", service.name, warning)
                                                                     : warning);
        }
        if (result->latest && !result->latest_forced) {
            report.warnings.push_back(fmt::format(
                "{}the mutable 'latest' tag is produced; it breaks rollbacks (set flavor 'latest=false' to drop it, "
                "or 'latest=true' to keep it on purpose)",
                workspace.config.multi_service ? service.name + ": " : ""));
        }
        report.services.push_back(ServiceTags{service.name, std::move(*result)});
    }
    return report;
}

}  // namespace pipeline::steps
