#include <pipe/meta/labels.h>

#include <fmt/format.h>

namespace pipeline::meta {

std::string iso_timestamp(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    const auto millis = floor<milliseconds>(time);
    const auto day = floor<days>(millis);
    const year_month_day date{day};
    const hh_mm_ss<milliseconds> clock{millis - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

std::vector<std::string> default_label_lines(const SourceContext& context, std::string_view version) {
    const RepositoryInfo& repo = context.repository;
    return {
        fmt::format("org.opencontainers.image.title={}", repo.name),
        fmt::format("org.opencontainers.image.description={}", repo.description),
        fmt::format("org.opencontainers.image.url={}", repo.html_url),
        fmt::format("org.opencontainers.image.source={}", repo.html_url),
        fmt::format("org.opencontainers.image.version={}", version),
        fmt::format("org.opencontainers.image.created={}", iso_timestamp(context.now)),
        fmt::format("org.opencontainers.image.revision={}", context.sha),
        fmt::format("org.opencontainers.image.licenses={}", repo.license),
    };
}

std::map<std::string, std::string> merge_labels(const std::vector<std::string>& lines) {
    std::map<std::string, std::string> labels;
    for (const std::string& line : lines) {
        const std::size_t eq = line.find('=');
        if (eq != std::string::npos) {
            labels[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return labels;
}

}  // namespace pipeline::meta
