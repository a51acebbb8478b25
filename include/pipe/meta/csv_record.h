// The part of the csv-parse library that docker/metadata-action relies on: every input list and
// every `tags`, `flavor` and `images` line goes through it, and its quote rules decide what a
// rule line means, so they are reproduced rather than approximated.
#pragma once

#include <pipe/core/result.h>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::meta {

// The two ways metadata-action configures the parser.
struct CsvOptions {
    bool relax_quotes = false;  // a '"' inside an unquoted field is kept as text instead of failing
    bool comments = false;      // a '#' opening a record turns the rest of that line into a comment
};

// The fields of one record.
using CsvRecord = std::vector<std::string>;

// Splits text into records of ','-separated fields. A field opening with '"' is quoted ('""'
// inside it is one quote); records end at the first line ending style seen (\r\n, \n or \r);
// empty lines and comment lines produce no record. Errors (an unclosed quote, a stray quote in
// strict mode) carry only a message; callers add where it happened.
Result<std::vector<CsvRecord>> parse_csv(std::string_view text, const CsvOptions& options);

}  // namespace pipeline::meta
