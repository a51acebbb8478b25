#include <pipe/core/file_text.h>
#include <pipe/scan/ignore_file.h>

#include <pipe/tools/context_ignore.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

namespace pipeline::scan {
namespace {

bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return false;
    }
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    const int month = (text[5] - '0') * 10 + (text[6] - '0');
    const int day = (text[8] - '0') * 10 + (text[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string position(const std::string& file, const YAML::Mark& mark) {
    return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

Result<std::vector<std::string>> string_list(const YAML::Node& node, const std::string& file, const char* key) {
    std::vector<std::string> values;
    if (!node) {
        return values;
    }
    if (!node.IsSequence()) {
        return config_error(position(file, node.Mark()), fmt::format("'{}' must be a list of strings", key));
    }
    for (const YAML::Node& item : node) {
        if (!item.IsScalar()) {
            return config_error(position(file, item.Mark()), fmt::format("'{}' must be a list of strings", key));
        }
        values.push_back(item.Scalar());
    }
    return values;
}

}  // namespace

Result<std::vector<IgnoreEntry>> parse_plain_ignore(std::string_view text, const std::string& file) {
    std::vector<IgnoreEntry> entries;
    std::istringstream in{std::string(text)};
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        std::istringstream fields(line);
        std::string id;
        fields >> id;
        if (id.empty() || id.front() == '#') {
            continue;
        }
        IgnoreEntry entry;
        entry.id = id;
        entry.where = fmt::format("{}:{}", file, number);
        for (std::string field; fields >> field;) {
            if (field.rfind("exp:", 0) == 0) {
                entry.expires = field.substr(4);
                if (!is_date(entry.expires)) {
                    return config_error(entry.where, fmt::format("'{}' is not a date", field),
                                        "write exp:YYYY-MM-DD (the entry stops ignoring after that day)");
                }
            }
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

Result<std::vector<IgnoreEntry>> parse_yaml_ignore(std::string_view text, const std::string& file) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& error) {
        return config_error(position(file, error.mark), fmt::format("invalid YAML: {}", error.msg),
                            "fix the ignore file's syntax");
    }
    std::vector<IgnoreEntry> entries;
    if (root.IsNull()) {
        return entries;
    }
    if (!root.IsMap()) {
        return config_error(position(file, root.Mark()), "the ignore file must be a map",
                            "top-level keys: vulnerabilities, misconfigurations, secrets, licenses");
    }
    const std::vector<std::pair<std::string, std::optional<FindingKind>>> sections{
        {"vulnerabilities", FindingKind::vulnerability},
        {"misconfigurations", FindingKind::misconfiguration},
        {"secrets", FindingKind::secret},
        {"licenses", std::nullopt}};
    for (const auto& entry : root) {
        const std::string key = entry.first.Scalar();
        auto section = std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.first == key; });
        if (section == sections.end()) {
            return config_error(position(file, entry.first.Mark()), fmt::format("unknown key '{}'", key),
                                "top-level keys: vulnerabilities, misconfigurations, secrets, licenses");
        }
        if (!section->second) {
            continue;  // pipe runs no license scanner
        }
        if (!entry.second.IsSequence()) {
            return config_error(position(file, entry.second.Mark()), fmt::format("'{}' must be a list", key));
        }
        for (const YAML::Node& item : entry.second) {
            if (!item.IsMap() || !item["id"] || !item["id"].IsScalar()) {
                return config_error(position(file, item.Mark()), fmt::format("each entry of '{}' needs an id", key),
                                    "write e.g. - id: CVE-2024-1234");
            }
            IgnoreEntry parsed;
            parsed.kind = section->second;
            parsed.id = item["id"].Scalar();
            parsed.where = position(file, item.Mark());
            Result<std::vector<std::string>> paths = string_list(item["paths"], file, "paths");
            if (!paths) {
                return paths.error();
            }
            parsed.paths = std::move(*paths);
            Result<std::vector<std::string>> purls = string_list(item["purls"], file, "purls");
            if (!purls) {
                return purls.error();
            }
            parsed.purls = std::move(*purls);
            if (item["expired_at"]) {
                parsed.expires = item["expired_at"].Scalar();
                if (!is_date(parsed.expires)) {
                    return config_error(position(file, item["expired_at"].Mark()),
                                        fmt::format("expired_at '{}' is not a date", parsed.expires),
                                        "write expired_at: YYYY-MM-DD");
                }
            }
            if (item["statement"]) {
                parsed.statement = item["statement"].Scalar();
            }
            entries.push_back(std::move(parsed));
        }
    }
    return entries;
}

Result<std::vector<IgnoreEntry>> load_ignore_file(const std::filesystem::path& path, const std::string& shown) {
    std::optional<std::string> text = read_file_text(path);
    if (!text) {
        return config_error(shown, fmt::format("the ignore file {} does not exist or cannot be read", path.string()),
                            "create it, fix the path, or drop the setting (Trivy would silently scan without it)");
    }
    const std::string extension = path.extension().string();
    if (extension == ".yml" || extension == ".yaml") {
        return parse_yaml_ignore(*text, path.string());
    }
    return parse_plain_ignore(*text, path.string());
}

bool ignore_matches(const IgnoreEntry& entry, const Finding& finding) {
    if (entry.id != finding.id || (entry.kind && *entry.kind != finding.kind)) {
        return false;
    }
    if (!entry.purls.empty() && std::find(entry.purls.begin(), entry.purls.end(), finding.purl) == entry.purls.end()) {
        return false;
    }
    if (!entry.paths.empty()) {
        const std::string& path = finding.path.empty() ? finding.target : finding.path;
        return std::any_of(entry.paths.begin(), entry.paths.end(),
                           [&](const std::string& glob) { return tools::glob_matches(glob, path); });
    }
    return true;
}

}  // namespace pipeline::scan
