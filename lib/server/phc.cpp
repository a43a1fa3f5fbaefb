// PHC string parsing (argon2, scrypt, pbkdf2), bounded: every cost parameter has a ceiling so that a
// stored hash cannot make verification unbounded.
#include <string>

#include "mfa/encoding.hpp"
#include "mfa/server/password.hpp"
#include "mfa/store.hpp"

namespace mfa::server {
namespace {

Error bad(std::string_view what) { return Error{Errc::password_hash_format, std::string(what)}; }

// PHC B64: the standard alphabet without padding.
std::optional<std::string> phc_b64_decode(std::string_view s) {
    if (s.empty() || s.size() % 4 == 1) return std::nullopt;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return std::nullopt;
    std::string padded(s);
    while (padded.size() % 4 != 0) padded.push_back('=');
    auto raw = base64_decode(padded, Base64Mode::standard);
    if (!raw) return std::nullopt;
    return std::string(raw->begin(), raw->end());
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return out;
}

// "name=value" with a decimal value in [lo, hi].
std::optional<std::uint32_t> param(std::string_view kv, std::string_view name, std::uint64_t lo, std::uint64_t hi) {
    if (kv.size() <= name.size() + 1 || kv.substr(0, name.size()) != name || kv[name.size()] != '=') return std::nullopt;
    auto v = store::parse_i64(kv.substr(name.size() + 1));
    if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < lo || static_cast<std::uint64_t>(*v) > hi) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

}  // namespace

Result<PhcHash> parse_phc(std::string_view s) {
    if (s.size() > kMaxPhcLength) return Error{Errc::limit_exceeded, "PHC string longer than 512 bytes"};
    if (s.empty() || s[0] != '$') return bad("a PHC string starts with '$'");
    auto f = split(s.substr(1), '$');
    PhcHash h;
    const std::string_view id = f[0];
    std::size_t i = 1;
    if (id == "argon2id" || id == "argon2i" || id == "argon2d") {
        h.alg = id == "argon2id" ? PhcAlgorithm::argon2id : id == "argon2i" ? PhcAlgorithm::argon2i : PhcAlgorithm::argon2d;
        h.version = 0x10;
        if (f.size() == 5) {
            auto v = param(f[1], "v", 16, 19);
            if (!v || (*v != 16 && *v != 19)) return bad("argon2 version must be v=16 or v=19");
            h.version = *v;
            i = 2;
        } else if (f.size() != 4) {
            return bad("argon2: expected $argon2id$v=19$m=..,t=..,p=..$salt$hash");
        }
        auto ps = split(f[i], ',');
        if (ps.size() != 3) return bad("argon2 parameters must be m=..,t=..,p=..");
        auto m = param(ps[0], "m", 8, kMaxArgon2MemoryKib);
        auto t = param(ps[1], "t", 1, kMaxArgon2Passes);
        auto p = param(ps[2], "p", 1, 16);
        if (!m || !t || !p) return bad("argon2 parameter out of range (m 8..1048576 KiB, t 1..64, p 1..16)");
        if (*m < 8 * *p) return bad("argon2: m must be at least 8·p");
        h.m = *m;
        h.t = *t;
        h.p = *p;
    } else if (id == "scrypt") {
        h.alg = PhcAlgorithm::scrypt;
        if (f.size() != 4) return bad("scrypt: expected $scrypt$ln=..,r=..,p=..$salt$hash");
        auto ps = split(f[1], ',');
        if (ps.size() != 3) return bad("scrypt parameters must be ln=..,r=..,p=..");
        auto ln = param(ps[0], "ln", 1, kMaxScryptLogN);
        auto r = param(ps[1], "r", 1, 32);
        auto p = param(ps[2], "p", 1, 16);
        if (!ln || !r || !p) return bad("scrypt parameter out of range (ln 1..22, r 1..32, p 1..16)");
        // Memory is 128·N·r bytes: at most 1 GiB.
        if ((std::uint64_t{128} << *ln) * *r > (std::uint64_t{1} << 30)) return bad("scrypt parameters need more than 1 GiB");
        h.m = *ln;
        h.t = *r;
        h.p = *p;
    } else if (id == "pbkdf2-sha256" || id == "pbkdf2-sha512" || id == "pbkdf2-sha1") {
        h.alg = id == "pbkdf2-sha256" ? PhcAlgorithm::pbkdf2_sha256
                : id == "pbkdf2-sha512" ? PhcAlgorithm::pbkdf2_sha512 : PhcAlgorithm::pbkdf2_sha1;
        if (f.size() != 4) return bad("pbkdf2: expected $pbkdf2-sha256$i=..[,l=..]$salt$hash");
        auto ps = split(f[1], ',');
        if (ps.empty() || ps.size() > 2) return bad("pbkdf2 parameters must be i=..[,l=..]");
        auto it = param(ps[0], "i", 1, kMaxPbkdf2Iterations);
        if (!it) return bad("pbkdf2 iterations out of range (1..10000000)");
        h.iterations = *it;
        if (ps.size() == 2 && !param(ps[1], "l", 4, 128)) return bad("pbkdf2 length out of range (4..128)");
        if (ps.size() == 2) h.t = *param(ps[1], "l", 4, 128);
    } else {
        return bad("unsupported algorithm '" + std::string(id.substr(0, 32)) + "' (argon2id, argon2i, argon2d, scrypt, pbkdf2-sha1/256/512)");
    }
    auto salt = phc_b64_decode(f[i + 1]);
    auto hash = phc_b64_decode(f[i + 2]);
    if (!salt) return bad("salt is not PHC base64");
    if (!hash) return bad("hash is not PHC base64");
    if (salt->size() < 8 || salt->size() > 64) return bad("salt must be 8..64 bytes");
    if (hash->size() < 16 || hash->size() > 128) return bad("hash must be 16..128 bytes");
    if (h.alg >= PhcAlgorithm::pbkdf2_sha1 && h.t != 0 && h.t != hash->size()) return bad("pbkdf2: l does not match the hash length");
    h.salt = std::move(*salt);
    h.hash = std::move(*hash);
    return h;
}

}  // namespace mfa::server
