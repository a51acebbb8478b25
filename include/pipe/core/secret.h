// Secret: a credential that prints as *** in logs, errors, --dry-run and --json. Only tool
// wrappers call reveal(), to hand the value to a child's environment or stdin.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

// A value that must never be printed; every textual rendering is "***".
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}

    // The real value, for the one place that passes it on (environment, stdin, HTTP header).
    const std::string& reveal() const { return m_value; }
    bool empty() const { return m_value.empty(); }

    friend bool operator==(const Secret&, const Secret&) = default;

private:
    std::string m_value;
};

// The masked rendering used everywhere a secret would otherwise be shown.
inline constexpr std::string_view k_masked = "***";

std::ostream& operator<<(std::ostream& out, const Secret& secret);
void to_json(nlohmann::json& out, const Secret& secret);

// Replaces every occurrence of each non-empty secret in text with ***; applied to tool output
// before it is logged, since a tool may echo what it was given.
std::string redact(std::string text, const std::vector<Secret>& secrets);

}  // namespace pipeline

template <>
struct fmt::formatter<pipeline::Secret> : fmt::formatter<std::string_view> {
    template <class Context>
    auto format(const pipeline::Secret&, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(pipeline::k_masked, ctx);
    }
};
