#include "encoding.h"

#include <pipe/sign/in_toto.h>

#include <fmt/format.h>

namespace pipeline::sign {
namespace {

Error statement_error(std::string_view what) {
    return runtime_error(fmt::format("malformed in-toto statement: {}", what),
                         "the attestation was not made by cosign or pipe, or it was altered");
}

std::string compact(const nlohmann::json& json) {
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON object of string values, keys sorted.
std::string string_map_json(const std::map<std::string, std::string>& values) {
    std::string out = "{";
    for (const auto& [key, value] : values) {
        if (out.size() > 1) {
            out += ',';
        }
        out += detail::json_quote(key) + ':' + detail::json_quote(value);
    }
    return out + '}';
}

// Reads an object of string values; false when it is not one.
bool read_string_map(const nlohmann::json& json, std::map<std::string, std::string>& out) {
    if (!json.is_object()) {
        return false;
    }
    for (const auto& [key, value] : json.items()) {
        if (!value.is_string()) {
            return false;
        }
        out[key] = value.get<std::string>();
    }
    return true;
}

}  // namespace

Result<InTotoStatement> parse_in_toto_statement(std::string_view json) {
    const nlohmann::json doc = detail::parse_document(json);
    if (doc.is_discarded() || !doc.is_object()) {
        return statement_error("not a JSON object");
    }
    const std::string* type = detail::string_member(doc, "_type");
    if (type == nullptr || (*type != k_in_toto_statement_v1 && *type != k_in_toto_statement_v01)) {
        return statement_error(fmt::format("_type is {}, not \"{}\"",
                                           type == nullptr ? "missing" : detail::json_quote(*type),
                                           k_in_toto_statement_v1));
    }
    const nlohmann::json* subjects = detail::member(doc, "subject");
    if (subjects == nullptr || !subjects->is_array() || subjects->empty()) {
        return statement_error("\"subject\" is missing or empty");
    }
    InTotoStatement statement;
    for (const nlohmann::json& entry : *subjects) {
        InTotoSubject subject;
        if (const std::string* name = detail::string_member(entry, "name")) {
            subject.name = *name;
        }
        const nlohmann::json* digest = detail::member(entry, "digest");
        if (digest == nullptr || !read_string_map(*digest, subject.digest) || subject.digest.empty()) {
            return statement_error("a subject has no \"digest\" object of strings");
        }
        if (const nlohmann::json* annotations = detail::member(entry, "annotations")) {
            if (!annotations->is_object()) {
                return statement_error("a subject's \"annotations\" is not an object");
            }
            for (const auto& [key, value] : annotations->items()) {
                subject.annotations[key] = value.is_string() ? value.get<std::string>() : compact(value);
            }
        }
        statement.subjects.push_back(std::move(subject));
    }
    const std::string* predicate_type = detail::string_member(doc, "predicateType");
    if (predicate_type == nullptr || predicate_type->empty()) {
        return statement_error("\"predicateType\" is missing");
    }
    statement.predicate_type = *predicate_type;
    if (const nlohmann::json* predicate = detail::member(doc, "predicate")) {
        statement.predicate = *predicate;
    }
    return statement;
}

std::string in_toto_statement_json(const InTotoStatement& statement) {
    std::string subjects;
    for (const InTotoSubject& subject : statement.subjects) {
        if (!subjects.empty()) {
            subjects += ',';
        }
        subjects += fmt::format(R"({{"name":{},"digest":{})", detail::json_quote(subject.name),
                                string_map_json(subject.digest));
        if (!subject.annotations.empty()) {
            subjects += fmt::format(R"(,"annotations":{})", string_map_json(subject.annotations));
        }
        subjects += '}';
    }
    const std::string predicate = statement.predicate.is_null() ? std::string("{}") : compact(statement.predicate);
    return fmt::format(R"({{"_type":{},"subject":[{}],"predicateType":{},"predicate":{}}})",
                       detail::json_quote(k_in_toto_statement_v1), subjects,
                       detail::json_quote(statement.predicate_type), predicate);
}

}  // namespace pipeline::sign
