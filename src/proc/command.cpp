#include <pipe/proc/command.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace pipeline::proc {
namespace {

bool is_plain_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

// A name usable as a shell assignment prefix (NAME=value cmd); anything else needs `env`.
bool is_shell_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

}  // namespace

Environment child_environment(const Command& command, const Environment& parent) {
    Environment env;
    if (command.inherit_environment) {
        env = parent;
        for (const std::string& name : command.unset_env) {
            env.erase(name);
        }
    }
    for (const auto& [name, value] : command.env) {
        env.insert_or_assign(name, value);
    }
    for (const auto& [name, secret] : command.secret_env) {
        env.insert_or_assign(name, secret.reveal());
    }
    return env;
}

std::string shell_quote(std::string_view word) {
    if (!word.empty() && std::all_of(word.begin(), word.end(), is_plain_char)) {
        return std::string(word);
    }
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

std::string describe(const Command& command) {
    std::vector<std::string> words;
    if (!command.cwd.empty()) {
        words.push_back("cd " + shell_quote(command.cwd.string()) + " &&");
    }

    std::map<std::string, std::string, std::less<>> assignments;
    for (const auto& [name, value] : command.env) {
        assignments.insert_or_assign(name, shell_quote(value));
    }
    for (const auto& [name, secret] : command.secret_env) {
        assignments.insert_or_assign(name, fmt::format("{}", secret));
    }
    const bool needs_env = !command.inherit_environment || !command.unset_env.empty() ||
                           std::any_of(assignments.begin(), assignments.end(),
                                       [](const auto& entry) { return !is_shell_name(entry.first); });
    if (needs_env) {
        words.emplace_back(command.inherit_environment ? "env" : "env -i");
        if (command.inherit_environment) {
            for (const std::string& name : command.unset_env) {
                words.push_back("-u " + shell_quote(name));
            }
        }
    }
    for (const auto& [name, value] : assignments) {
        words.push_back(shell_quote(name) + "=" + value);
    }

    for (const std::string& arg : command.argv) {
        words.push_back(shell_quote(arg));
    }
    std::string line = fmt::format("{}", fmt::join(words, " "));
    if (command.stdin_data) {
        line += "  # stdin: provided by pipe";
    }
    return line;
}

}  // namespace pipeline::proc
