#include <pipe/config/loader.h>
#include <pipe/core/file_text.h>

#include <pipe/core/suggest.h>
#include <pipe/core/timestamp.h>
#include <pipe/core/yaml_kind.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

namespace pipeline::config {
namespace {

const std::vector<std::string> k_service_keys{"image", "tags",  "flavor",   "labels", "context",
                                              "file",  "build", "registry", "bump"};
const std::vector<std::string> k_top_keys{"image",    "tags", "flavor", "labels", "context", "file", "build",
                                          "registry", "scan", "sign",   "verify", "bump",    "test", "services"};
const std::vector<std::string> k_test_keys{"command", "env", "coverage", "timeout"};
const std::vector<std::string> k_registry_keys{"insecure", "ca_file"};
const std::vector<std::string> k_scan_keys{"severity", "ignore_unfixed", "ignore_file",
                                           "scanners", "timeout",        "max_db_age"};
const std::vector<std::string> k_sign_keys{"key", "tlog_upload", "recursive", "attest"};
const std::vector<std::string> k_verify_keys{"key", "certificate_identity", "certificate_identity_regexp",
                                             "certificate_oidc_issuer"};
const std::vector<std::string> k_bump_keys{"repo",       "url",    "file",      "key",       "kustomize", "image",
                                           "digest_key", "base",   "branch",    "supersede", "message",   "title",
                                           "body",       "labels", "reviewers", "draft",     "auto_merge"};
const std::vector<std::string> k_build_keys{"args",       "target",   "platforms",   "layers",
                                            "cache_from", "cache_to", "annotations", "storage_driver",
                                            "isolation",  "root",     "runroot"};

std::string position(const std::string& file, const YAML::Mark& mark) {
    return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

std::string joined(const std::vector<std::string>& words) {
    return fmt::format("{}", fmt::join(words, ", "));
}

Error unknown_key(const std::string& where, const std::string& key, const std::vector<std::string>& allowed) {
    std::string hint;
    if (auto guess = closest_match(key, allowed)) {
        hint = fmt::format("did you mean '{}'? ", *guess);
    }
    hint += "allowed keys: " + joined(allowed);
    return config_error(where, fmt::format("unknown key '{}'", key), hint);
}

// Reads one string value; records its origin.
Result<std::string> read_string(const YAML::Node& node, const std::string& file, const std::string& key) {
    if (!node.IsScalar()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'{}' must be a string, not {}", key, yaml_kind(node)));
    }
    return node.Scalar();
}

// True for an unquoted flow-list item like `format=long`: an attribute of a tag rule that YAML
// split off at a comma, which metadata-action would never accept as a rule of its own.
bool split_rule_fragment(const YAML::Node& item) {
    static const std::vector<std::string> k_attributes{"format", "prefix",   "suffix", "value", "pattern", "event",
                                                       "enable", "priority", "group",  "match", "branch"};
    if (item.Tag() != "?") {
        return false;
    }
    const std::string& text = item.Scalar();
    std::size_t eq = text.find('=');
    return eq != std::string::npos &&
           std::find(k_attributes.begin(), k_attributes.end(), text.substr(0, eq)) != k_attributes.end();
}

// Reads a list given as a YAML sequence of strings or as a metadata-action style block string.
Result<void> read_list(const YAML::Node& node, const std::string& file, const std::string& key,
                       std::vector<std::string>& values, std::map<std::string, std::string>& origins) {
    values.clear();
    origins[key] = position(file, node.Mark());
    if (node.IsNull()) {
        return {};
    }
    if (node.IsScalar()) {
        values = split_list(node.Scalar());
        return {};
    }
    if (!node.IsSequence()) {
        return config_error(
            position(file, node.Mark()),
            fmt::format("'{}' must be a list of strings or a multi-line string, not {}", key, yaml_kind(node)));
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        if (!item.IsScalar()) {
            return config_error(position(file, item.Mark()),
                                fmt::format("'{}[{}]' must be a string, not {}", key, i, yaml_kind(item)));
        }
        if (key == "tags" && i > 0 && node.Style() == YAML::EmitterStyle::Flow && split_rule_fragment(item)) {
            return config_error(position(file, item.Mark()),
                                fmt::format("'{}' is a fragment of the tag rule before it: in a [flow list] commas "
                                            "separate items",
                                            item.Scalar()),
                                "quote each rule, e.g. ['type=sha,format=long'], or use a block list (- type=...)");
        }
        origins[fmt::format("{}[{}]", key, values.size())] = position(file, item.Mark());
        values.push_back(item.Scalar());
    }
    return {};
}

// Reads `build.args`: a map from argument name to a scalar value, merged by name over the
// defaults so a service adds or replaces single arguments.
Result<void> read_build_args(config::BuildConfig& build, const YAML::Node& node, const std::string& file,
                             std::map<std::string, std::string>& origins) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsMap()) {
        return config_error(
            position(file, node.Mark()),
            fmt::format("'build.args' must be a map from argument name to value, not {}", yaml_kind(node)),
            "e.g. build:\\n  args:\\n    GO_VERSION: \"1.22\"");
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (name.empty() || name.find('=') != std::string::npos) {
            return config_error(where, fmt::format("invalid build argument name '{}'", name),
                                "a name is a word without '=', e.g. GO_VERSION");
        }
        if (!seen.insert(name).second) {
            return config_error(where, fmt::format("duplicate build argument '{}'", name),
                                "keep one of the two entries");
        }
        if (!entry.second.IsScalar()) {
            return config_error(
                position(file, entry.second.Mark()),
                fmt::format("build argument '{}' must have a string value, not {}", name, yaml_kind(entry.second)),
                "quote the value, e.g. GO_VERSION: \"1.22\"");
        }
        build.args[name] = entry.second.Scalar();
        origins["build.args." + name] = position(file, entry.second.Mark());
    }
    return {};
}

// Reads a list under `build:`; platforms also accept buildah's comma-separated form.
Result<void> read_build_list(ServiceConfig& service, const std::string& key, const YAML::Node& node,
                             const std::string& file, std::vector<std::string>& values) {
    const std::string path = "build." + key;
    service.set_origin(path, position(file, node.Mark()));
    if (auto read = read_list(node, file, path, values, service.origins); !read) {
        return read;
    }
    if (key == "platforms") {
        std::vector<std::string> split;
        std::map<std::string, std::string> item_origins;
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::string origin = service.origin_of(fmt::format("{}[{}]", path, i));
            std::istringstream parts(values[i]);
            for (std::string part; std::getline(parts, part, ',');) {
                item_origins[fmt::format("{}[{}]", path, split.size())] = origin;
                split.push_back(part);
            }
        }
        values = std::move(split);
        service.set_origin(path, position(file, node.Mark()));
        service.origins.insert(item_origins.begin(), item_origins.end());
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::string item = fmt::format("{}[{}]", path, i);
        if (auto valid = validate_build_value(key, values[i], service.origin_of(item)); !valid) {
            return valid;
        }
    }
    return {};
}

