#include <pipe/oci/registry_token.h>

#include <pipe/http/form_encoding.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace pipeline::oci {
namespace {

constexpr std::chrono::seconds k_expiry_margin{10};

// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-27T10:00:00Z", fractions and a
// numeric offset allowed); nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
    std::tm tm{};
    int year = 0;
    int month = 0;
    int consumed = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec, &consumed) != 6) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    std::string_view rest = text.substr(static_cast<std::size_t>(consumed));
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            rest.remove_prefix(1);
        }
    }
    long offset = 0;
    if (rest == "Z" || rest == "z") {
        offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int hours = 0;
        int minutes = 0;
        if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) != 2) {
            return std::nullopt;
        }
        offset = (rest[0] == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
    } else {
        return std::nullopt;
    }
    const std::time_t seconds = timegm(&tm);
    return std::chrono::system_clock::from_time_t(seconds - offset);
}

std::vector<std::pair<std::string, std::string>> token_fields(const http::Challenge& challenge,
                                                              const std::vector<std::string>& scopes) {
    std::vector<std::pair<std::string, std::string>> fields;
    if (auto service = challenge.param("service")) {
        fields.emplace_back("service", std::string(*service));
    }
    for (const std::string& scope : scopes) {
        fields.emplace_back("scope", scope);
    }
    return fields;
}

}  // namespace

std::string repository_scope(std::string_view repository, std::string_view actions) {
    return fmt::format("repository:{}:{}", repository, actions);
}

Result<http::SanitizedUrl> token_request_url(const http::Challenge& challenge, const std::vector<std::string>& scopes) {
    auto realm = challenge.param("realm");
    if (!realm || realm->empty()) {
        return runtime_error("the registry asked for a bearer token but named no realm to get it from");
    }
    Result<http::SanitizedUrl> base = http::SanitizedUrl::parse(*realm);
    if (!base) {
        return runtime_error(fmt::format("the registry's token realm is not an http(s) URL: {}", base.error().message));
    }
    std::string url = base->reveal();
    const std::string query = http::form_encode(token_fields(challenge, scopes));
    if (!query.empty()) {
        url += (base->query() ? "&" : "?") + query;
    }
    return http::SanitizedUrl::parse(url);
}

std::string refresh_token_form(const http::Challenge& challenge, const std::vector<std::string>& scopes,
                               const Secret& refresh_token) {
    std::vector<std::pair<std::string, std::string>> fields{{"grant_type", "refresh_token"}, {"client_id", "pipe"}};
    for (auto& field : token_fields(challenge, scopes)) {
        fields.push_back(std::move(field));
    }
    fields.emplace_back("refresh_token", refresh_token.reveal());
    return http::form_encode(fields);
}

Result<BearerToken> parse_token_response(std::string_view body, std::chrono::system_clock::time_point now,
                                         std::string_view where) {
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return runtime_error(fmt::format("{}: the token server's answer is not a JSON object", where));
    }
    std::string token;
    for (const char* key : {"token", "access_token"}) {
        if (doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty()) {
            token = doc[key].get<std::string>();
            break;
        }
    }
    if (token.empty()) {
        return runtime_error(fmt::format("{}: the token server answered without a token", where));
    }
    std::chrono::seconds lifetime = k_min_token_lifetime;
    if (doc.contains("expires_in") && doc["expires_in"].is_number_integer()) {
        lifetime = std::max(lifetime, std::chrono::seconds(doc["expires_in"].get<std::int64_t>()));
    }
    std::chrono::system_clock::time_point issued = now;
    if (doc.contains("issued_at") && doc["issued_at"].is_string()) {
        if (auto parsed = parse_rfc3339(doc["issued_at"].get<std::string>())) {
            issued = *parsed;
        }
    }
    return BearerToken{Secret(std::move(token)), issued + lifetime - k_expiry_margin};
}

}  // namespace pipeline::oci
