#include "cli/completion.h"

#include <pipe/config/loader.h>
#include <pipe/git/repository_state.h>

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::cli {
namespace {

const CLI::Option* find_option(const CLI::App& app, const CLI::App* command, const std::string& word) {
    for (const CLI::App* scope : {command, &app}) {
        if (scope == nullptr) {
            continue;
        }
        for (const CLI::Option* option : scope->get_options()) {
            if (option->check_name(word)) {
                return option;
            }
        }
    }
    return nullptr;
}

bool takes_value(const CLI::Option* option) {
    return option != nullptr && option->get_type_size() != 0 && option->get_expected_min() > 0;
}

void print_matching(const std::vector<std::string>& candidates, std::string_view prefix) {
    for (const std::string& candidate : candidates) {
        if (candidate.rfind(prefix, 0) == 0) {
            fmt::print("{}\n", candidate);
        }
    }
}

std::vector<std::string> option_names(const CLI::App& scope) {
    std::vector<std::string> names;
    for (const CLI::Option* option : scope.get_options()) {
        for (const std::string& name : option->get_lnames()) {
            names.push_back("--" + name);
        }
        for (const std::string& name : option->get_snames()) {
            names.push_back("-" + name);
        }
    }
    return names;
}

std::vector<std::string> service_names() {
    Result<std::filesystem::path> root = git::find_root(std::filesystem::current_path());
    if (!root) {
        return {};
    }
    Result<config::Config> loaded = config::load_config({}, *root, root->filename().string());
    if (!loaded || !loaded->multi_service) {
        return {};
    }
    return config::service_names(*loaded);
}

}  // namespace

int complete(const CLI::App& app, int count, const char* const* words) {
    std::string current = count > 0 ? words[count - 1] : "";
    const CLI::App* command = nullptr;
    const CLI::Option* pending = nullptr;
    for (int i = 0; i + 1 < count; ++i) {
        std::string word = words[i];
        if (pending != nullptr) {
            pending = nullptr;
            continue;
        }
        if (!word.empty() && word.front() == '-') {
            const CLI::Option* option = find_option(app, command, word.substr(0, word.find('=')));
            pending = word.find('=') == std::string::npos && takes_value(option) ? option : nullptr;
            continue;
        }
        if (command == nullptr) {
            for (const CLI::App* sub : app.get_subcommands({})) {
                if (sub->get_name() == word) {
                    command = sub;
                }
            }
        }
    }
    if (pending != nullptr) {
        if (pending->check_name("-C")) {
            fmt::print(":dirs\n");
        } else if (pending->check_name("--config")) {
            fmt::print(":files\n");
        } else if (pending->check_name("--service")) {
            print_matching(service_names(), current);
        }
        return 0;
    }
    if (!current.empty() && current.front() == '-') {
        std::vector<std::string> names = option_names(app);
        if (command != nullptr) {
            std::vector<std::string> own = option_names(*command);
            names.insert(names.begin(), own.begin(), own.end());
        }
        print_matching(names, current);
        return 0;
    }
    if (command == nullptr) {
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands({})) {
            names.push_back(sub->get_name());
        }
        print_matching(names, current);
    }
    return 0;
}

}  // namespace pipeline::cli
