// GitHub Actions workflow commands written to a log stream (`::group::`, `::endgroup::`), so
// long tool output folds into one expandable section of the job log.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::ci {

// Escapes a workflow command's message as @actions/core does: % -> %25, CR -> %0D, LF -> %0A,
// so a title can never end the command early or start another one.
std::string escape_command_data(std::string_view text);

// `::error title=<title>::<message>`: an error annotation on the run's summary page.
std::string error_annotation(std::string_view title, std::string_view message);

// `::group::<title>`: the following log lines fold under title until group_end().
std::string group_start(std::string_view title);

// `::endgroup::`: ends the section group_start() began.
std::string group_end();

}  // namespace pipeline::ci
