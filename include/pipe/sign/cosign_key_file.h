// cosign's encrypted private key document (go-securesystemslib "encrypted"): scrypt derives a
// NaCl secretbox key from the password, the box holds the PKCS#8 DER key. Separate from PEM and
// key objects so the format can be tested byte for byte against other implementations.
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline::sign {

// scrypt cost parameters; the default is what cosign writes ("Standard", N=2^16).
struct ScryptParams {
    std::uint64_t n = 65536;
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};

// True for the parameters cosign accepts when decrypting: N of 2^15, 2^16 or 2^17 with r=8, p=1.
bool supported_scrypt_params(const ScryptParams& params);

// The PKCS#8 DER key inside a cosign key document (the JSON body of the PEM block). Usage errors
// naming origin: not such a document, unsupported KDF/cipher/parameters, or a wrong password
// ("wrong password for cosign key <origin> (COSIGN_PASSWORD)"). The caller should wipe the result.
Result<std::string> decrypt_key_document(std::string_view json, const Secret& password, std::string_view origin);

// A cosign key document (compact JSON, cosign's key order) holding pkcs8_der, encrypted under
// password with a fresh random salt and nonce. Usage error for parameters cosign cannot read.
Result<std::string> encrypt_key_document(std::string_view pkcs8_der, const Secret& password, ScryptParams params = {});

}  // namespace pipeline::sign
