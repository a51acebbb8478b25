// The typed pipe.yaml model. Values come from the file, then PIPE_* variables, then flags;
// each value remembers where it came from so later errors can point at file:line:column.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::config {

// One buildable service: the whole repository, or one entry under `services:`.
struct ServiceConfig {
    std::string name;
    std::vector<std::string> images;               // repositories, e.g. ghcr.io/acme/app
    std::optional<std::vector<std::string>> tags;  // metadata-action tag rules; nullopt: pipe's default
    std::vector<std::string> flavor;
    std::vector<std::string> labels;               // key=value
    std::string context = ".";
    std::string file;                              // Containerfile path; empty: detect in context

    // Key path ("image", "tags[2]") -> origin ("pipe.yaml:4:5", "PIPE_TAGS", "--tag").
    std::map<std::string, std::string> origins;

    // The origin of a key path, or of its list when the item has none, or "" when unknown.
    std::string origin_of(const std::string& key_path) const;

    // Records that key (and all its items) now comes from origin, forgetting older positions.
    void set_origin(const std::string& key, const std::string& origin);
};

// The loaded configuration: the file it came from (empty when none) and its services.
struct Config {
    std::filesystem::path file;
    bool multi_service = false;
    std::vector<ServiceConfig> services;
};

// pipe's default tag rules when `tags` is not configured: the seed's three.
const std::vector<std::string>& default_tag_rules();

}  // namespace pipeline::config
