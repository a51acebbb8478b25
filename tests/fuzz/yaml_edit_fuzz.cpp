// Fuzzes the byte-exact YAML editor. The first line of the input is `path<TAB>value`, the rest is the
// YAML text. Nothing may crash or hang (alias cycles, deep nesting, a leading ','); errors are usage
// errors or config errors located in the file; a successful edit changes text only from the
// reported position on, reads back as exactly the intended change and is idempotent.
#include "fuzz_check.h"

#include <pipe/bump/yaml_edit.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using pipeline::fuzz::require;

namespace {

constexpr const char* k_origin = "values.yaml";

void require_located(const pipeline::Error& error) {
    require(!error.message.empty());
    if (error.kind == pipeline::ErrorKind::config) {
        require(error.where.rfind(k_origin, 0) == 0);
    } else {
        require(error.kind == pipeline::ErrorKind::usage);
    }
}

std::size_t offset_of(std::string_view text, int line, int column) {
    std::size_t pos = 0;
    for (int current = 1; current < line; ++current) {
        pos = text.find('\n', pos);
        require(pos != std::string_view::npos);
        ++pos;
    }
    return pos + static_cast<std::size_t>(column - 1);
}

void check_edit(std::string_view text, std::string_view path, std::string_view value) {
    pipeline::Result<pipeline::bump::Edit> edit = pipeline::bump::set_scalar(text, path, value, k_origin);
    if (!edit) {
        require_located(edit.error());
        return;
    }
    require(edit->line >= 1 && edit->column >= 1);
    if (!edit->changed) {
        require(edit->text == text);
        require(edit->old_value == value);
        return;
    }
    const std::size_t start = offset_of(text, edit->line, edit->column);
    require(start <= text.size());
    require(edit->text.compare(0, start, text.substr(0, start)) == 0);
    pipeline::Result<std::vector<pipeline::bump::YamlChange>> changed =
        pipeline::bump::yaml_changes(text, edit->text, k_origin);
    require(changed.has_value() && !changed->empty());
    pipeline::Result<pipeline::bump::Edit> again = pipeline::bump::set_scalar(edit->text, path, value, k_origin);
    require(again.has_value() && !again->changed && again->text == edit->text);
}

void check_references(std::string_view text) {
    pipeline::Result<pipeline::bump::MultiEdit> edit =
        pipeline::bump::set_image_references(text, "nginx", "nginx:1.27", k_origin);
    if (!edit) {
        require_located(edit.error());
        return;
    }
    require(!edit->edits.empty());
    pipeline::Result<pipeline::bump::MultiEdit> again =
        pipeline::bump::set_image_references(edit->text, "nginx", "nginx:1.27", k_origin);
    require(again.has_value() && again->text == edit->text);
}

void check_kustomize(std::string_view text) {
    pipeline::Result<pipeline::bump::Edit> edit = pipeline::bump::set_kustomize_image(
        text, "app", std::string("v2"),
        std::string("sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"), k_origin);
    if (!edit) {
        require_located(edit.error());
        return;
    }
    pipeline::Result<std::vector<pipeline::bump::YamlChange>> changed =
        pipeline::bump::yaml_changes(text, edit->text, k_origin);
    require(changed.has_value());
    require(changed->size() <= 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view header = newline == std::string_view::npos ? input : input.substr(0, newline);
    const std::string_view text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    const std::size_t tab = header.find('\t');
    const std::string_view path = tab == std::string_view::npos ? header : header.substr(0, tab);
    const std::string_view value = tab == std::string_view::npos ? std::string_view("x") : header.substr(tab + 1);
    check_edit(text, path, value);
    check_references(text);
    check_kustomize(text);
    pipeline::Result<std::vector<pipeline::bump::YamlChange>> same = pipeline::bump::yaml_changes(text, text, k_origin);
    require(!same || same->empty());
    return 0;
}
