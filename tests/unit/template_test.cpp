#include <pipe/meta/template.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using pipeline::Result;
using pipeline::meta::escape_expression;
using pipeline::meta::render_template;
using pipeline::meta::Template;
using pipeline::meta::TemplateScope;

namespace {

TemplateScope scope() {
    TemplateScope s;
    s.properties = {{"raw", "v1.2.3"}, {"major", "1"}};
    s.functions.emplace("branch", std::string("feat/a=b"));
    s.functions.emplace("broken", pipeline::config_error("X", "no value"));
    s.dates.emplace("date", std::chrono::sys_days{std::chrono::year{2020} / 1 / 10} + std::chrono::minutes{30});
    return s;
}

std::string render(const std::string& text) {
    Result<std::string> out = render_template(text, scope());
    if (!out) {
        FAIL(out.error().message);
    }
    return *out;
}

}  // namespace

TEST_CASE("template prints names, escaping them as Handlebars does", "[tags]") {
    CHECK(render("v{{major}}") == "v1");
    CHECK(render("{{ raw }}") == "v1.2.3");
    CHECK(render("{{branch}}") == "feat/a&#x3D;b");
    CHECK(render("{{{branch}}}") == "feat/a=b");
    CHECK(render("{{& branch}}") == "feat/a=b");
    CHECK(render("{{this.raw}}/{{./major}}") == "v1.2.3/1");
    CHECK(render("{{'raw'}}") == "v1.2.3");
    CHECK(escape_expression("&<>\"'`=") == "&amp;&lt;&gt;&quot;&#x27;&#x60;&#x3D;");
}

TEST_CASE("template unknown names print nothing", "[tags]") {
    CHECK(render("a{{nope}}b") == "ab");
    CHECK(render("{{raw.length}}") == "");
    CHECK(render("{{../raw}}") == "");
    CHECK(render("{{@index}}") == "");
    CHECK(render("{{@root.major}}") == "1");
    CHECK(render("{{log}}") == "");
}

TEST_CASE("template comments, escapes and whitespace control", "[tags]") {
    CHECK(render("a{{! note }}b{{!-- }} --}}c") == "abc");
    CHECK(render("a \\{{raw}} {{major}}") == "a {{raw}} 1");
    CHECK(render("a\\\\{{major}}") == "a\\1");
    CHECK(render("a  {{~major~}}  b") == "a1b");
    CHECK(render("{{~! x ~}}  v{{major}}") == "v1");
}

TEST_CASE("template date helpers format with moment tokens", "[tags]") {
    CHECK(render("{{date 'YYYYMMDD'}}") == "20200110");
    CHECK(render("{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}") == "20200110-093000");
    CHECK(render("{{date YYYY-MM-DD}}") == "2020-01-10T00:30:00Z");
    CHECK(render("{{date ''}}") == "2020-01-10T00:30:00Z");
    CHECK(render("{{date \"YYYY=MM\"}}") == "2020&#x3D;01");
}

TEST_CASE("template errors name the construct", "[tags]") {
    for (const std::string text :
         {"{{raw", "{{}}", "{{#if raw}}x{{/if}}", "{{> partial}}", "{{raw 'x'}}", "{{upper raw}}", "{{date}}",
          "{{date 'Y' zone='UTC'}}", "{{date 5}}", "{{date 'Y' tz=''}}", "{{else}}", "{{raw (x)}}", "{{broken}}",
          "{{{raw}}", "{{raw}}}", "{{a.}}", "{{if raw}}", "{{! open"}) {
        CAPTURE(text);
        CHECK_FALSE(render_template(text, scope()));
    }
}

TEST_CASE("template recognises a lone expression", "[tags]") {
    const auto single = [](const std::string& text) {
        Result<Template> parsed = Template::parse(text);
        return parsed && parsed->is_single_expression("raw");
    };
    CHECK(single("{{raw}}"));
    CHECK(single("{{ raw }}"));
    CHECK(single("{{ raw}}"));
    CHECK(single("{{{raw}}}"));
    CHECK_FALSE(single("{{ raw }}.{{ version }}"));
    CHECK_FALSE(single("{{ version }},{{raw }."));
    CHECK_FALSE(single("v{{raw}}"));
    CHECK_FALSE(single("{{raw~}} "));
    CHECK_FALSE(single("{{version}}"));
}
