// in-toto Statements: what a DSSE envelope carries for attestations and for cosign v3's
// bundle-format signatures (subject digests plus a typed predicate).
#pragma once

#include <pipe/core/result.h>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::sign {

// The _type pipe writes.
inline constexpr std::string_view k_in_toto_statement_v1 = "https://in-toto.io/Statement/v1";

// The older _type still accepted when reading.
inline constexpr std::string_view k_in_toto_statement_v01 = "https://in-toto.io/Statement/v0.1";

// The predicateType cosign v3 uses for an image signature in the bundle format.
inline constexpr std::string_view k_cosign_sign_predicate_type = "https://sigstore.dev/cosign/sign/v1";

// One artifact a statement is about.
struct InTotoSubject {
    std::string name;
    std::map<std::string, std::string> digest;       // algorithm -> lowercase hex, e.g. {"sha256", "..."}
    std::map<std::string, std::string> annotations;  // cosign puts `-a` annotations here; often empty
};

// A parsed statement. (The NOLINT: tidy cannot see that nlohmann::json's noexcept move only calls
// assertions.)
struct InTotoStatement {  // NOLINT(bugprone-exception-escape)
    std::vector<InTotoSubject> subjects;
    std::string predicate_type;
    nlohmann::json predicate;  // any JSON; null when absent
};

// Reads a statement (_type v1 or v0.1); runtime error for malformed JSON, another _type, no
// subject, a subject without digests, non-string digest values or a missing predicateType.
Result<InTotoStatement> parse_in_toto_statement(std::string_view json);

// The compact statement JSON with _type v1, keys in the order _type, subject, predicateType,
// predicate (an absent predicate is written as {}); annotations only when present.
std::string in_toto_statement_json(const InTotoStatement& statement);

}  // namespace pipeline::sign