// Reads `build:` of a service or of the top-level defaults, key by key over what is there.
Result<void> read_build(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsMap()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'build' must be a map of settings, not {}", yaml_kind(node)),
                            "allowed keys: " + joined(k_build_keys));
    }
    config::BuildConfig& build = service.build;
    std::set<std::string> seen;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (std::find(k_build_keys.begin(), k_build_keys.end(), key) == k_build_keys.end()) {
            return unknown_key(where, key, k_build_keys);
        }
        if (!seen.insert(key).second) {
            return config_error(where, fmt::format("duplicate key '{}'", key), "keep one of the two entries");
        }
        const YAML::Node& value = entry.second;
        if (key == "args") {
            if (auto read = read_build_args(build, value, file, service.origins); !read) {
                return read;
            }
            continue;
        }
        if (key == "platforms" || key == "cache_from" || key == "cache_to" || key == "annotations") {
            std::vector<std::string>& target = key == "platforms"    ? build.platforms
                                               : key == "cache_from" ? build.cache_from
                                               : key == "cache_to"   ? build.cache_to
                                                                     : build.annotations;
            if (auto read = read_build_list(service, key, value, file, target); !read) {
                return read;
            }
            continue;
        }
        const std::string path = "build." + key;
        Result<std::string> text = read_string(value, file, path);
        if (!text) {
            return text.error();
        }
        const std::string at = position(file, value.Mark());
        service.origins[path] = at;
        if (key == "layers") {
            if (*text != "true" && *text != "false") {
                return config_error(at, fmt::format("'build.layers' must be true or false, not '{}'", *text));
            }
            build.layers = *text == "true";
            continue;
        }
        if (auto valid = validate_build_value(key, *text, at); !valid) {
            return valid;
        }
        std::string& target = key == "target"           ? build.target
                              : key == "storage_driver" ? build.storage_driver
                              : key == "isolation"      ? build.isolation
                              : key == "root"           ? build.root
                                                        : build.runroot;
        target = *text;
    }
    return {};
}

