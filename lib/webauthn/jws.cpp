#include "jws.hpp"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "mfa/encoding.hpp"
#include "x509.hpp"

namespace mfa::att {
namespace {

// Rejects JSON nested deeper than kMaxJsonDepth before nlohmann's recursive parser sees it.
bool depth_ok(std::string_view text) {
    std::size_t depth = 0;
    bool in_string = false, escape = false;
    for (char c : text) {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

}  // namespace

Result<nlohmann::json> parse_json_object(std::string_view text, Errc err, std::string_view what) {
    if (!depth_ok(text)) return Error(err, std::string(what) + ": JSON nested deeper than 32 levels");
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) return Error(err, std::string(what) + ": not valid JSON");
    if (!j.is_object()) return Error(err, std::string(what) + ": JSON is not an object");
    return j;
}

std::int64_t jws_alg_to_cose(std::string_view alg) {
    if (alg == "RS256") return -257;
    if (alg == "RS384") return -258;
    if (alg == "RS512") return -259;
    if (alg == "PS256") return -37;
    if (alg == "PS384") return -38;
    if (alg == "PS512") return -39;
    if (alg == "ES256") return -7;
    if (alg == "ES384") return -35;
    if (alg == "ES512") return -36;
    if (alg == "EdDSA") return -8;
    return 0;
}

Result<Jws> parse_jws(std::string_view compact, std::size_t max_size, Errc err) {
    if (compact.size() > max_size) return Error(err, "JWS longer than " + std::to_string(max_size) + " bytes");
    const std::size_t d1 = compact.find('.');
    const std::size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
    if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
        return Error(err, "JWS does not have exactly three dot-separated parts");
    const std::string_view h64 = compact.substr(0, d1), p64 = compact.substr(d1 + 1, d2 - d1 - 1),
                           s64 = compact.substr(d2 + 1);
    auto h = base64_decode(h64, Base64Mode::url_strict);
    if (!h) return Error(err, "JWS header is not base64url: " + h.error().detail);
    auto p = base64_decode(p64, Base64Mode::url_strict);
    if (!p) return Error(err, "JWS payload is not base64url: " + p.error().detail);
    auto s = base64_decode(s64, Base64Mode::url_strict);
    if (!s) return Error(err, "JWS signature is not base64url: " + s.error().detail);
    Jws out;
    auto hj = parse_json_object(as_chars(*h), err, "JWS header");
    if (!hj) return std::move(hj).error();
    auto pj = parse_json_object(as_chars(*p), err, "JWS payload");
    if (!pj) return std::move(pj).error();
    out.header = std::move(*hj);
    out.payload = std::move(*pj);
    auto alg = out.header.find("alg");
    if (alg == out.header.end() || !alg->is_string()) return Error(err, "JWS header has no string \"alg\"");
    out.alg = alg->get<std::string>();
    auto x5c = out.header.find("x5c");
    if (x5c != out.header.end()) {
        if (!x5c->is_array()) return Error(err, "JWS header \"x5c\" is not an array");
        if (x5c->size() > 8) return Error(err, "JWS header \"x5c\" has more than 8 certificates");
        for (const auto& c : *x5c) {
            if (!c.is_string()) return Error(err, "JWS header \"x5c\" holds a non-string");
            // RFC 7515 §4.1.6: standard Base64 (not base64url) DER.
            auto der = base64_decode(c.get_ref<const std::string&>(), Base64Mode::standard);
            if (!der) return Error(err, "JWS header \"x5c\" entry is not Base64: " + der.error().detail);
            out.x5c.push_back(std::move(*der));
        }
    }
    out.signing_input.assign(compact.substr(0, d2));
    out.signature = std::move(*s);
    return out;
}


Status verify_jws(const Jws& jws, EVP_PKEY* key, Errc err, Errc sig_err) {
    const std::int64_t alg = jws_alg_to_cose(jws.alg);
    if (alg == 0) return Error(err, "JWS alg \"" + jws.alg + "\" is not supported");
    Bytes sig = jws.signature;
    if (alg == -7 || alg == -35 || alg == -36) {
        const std::size_t half = alg == -7 ? 32 : alg == -35 ? 48 : 66;
        if (sig.size() != 2 * half) return Error(sig_err, "JWS " + jws.alg + " signature has the wrong length");
        ECDSA_SIG* es = ECDSA_SIG_new();
        BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(half), nullptr);
        BIGNUM* s = BN_bin2bn(sig.data() + half, static_cast<int>(half), nullptr);
        if (es == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(es, r, s) != 1) {
            ECDSA_SIG_free(es);
            BN_free(r);
            BN_free(s);
            throw std::bad_alloc();
        }
        unsigned char* der = nullptr;
        const int n = i2d_ECDSA_SIG(es, &der);
        ECDSA_SIG_free(es);
        if (n <= 0) throw std::bad_alloc();
        sig.assign(der, der + n);
        OPENSSL_free(der);
    }
    auto st = verify_signature(key, alg, as_bytes(jws.signing_input), sig, "JWS signature");
    if (!st) {
        Error e = std::move(st).error();
        e.code = e.code == Errc::att_signature_invalid ? sig_err : err;
        return e;
    }
    return {};
}

}  // namespace mfa::att
