// Compact JWS (RFC 7515) with an x5c header, as used by SafetyNet attestation responses and the FIDO
// MDS3 BLOB (a JWT). Parsing only splits and decodes; verify_jws checks the signature with the leaf
// of x5c. Internal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::att {

// JSON nesting limit for anything parsed here (nlohmann recurses).
inline constexpr std::size_t kMaxJsonDepth = 32;

struct Jws {
    nlohmann::json header;      // an object
    nlohmann::json payload;     // an object
    std::string alg;            // header "alg"
    std::vector<Bytes> x5c;     // header "x5c", DER, leaf first (may be empty)
    std::string signing_input;  // BASE64URL(header) "." BASE64URL(payload)
    Bytes signature;
};

// Parses JSON text into an object, refusing nesting deeper than kMaxJsonDepth and any syntax error.
// Errors use `err` and name `what`.
Result<nlohmann::json> parse_json_object(std::string_view text, Errc err, std::string_view what);

// Splits and decodes a compact JWS no longer than max_size. Errors use `err`.
Result<Jws> parse_jws(std::string_view compact, std::size_t max_size, Errc err);

// The COSE algorithm for a JWS "alg" (RS256 -> -257 ...), or 0 when not supported ("none" is not).
std::int64_t jws_alg_to_cose(std::string_view alg);

// Verifies the JWS signature with `key` (the x5c leaf). JWS ECDSA signatures are raw r||s (RFC 7518
// §3.4); they are converted to DER for OpenSSL. Unsupported alg: `err`; bad signature: `sig_err`.
Status verify_jws(const Jws& jws, EVP_PKEY* key, Errc err, Errc sig_err);

}  // namespace mfa::att