// Reads a map of scalar settings (`registry:`, `scan:`) key by key over what is there; apply
// stores one value (given its key path and position) or returns the error for a bad one.
Result<void> read_settings(
    ServiceConfig& service, const std::string& section, const std::vector<std::string>& keys, const YAML::Node& node,
    const std::string& file,
    const std::function<Result<void>(const std::string&, const std::string&, const std::string&)>& apply) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsMap()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'{}' must be a map of settings, not {}", section, yaml_kind(node)),
                            "allowed keys: " + joined(keys));
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            return unknown_key(where, key, keys);
        }
        if (!seen.insert(key).second) {
            return config_error(where, fmt::format("duplicate key '{}'", key), "keep one of the two entries");
        }
        const std::string path = fmt::format("{}.{}", section, key);
        Result<std::string> text = read_string(entry.second, file, path);
        if (!text) {
            return text.error();
        }
        const std::string at = position(file, entry.second.Mark());
        service.origins[path] = at;
        if (auto applied = apply(key, *text, at); !applied) {
            return applied;
        }
    }
    return {};
}

Result<bool> read_bool(const std::string& path, const std::string& text, const std::string& at) {
    if (text != "true" && text != "false") {
        return config_error(at, fmt::format("'{}' must be true or false, not '{}'", path, text));
    }
    return text == "true";
}

Result<void> read_registry(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    return read_settings(service, "registry", k_registry_keys, node, file,
                         [&](const std::string& key, const std::string& text, const std::string& at) -> Result<void> {
                             if (key == "insecure") {
                                 Result<bool> value = read_bool("registry.insecure", text, at);
                                 if (!value) {
                                     return value.error();
                                 }
                                 service.registry.insecure = *value;
                             } else {
                                 service.registry.ca_file = text;
                             }
                             return {};
                         });
}

Result<void> read_scan(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    return read_settings(service, "scan", k_scan_keys, node, file,
                         [&](const std::string& key, const std::string& text, const std::string& at) -> Result<void> {
                             ScanConfig& scan = service.scan;
                             if (key == "ignore_unfixed") {
                                 Result<bool> value = read_bool("scan.ignore_unfixed", text, at);
                                 if (!value) {
                                     return value.error();
                                 }
                                 scan.ignore_unfixed = *value;
                                 return {};
                             }
                             std::string& target = key == "severity"      ? scan.severity
                                                   : key == "ignore_file" ? scan.ignore_file
                                                   : key == "scanners"    ? scan.scanners
                                                   : key == "timeout"     ? scan.timeout
                                                                          : scan.max_db_age;
                             target = text;
                             return {};
                         });
}

Result<void> read_sign(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    return read_settings(service, "sign", k_sign_keys, node, file,
                         [&](const std::string& key, const std::string& text, const std::string& at) -> Result<void> {
                             SignConfig& sign = service.sign;
                             if (key == "tlog_upload" || key == "recursive") {
                                 Result<bool> value = read_bool("sign." + key, text, at);
                                 if (!value) {
                                     return value.error();
                                 }
                                 (key == "recursive" ? sign.recursive : sign.tlog_upload) = *value;
                                 return {};
                             }
                             (key == "key" ? sign.key : sign.attest) = text;
                             return {};
                         });
}

