// The docker credential helper protocol: `docker-credential-<name> get`, server URL on stdin,
// {"ServerURL","Username","Secret"} on stdout, "credentials not found in native keychain" and
// exit 1 when it has nothing.
#include <pipe/oci/credentials.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace pipeline::oci {
namespace {

constexpr std::string_view k_not_found = "credentials not found in native keychain";
constexpr std::string_view k_helper_prefix = "docker-credential-";
constexpr std::string_view k_token_username = "<token>";
constexpr std::size_t k_max_detail = 200;

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The first line a failing helper printed (helpers report errors on stdout), cut short and made
// printable. Output that looks like a credential answer is not repeated.
std::string failure_detail(const proc::ProcessResult& result) {
    std::string_view text = trim(result.out);
    if (text.empty()) {
        text = trim(result.err);
    }
    if (text.empty()) {
        return {};
    }
    if (text.find("Secret") != std::string_view::npos) {
        return ": (its output is not shown: it may hold credentials)";
    }
    text = text.substr(0, text.find('\n'));
    std::string line;
    for (char c : text.substr(0, k_max_detail)) {
        line += c >= ' ' && c <= '~' ? c : '?';
    }
    if (text.size() > k_max_detail) {
        line += "...";
    }
    return ": " + line;
}

bool is_plain_name(std::string_view name) {
    return !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

std::string check_hint(std::string_view program, std::string_view server_url) {
    return fmt::format("check the helper by hand: printf '%s' '{}' | {} get", server_url, program);
}

}  // namespace

Result<std::optional<Credentials>> parse_helper_answer(std::string_view helper, std::string_view server_url,
                                                       const proc::ProcessResult& result) {
    const std::string program = std::string(k_helper_prefix) + std::string(helper);
    if (!result.status.success()) {
        if (trim(result.out) == k_not_found || trim(result.err) == k_not_found) {
            return std::optional<Credentials>();
        }
        return runtime_error(fmt::format("credential helper {} failed for {}: {}{}", program, server_url,
                                         proc::describe(result.status), failure_detail(result)),
                             check_hint(program, server_url));
    }

    const nlohmann::json answer = nlohmann::json::parse(result.out, nullptr, false);
    const auto text_field = [&answer](const char* name) -> std::optional<std::string> {
        const auto found = answer.find(name);
        if (found == answer.end() || found->is_null()) {
            return std::string();
        }
        if (!found->is_string()) {
            return std::nullopt;
        }
        return found->get<std::string>();
    };
    std::optional<std::string> username;
    std::optional<std::string> secret;
    if (answer.is_object()) {
        username = text_field("Username");
        secret = text_field("Secret");
    }
    if (!username || !secret) {
        return runtime_error(
            fmt::format("credential helper {} answered {} with something other than "
                        "{{\"ServerURL\",\"Username\",\"Secret\"}} JSON (output not shown: it may hold credentials)",
                        program, server_url),
            check_hint(program, server_url));
    }
    if (secret->empty()) {
        return std::optional<Credentials>();
    }
    Credentials credentials;
    if (*username == k_token_username) {
        credentials.identity_token = Secret(std::move(*secret));
    } else {
        credentials.username = std::move(*username);
        credentials.password = Secret(std::move(*secret));
    }
    credentials.source = "credential helper " + program;
    return std::optional<Credentials>(std::move(credentials));
}

Result<std::optional<Credentials>> run_credential_helper(proc::Runner& runner, const Environment& env,
                                                         std::string_view helper, std::string_view server_url) {
    const std::string program = std::string(k_helper_prefix) + std::string(helper);
    if (!is_plain_name(helper)) {
        return config_error({}, fmt::format("invalid credential helper name \"{}\"", program),
                            "a helper is given by its suffix: \"ecr-login\" runs docker-credential-ecr-login");
    }
    proc::Command command;
    command.argv = {program, "get"};
    command.inherit_environment = false;
    for (const auto& [name, value] : env) {
        if (name == "PATH") {
            command.env.emplace(name, value);
        } else {
            command.secret_env.emplace(name, Secret(value));
        }
    }
    command.stdin_data = std::string(server_url);
    command.timeout = k_credential_helper_timeout;

    Result<proc::ProcessResult> result = runner.run(command);
    if (!result) {
        if (result.error().kind == ErrorKind::interrupted) {
            return result.error();
        }
        return runtime_error(fmt::format("cannot run credential helper {}: {}", program, describe(result.error())),
                             fmt::format("install {} on PATH, or remove it from the auth file", program));
    }
    return parse_helper_answer(helper, server_url, *result);
}

}  // namespace pipeline::oci
