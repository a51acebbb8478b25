#include <pipe/oci/registry_token.h>

#include <pipe/core/timestamp.h>
#include <pipe/http/form_encoding.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace pipeline::oci {
namespace {

constexpr std::chrono::seconds k_expiry_margin{10};

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