Result<void> read_verify(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    return read_settings(service, "verify", k_verify_keys, node, file,
                         [&](const std::string& key, const std::string& text, const std::string&) -> Result<void> {
                             VerifyConfig& verify = service.verify;
                             std::string& target = key == "key"                    ? verify.key
                                                   : key == "certificate_identity" ? verify.certificate_identity
                                                   : key == "certificate_identity_regexp"
                                                       ? verify.certificate_identity_regexp
                                                       : verify.certificate_oidc_issuer;
                             target = text;
                             return {};
                         });
}

// Reads one `bump:` entry (a map) into target.
Result<void> read_bump_entry(config::BumpTarget& target, const YAML::Node& node, const std::string& file,
                             const std::string& path) {
    if (!node.IsMap()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'{}' must be a map, not {}", path, yaml_kind(node)),
                            "e.g. {repo: acme/k8s-config, file: apps/payments/values.yaml, key: image.tag}");
    }
    target.origin = position(file, node.Mark());
    std::set<std::string> seen;
    std::map<std::string, std::string> origins;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (std::find(k_bump_keys.begin(), k_bump_keys.end(), key) == k_bump_keys.end()) {
            return unknown_key(where, key, k_bump_keys);
        }
        if (!seen.insert(key).second) {
            return config_error(where, fmt::format("duplicate key '{}'", key), "keep one of the two entries");
        }
        const std::string key_path = fmt::format("{}.{}", path, key);
        if (key == "file" || key == "labels" || key == "reviewers") {
            std::vector<std::string>& list = key == "file"     ? target.files
                                             : key == "labels" ? target.labels
                                                               : target.reviewers;
            if (auto read = read_list(entry.second, file, key_path, list, origins); !read) {
                return read;
            }
            continue;
        }
        Result<std::string> text = read_string(entry.second, file, key_path);
        if (!text) {
            return text.error();
        }
        const std::string at = position(file, entry.second.Mark());
        if (key == "kustomize" || key == "supersede" || key == "draft" || key == "auto_merge") {
            Result<bool> value = read_bool(key_path, *text, at);
            if (!value) {
                return value.error();
            }
            (key == "kustomize"   ? target.kustomize
             : key == "supersede" ? target.supersede
             : key == "draft"     ? target.draft
                                  : target.auto_merge) = *value;
            continue;
        }
        std::string& value = key == "repo"         ? target.repo
                             : key == "url"        ? target.url
                             : key == "key"        ? target.key
                             : key == "image"      ? target.image
                             : key == "digest_key" ? target.digest_key
                             : key == "base"       ? target.base
                             : key == "branch"     ? target.branch
                             : key == "message"    ? target.message
                             : key == "title"      ? target.title
                                                   : target.body;
        value = *text;
    }
    if (target.repo.empty() == target.url.empty()) {
        return config_error(target.origin,
                            fmt::format("'{}' needs exactly one of repo (GitHub owner/name) or url", path));
    }
    if (target.files.empty()) {
        return config_error(target.origin, fmt::format("'{}' needs file: the path(s) to update", path));
    }
    const int modes = static_cast<int>(!target.key.empty()) + static_cast<int>(target.kustomize) +
                      static_cast<int>(!target.image.empty());
    if (modes != 1) {
        return config_error(target.origin, fmt::format("'{}' needs exactly one of key, kustomize or image", path),
                            "key: image.tag (a YAML path), kustomize: true, or image: ghcr.io/acme/app");
    }
    return {};
}

Result<void> read_bump(ServiceConfig& service, const YAML::Node& node, const std::string& file) {
    service.bump.clear();
    if (node.IsNull()) {
        return {};
    }
    if (node.IsMap()) {
        service.bump.emplace_back();
        return read_bump_entry(service.bump.back(), node, file, "bump");
    }
    if (!node.IsSequence()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'bump' must be a list of maps, not {}", yaml_kind(node)));
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        service.bump.emplace_back();
        if (auto read = read_bump_entry(service.bump.back(), node[i], file, fmt::format("bump[{}]", i)); !read) {
            return read;
        }
    }
    return {};
}

