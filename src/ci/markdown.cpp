#include <pipe/ci/markdown.h>

namespace pipeline::ci {

std::string code_spans(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words) {
        if (!text.empty()) {
            text += ' ';
        }
        text += '`' + word + '`';
    }
    return text;
}

}  // namespace pipeline::ci
