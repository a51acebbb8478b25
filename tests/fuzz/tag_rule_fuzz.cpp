// Fuzzes tag rule reading: any bytes, taken as one line of the `tags` input, must go through the
// action's list reading, rule parsing and template parsing without crashing; a rule that parses
// must carry its type's defaults, and a failure must say what went wrong.
#include "fuzz_check.h"

#include <pipe/meta/input_list.h>
#include <pipe/meta/tag_rule.h>
#include <pipe/meta/template.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using pipeline::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string line(reinterpret_cast<const char*>(data), size);
    pipeline::Result<std::vector<pipeline::meta::InputEntry>> entries = pipeline::meta::read_input_list({line}, "tags");
    if (!entries) {
        require(entries.error().where == "tags[0]" && !entries.error().message.empty());
        return 0;
    }
    for (const pipeline::meta::InputEntry& entry : *entries) {
        pipeline::Result<pipeline::meta::TagRule> rule = pipeline::meta::parse_tag_rule(entry.text);
        if (!rule) {
            require(rule.error().kind == pipeline::ErrorKind::config && !rule.error().message.empty());
            continue;
        }
        require(rule->has("enable") && rule->has("priority"));
        for (const auto& [key, value] : rule->attributes) {
            pipeline::Result<pipeline::meta::Template> parsed = pipeline::meta::Template::parse(value);
            if (parsed) {
                static_cast<void>(parsed->is_single_expression("raw"));
                static_cast<void>(parsed->render(pipeline::meta::TemplateScope{}));
            } else {
                require(!parsed.error().message.empty());
            }
        }
    }
    return 0;
}