// Applies one key of a service (or of the top-level defaults) to service.
Result<void> apply_key(ServiceConfig& service, const std::string& key, const YAML::Node& value,
                       const std::string& file) {
    if (key == "image") {
        if (value.IsScalar()) {
            service.images = {value.Scalar()};
            service.origins["image"] = position(file, value.Mark());
            service.origins["image[0]"] = service.origins["image"];
            return {};
        }
        return read_list(value, file, "image", service.images, service.origins);
    }
    if (key == "tags") {
        std::vector<std::string> tags;
        if (auto read = read_list(value, file, "tags", tags, service.origins); !read) {
            return read;
        }
        service.tags = std::move(tags);
        return {};
    }
    if (key == "flavor") {
        return read_list(value, file, "flavor", service.flavor, service.origins);
    }
    if (key == "build") {
        return read_build(service, value, file);
    }
    if (key == "registry") {
        return read_registry(service, value, file);
    }
    if (key == "scan") {
        return read_scan(service, value, file);
    }
    if (key == "sign") {
        return read_sign(service, value, file);
    }
    if (key == "verify") {
        return read_verify(service, value, file);
    }
    if (key == "bump") {
        return read_bump(service, value, file);
    }
    if (key == "labels") {
        if (auto read = read_list(value, file, "labels", service.labels, service.origins); !read) {
            return read;
        }
        for (std::size_t i = 0; i < service.labels.size(); ++i) {
            if (service.labels[i].find('=') == std::string::npos) {
                return config_error(service.origin_of(fmt::format("labels[{}]", i)),
                                    fmt::format("label '{}' has no '='", service.labels[i]),
                                    "write labels as key=value, e.g. org.opencontainers.image.vendor=Acme");
            }
        }
        return {};
    }
    Result<std::string> text = read_string(value, file, key);
    if (!text) {
        return text.error();
    }
    service.origins[key] = position(file, value.Mark());
    if (key == "context") {
        service.context = *text;
    } else {
        service.file = *text;
    }
    return {};
}

// Checks the keys of a map against allowed and applies them in file order (`services` is
// handled by the caller).
Result<void> apply_map(ServiceConfig& service, const YAML::Node& map, const std::string& file,
                       const std::vector<std::string>& allowed) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
        const std::string key = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (key == "test" && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return config_error(where, "'test' belongs to the whole repository, not to a service",
                                "move the test: section to the top level of the file");
        }
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return unknown_key(where, key, allowed);
        }
        if (!seen.insert(key).second) {
            return config_error(where, fmt::format("duplicate key '{}'", key), "keep one of the two entries");
        }
        if (key == "services" || key == "test") {
            continue;
        }
        if (auto applied = apply_key(service, key, entry.second, file); !applied) {
            return applied;
        }
    }
    return {};
}

// Reads `test.command`: a list is the runner's argv, a string a shell command the user wrote.
Result<void> read_test_command(TestConfig& test, const YAML::Node& node, const std::string& file) {
    const std::string at = position(file, node.Mark());
    test.origins["command"] = at;
    if (node.IsScalar()) {
        if (node.Scalar().find_first_not_of(" \t\r\n") == std::string::npos) {
            return config_error(at, "'test.command' must not be empty",
                                "remove the key to detect the tests, or write e.g. command: [make, check]");
        }
        test.command = {node.Scalar()};
        test.shell = true;
        return {};
    }
    if (!node.IsSequence()) {
        return config_error(at,
                            fmt::format("'test.command' must be a list (argv) or a string, not {}", yaml_kind(node)),
                            "e.g. command: [make, check] or command: \"make check && make lint\"");
    }
    std::vector<std::string> argv;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        if (!item.IsScalar()) {
            return config_error(position(file, item.Mark()),
                                fmt::format("'test.command[{}]' must be a string, not {}", i, yaml_kind(item)),
                                "write each argument as a string, e.g. command: [make, check]");
        }
        argv.push_back(item.Scalar());
    }
    if (argv.empty() || argv.front().empty()) {
        return config_error(at, "'test.command' needs a program as its first item", "e.g. command: [make, check]");
    }
    test.command = std::move(argv);
    test.shell = false;
    return {};
}

