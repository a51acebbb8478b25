#include <pipe/meta/input_list.h>

#include <pipe/meta/csv_record.h>

#include "js_string.h"

#include <fmt/format.h>

namespace pipeline::meta {
Result<std::vector<InputEntry>> read_input_list(const std::vector<std::string>& lines, std::string_view input) {
    std::vector<InputEntry> entries;
    const CsvOptions options{.relax_quotes = true, .comments = true};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        Result<std::vector<CsvRecord>> records = parse_csv(lines[i], options);
        if (!records) {
            return config_error(fmt::format("{}[{}]", input, i),
                                fmt::format("{} in \"{}\"", records.error().message, lines[i]),
                                "close the quote, or double a quote that is part of the text");
        }
        for (const CsvRecord& record : *records) {
            std::string joined = fmt::format("{}", fmt::join(record, ","));
            if (!joined.empty()) {
                entries.push_back(InputEntry{i, js_trim(joined)});
            }
        }
    }
    return entries;
}

}  // namespace pipeline::meta
