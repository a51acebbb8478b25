#include <pipe/meta/csv_record.h>
#include <pipe/meta/input_list.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using pipeline::meta::CsvOptions;
using pipeline::meta::CsvRecord;
using pipeline::meta::parse_csv;
using pipeline::meta::read_input_list;

namespace {

std::vector<CsvRecord> records(const std::string& text, CsvOptions options = {}) {
    pipeline::Result<std::vector<CsvRecord>> parsed = parse_csv(text, options);
    if (!parsed) {
        FAIL(parsed.error().message);
    }
    return *parsed;
}

}  // namespace

TEST_CASE("csv splits fields at commas and reads quoted fields", "[tags]") {
    CHECK(records("type=ref,event=branch") == std::vector<CsvRecord>{{"type=ref", "event=branch"}});
    CHECK(records(R"(type=match,"pattern=\d{1,3}",group=1)") ==
          std::vector<CsvRecord>{{"type=match", R"(pattern=\d{1,3})", "group=1"}});
    CHECK(records(R"("a""b",c)") == std::vector<CsvRecord>{{"a\"b", "c"}});
    CHECK(records("a,,") == std::vector<CsvRecord>{{"a", "", ""}});
    CHECK(records("").empty());
    CHECK(records("a\n\nb\r\nc") == std::vector<CsvRecord>{{"a"}, {"b\r"}, {"c"}});
}

TEST_CASE("csv strict quotes fail where csv-parse fails", "[tags]") {
    CHECK_FALSE(parse_csv(R"(value=a"b)", {}));
    CHECK_FALSE(parse_csv(R"("abc"def)", {}));
    CHECK_FALSE(parse_csv(R"("open)", {}));
}

TEST_CASE("csv relaxed quotes keep stray quotes as text", "[tags]") {
    const CsvOptions relaxed{.relax_quotes = true};
    CHECK(records(R"(description=a "good" example)", relaxed) ==
          std::vector<CsvRecord>{{R"(description=a "good" example)"}});
    CHECK(records(R"("abc"def,x)", relaxed) == std::vector<CsvRecord>{{"\"abcdef", "x"}});
    CHECK_FALSE(parse_csv(R"("open)", relaxed));
}

TEST_CASE("csv comments only open a record", "[tags]") {
    const CsvOptions comments{.relax_quotes = true, .comments = true};
    CHECK(records("# a comment\nx", comments) == std::vector<CsvRecord>{{"x"}});
    CHECK(records("value=foo#bar", comments) == std::vector<CsvRecord>{{"value=foo#bar"}});
    CHECK(records(" # indented", comments) == std::vector<CsvRecord>{{" # indented"}});
}

TEST_CASE("input lists lose one level of quotes and keep line numbers", "[tags]") {
    pipeline::Result<std::vector<pipeline::meta::InputEntry>> entries = read_input_list(
        {"#comment", R"(type=match,"pattern=\d{1,3}",group=1)", "  type=sha  ", R"(type=raw,"""value=a,b""")"}, "tags");
    REQUIRE(entries);
    REQUIRE(entries->size() == 3);
    CHECK((*entries)[0].line == 1);
    CHECK((*entries)[0].text == R"(type=match,pattern=\d{1,3},group=1)");
    CHECK((*entries)[1].text == "type=sha");
    CHECK((*entries)[2].text == R"(type=raw,"value=a,b")");
    pipeline::Result<std::vector<pipeline::meta::InputEntry>> broken =
        read_input_list({"ok", R"(type=raw,"x)"}, "tags");
    REQUIRE_FALSE(broken);
    CHECK(broken.error().where == "tags[1]");
}