// Reads `test.env`: a map from variable name to a scalar value.
Result<void> read_test_env(TestConfig& test, const YAML::Node& node, const std::string& file) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsMap()) {
        return config_error(
            position(file, node.Mark()),
            fmt::format("'test.env' must be a map from variable name to value, not {}", yaml_kind(node)),
            "e.g. env: {CI: \"true\"}");
    }
    for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (name.empty() || name.find('=') != std::string::npos) {
            return config_error(where, fmt::format("invalid variable name '{}'", name),
                                "a name is a word without '=', e.g. GOFLAGS");
        }
        if (test.env.count(name) != 0) {
            return config_error(where, fmt::format("duplicate variable '{}'", name), "keep one of the two entries");
        }
        if (!entry.second.IsScalar()) {
            return config_error(
                position(file, entry.second.Mark()),
                fmt::format("variable '{}' must have a string value, not {}", name, yaml_kind(entry.second)),
                "quote the value, e.g. CI: \"true\"");
        }
        test.env[name] = entry.second.Scalar();
        test.origins["env." + name] = position(file, entry.second.Mark());
    }
    return {};
}

// Reads the top-level `test:` section.
Result<void> read_test(TestConfig& test, const YAML::Node& node, const std::string& file) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsMap()) {
        return config_error(position(file, node.Mark()),
                            fmt::format("'test' must be a map of settings, not {}", yaml_kind(node)),
                            "allowed keys: " + joined(k_test_keys));
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        const std::string where = position(file, entry.first.Mark());
        if (std::find(k_test_keys.begin(), k_test_keys.end(), key) == k_test_keys.end()) {
            return unknown_key(where, key, k_test_keys);
        }
        if (!seen.insert(key).second) {
            return config_error(where, fmt::format("duplicate key '{}'", key), "keep one of the two entries");
        }
        const YAML::Node& value = entry.second;
        if (key == "command") {
            if (auto read = read_test_command(test, value, file); !read) {
                return read;
            }
            continue;
        }
        if (key == "env") {
            if (auto read = read_test_env(test, value, file); !read) {
                return read;
            }
            continue;
        }
        Result<std::string> text = read_string(value, file, "test." + key);
        if (!text) {
            Error error = text.error();
            error.hint = key == "coverage" ? "e.g. coverage: coverage.out" : "e.g. timeout: 20m";
            return error;
        }
        const std::string at = position(file, value.Mark());
        test.origins[key] = at;
        if (text->empty()) {
            return config_error(at, fmt::format("'test.{}' must not be empty", key), "remove the key instead");
        }
        if (key == "coverage") {
            test.coverage = *text;
            continue;
        }
        std::optional<std::chrono::seconds> timeout = parse_duration(*text);
        if (!timeout || timeout->count() == 0) {
            return config_error(at, fmt::format("invalid duration '{}' for 'test.timeout'", *text),
                                "write a number and a unit: s, m, h or d, e.g. 30m");
        }
        test.timeout = *timeout;
    }
    return {};
}

bool valid_service_name(const std::string& name) {
    if (name.empty() || name.size() > 63) {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return name.front() != '-' && name.front() != '.';
}

Result<YAML::Node> parse_yaml(std::string_view text, const std::string& file) {
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        return config_error(position(file, e.mark), "invalid YAML: " + e.msg,
                            "check indentation and quoting near that position");
    } catch (const YAML::Exception& e) {
        return config_error(file, std::string("invalid YAML: ") + e.what());
    }
}

// A choice among known words, with "did you mean" for a near miss.
Result<void> check_choice(const std::string& key, const std::string& value, const std::vector<std::string>& choices,
                          const std::string& where) {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) {
        return {};
    }
    std::string hint;
    if (auto guess = closest_match(value, choices)) {
        hint = fmt::format("did you mean '{}'? ", *guess);
    }
    return config_error(where, fmt::format("unknown {} '{}'", key, value), hint + "choose one of: " + joined(choices));
}

bool platform_word(std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

}  // namespace

