#include <pipe/http/headers.h>
#include <pipe/http/request.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace pipeline::http {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

std::string_view method_name(Method method) {
    switch (method) {
        case Method::get:
            return "GET";
        case Method::head:
            return "HEAD";
        case Method::post:
            return "POST";
        case Method::put:
            return "PUT";
        case Method::patch:
            return "PATCH";
        case Method::delete_:
            return "DELETE";
    }
    return "GET";
}

bool is_idempotent(Method method) {
    return method != Method::post && method != Method::patch;
}

bool is_credential_header(std::string_view name) {
    static constexpr std::array<std::string_view, 7> k_names = {
        "Authorization",     "Proxy-Authorization", "Cookie",   "X-Registry-Auth",
        "X-Registry-Config", "Private-Token",       "X-Api-Key"};
    return std::any_of(k_names.begin(), k_names.end(),
                       [name](std::string_view candidate) { return header_name_equal(candidate, name); });
}

const std::string& RequestHeader::reveal() const {
    if (const std::string* text = std::get_if<std::string>(&value)) {
        return *text;
    }
    return std::get<Secret>(value).reveal();
}

std::string RequestHeader::printable() const {
    if (std::holds_alternative<Secret>(value) || is_credential_header(name)) {
        return std::string(k_masked);
    }
    return std::get<std::string>(value);
}

void Request::add_header(std::string name, std::string value) {
    if (is_credential_header(name)) {
        add_secret_header(std::move(name), Secret(std::move(value)));
        return;
    }
    headers.push_back(RequestHeader{std::move(name), std::move(value)});
}

void Request::add_secret_header(std::string name, Secret value) {
    headers.push_back(RequestHeader{std::move(name), std::move(value)});
}

void Request::remove_header(std::string_view name) {
    std::erase_if(headers, [name](const RequestHeader& header) { return header_name_equal(header.name, name); });
}

const RequestHeader* Request::find_header(std::string_view name) const {
    const auto found = std::find_if(headers.begin(), headers.end(), [name](const RequestHeader& header) {
        return header_name_equal(header.name, name);
    });
    return found == headers.end() ? nullptr : &*found;
}

std::string describe(const Request& request) {
    std::string text = fmt::format("{} {}", method_name(request.method), request.url);
    for (const RequestHeader& header : request.headers) {
        text += fmt::format("\n  {}: {}", header.name, header.printable());
    }
    std::visit(
        Overloaded{[&text](const std::string& bytes) {
                       if (!bytes.empty()) {
                           text += fmt::format("\n  (body: {} bytes)", bytes.size());
                       }
                   },
                   [&text](const FileBody& file) { text += fmt::format("\n  (body: file {})", file.path.string()); }},
        request.body);
    return text;
}

}  // namespace pipeline::http
