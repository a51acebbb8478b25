#include <pipe/core/file_text.h>

#include <fstream>
#include <iterator>

namespace pipeline {

std::optional<std::string> read_file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace pipeline