Result<void> validate_build_value(const std::string& key, const std::string& value, const std::string& where) {
    if (key == "isolation") {
        return check_choice("isolation", value, isolation_modes(), where);
    }
    if (key == "storage_driver") {
        return check_choice("storage driver", value, storage_drivers(), where);
    }
    if (key == "platforms") {
        std::vector<std::string> parts;
        std::istringstream words(value);
        for (std::string part; std::getline(words, part, '/');) {
            parts.push_back(part);
        }
        bool valid = (parts.size() == 2 || parts.size() == 3) && value.back() != '/' &&
                     std::all_of(parts.begin(), parts.end(), platform_word);
        if (!valid) {
            return config_error(where, fmt::format("invalid platform '{}'", value),
                                "write os/arch or os/arch/variant in lowercase, e.g. linux/amd64 or linux/arm64/v8");
        }
        return {};
    }
    if (key == "annotations" && (value.find('=') == std::string::npos || value.front() == '=')) {
        return config_error(where, fmt::format("annotation '{}' has no key=value form", value),
                            "write annotations as key=value, e.g. org.opencontainers.image.title=api");
    }
    if ((key == "target" || key == "root" || key == "runroot") && value.empty()) {
        return config_error(where, fmt::format("'build.{}' must not be empty", key),
                            "remove the key to use the default");
    }
    return {};
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        std::size_t begin = line.find_first_not_of(" \t\r");
        std::size_t end = line.find_last_not_of(" \t\r");
        if (begin == std::string::npos || line[begin] == '#') {
            continue;
        }
        items.push_back(line.substr(begin, end - begin + 1));
    }
    return items;
}

Result<Config> parse_config(std::string_view text, const std::string& display_name, const std::string& default_name) {
    Result<YAML::Node> parsed = parse_yaml(text, display_name);
    if (!parsed) {
        return parsed.error();
    }
    const YAML::Node& root = *parsed;
    Config config;
    config.file = display_name;
    ServiceConfig defaults;
    defaults.name = default_name;
    if (root.IsNull()) {
        config.services.push_back(defaults);
        return config;
    }
    if (!root.IsMap()) {
        return config_error(position(display_name, root.Mark()),
                            fmt::format("the configuration must be a map of keys, not {}", yaml_kind(root)),
                            "allowed keys: " + joined(k_top_keys));
    }
    try {
        if (auto applied = apply_map(defaults, root, display_name, k_top_keys); !applied) {
            return applied.error();
        }
        if (const YAML::Node test = root["test"]) {
            if (auto read = read_test(config.test, test, display_name); !read) {
                return read.error();
            }
        }
        const YAML::Node services = root["services"];
        if (!services) {
            config.services.push_back(defaults);
            return config;
        }
        if (!services.IsMap() || services.size() == 0) {
            return config_error(position(display_name, services.Mark()),
                                "'services' must be a map from service name to its settings",
                                "e.g. services:\\n  api:\\n    image: ghcr.io/acme/api\\n    context: services/api");
        }
        config.multi_service = true;
        std::set<std::string> names;
        for (const auto& entry : services) {
            const std::string name = entry.first.Scalar();
            const std::string where = position(display_name, entry.first.Mark());
            if (!valid_service_name(name)) {
                return config_error(where, fmt::format("invalid service name '{}'", name),
                                    "use lowercase letters, digits, '-', '_' and '.'");
            }
            if (!names.insert(name).second) {
                return config_error(where, fmt::format("duplicate service '{}'", name));
            }
            ServiceConfig service = defaults;
            service.name = name;
            if (entry.second.IsNull()) {
                config.services.push_back(std::move(service));
                continue;
            }
            if (!entry.second.IsMap()) {
                return config_error(
                    position(display_name, entry.second.Mark()),
                    fmt::format("service '{}' must be a map of settings, not {}", name, yaml_kind(entry.second)),
                    "allowed keys: " + joined(k_service_keys));
            }
            if (auto applied = apply_map(service, entry.second, display_name, k_service_keys); !applied) {
                return applied.error();
            }
            config.services.push_back(std::move(service));
        }
    } catch (const YAML::Exception& e) {
        return config_error(position(display_name, e.mark), std::string("invalid configuration: ") + e.msg);
    }
    return config;
}

Result<Config> load_config(const std::filesystem::path& explicit_path, const std::filesystem::path& root,
                           const std::string& default_name) {
    std::filesystem::path path = explicit_path.empty() ? root / "pipe.yaml" : explicit_path;
    std::error_code ec;
    if (explicit_path.empty() && !std::filesystem::exists(path, ec)) {
        Config config;
        ServiceConfig service;
        service.name = default_name;
        config.services.push_back(std::move(service));
        return config;
    }
    std::optional<std::string> text = read_file_text(path);
    if (!text) {
        return config_error(path.string(), "cannot read the configuration file",
                            explicit_path.empty()
                                ? "check the file's permissions"
                                : "check the --config path; it is resolved from the current directory");
    }
    std::string display = explicit_path.empty() ? std::string("pipe.yaml") : explicit_path.string();
    return parse_config(*text, display, default_name);
}

Result<void> apply_environment(Config& config, const Environment& env) {
    for (ServiceConfig& service : config.services) {
        if (auto images = lookup(env, "PIPE_IMAGE")) {
            std::string text = *images;
            std::replace(text.begin(), text.end(), ',', '\n');
            service.images = split_list(text);
            service.set_origin("image", "PIPE_IMAGE");
        }
        if (auto tags = lookup(env, "PIPE_TAGS")) {
            service.tags = split_list(*tags);
            service.set_origin("tags", "PIPE_TAGS");
        }
        if (auto flavor = lookup(env, "PIPE_FLAVOR")) {
            service.flavor = split_list(*flavor);
            service.set_origin("flavor", "PIPE_FLAVOR");
        }
        if (auto labels = lookup(env, "PIPE_LABELS")) {
            service.labels = split_list(*labels);
            service.set_origin("labels", "PIPE_LABELS");
            for (const std::string& label : service.labels) {
                if (label.find('=') == std::string::npos) {
                    return config_error("PIPE_LABELS", fmt::format("label '{}' has no '='", label),
                                        "write one key=value per line");
                }
            }
        }
        if (auto context = lookup(env, "PIPE_CONTEXT")) {
            service.context = *context;
            service.set_origin("context", "PIPE_CONTEXT");
        }
        if (auto file = lookup(env, "PIPE_FILE")) {
            service.file = *file;
            service.set_origin("file", "PIPE_FILE");
        }
        if (auto insecure = lookup(env, "PIPE_INSECURE_REGISTRY"); insecure && !insecure->empty()) {
            if (*insecure != "true" && *insecure != "false") {
                return config_error("PIPE_INSECURE_REGISTRY",
                                    fmt::format("PIPE_INSECURE_REGISTRY must be true or false, not '{}'", *insecure));
            }
            service.registry.insecure = *insecure == "true";
            service.set_origin("registry.insecure", "PIPE_INSECURE_REGISTRY");
        }
        if (auto ca_file = lookup(env, "PIPE_CA_FILE"); ca_file && !ca_file->empty()) {
            service.registry.ca_file = *ca_file;
            service.set_origin("registry.ca_file", "PIPE_CA_FILE");
        }
        const std::vector<std::tuple<const char*, const char*, std::string*>> build_variables{
            {"PIPE_STORAGE_DRIVER", "storage_driver", &service.build.storage_driver},
            {"PIPE_ISOLATION", "isolation", &service.build.isolation},
            {"PIPE_BUILDAH_ROOT", "root", &service.build.root},
            {"PIPE_BUILDAH_RUNROOT", "runroot", &service.build.runroot},
        };
        for (const auto& [variable, key, target] : build_variables) {
            std::optional<std::string> value = lookup(env, variable);
            if (!value || value->empty()) {
                continue;
            }
            if (auto valid = validate_build_value(key, *value, variable); !valid) {
                return valid;
            }
            *target = *value;
            service.set_origin(std::string("build.") + key, variable);
        }
    }
    return {};
}

Result<void> select_services(Config& config, const std::vector<std::string>& names) {
    if (names.empty()) {
        return {};
    }
    const std::vector<std::string> known = service_names(config);
    std::vector<ServiceConfig> selected;
    for (const std::string& name : names) {
        auto found = std::find_if(config.services.begin(), config.services.end(),
                                  [&](const ServiceConfig& s) { return s.name == name; });
        if (found == config.services.end()) {
            std::string hint;
            if (auto guess = closest_match(name, known)) {
                hint = fmt::format("did you mean '{}'? ", *guess);
            }
            return usage_error(fmt::format("unknown service '{}'", name), hint + "services: " + joined(known));
        }
        selected.push_back(*found);
    }
    config.services = std::move(selected);
    return {};
}

}  // namespace pipeline::config
