// Test-only factory for keys, certificates, DER values and JWS, built with OpenSSL, so the
// attestation tests can produce valid statements and break them one field at a time.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../lib/webauthn/formats.hpp"
#include "../lib/webauthn/x509.hpp"
#include "mfa/bytes.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/attestation.hpp"

namespace mfa::webauthn {
inline std::ostream& operator<<(std::ostream& os, AttestationType t) { return os << attestation_type_name(t); }
}  // namespace mfa::webauthn

namespace mfa::test {

// The error text of a failed Result, for assertion messages ("" when it succeeded).
template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

using att::PkeyPtr;
using att::X509Ptr;

inline PkeyPtr gen_ec(const char* curve = "P-256") { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)); }
// RSA-2048 generation is slow, so keys come round-robin from a pool of four made once: consecutive
// calls return distinct keys (enough for every case that needs "another" key).
inline PkeyPtr gen_rsa() {
    static std::vector<PkeyPtr> pool = [] {
        std::vector<PkeyPtr> v;
        for (int i = 0; i < 4; ++i) v.emplace_back(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
        return v;
    }();
    static std::size_t next = 0;
    EVP_PKEY* k = pool[next++ % pool.size()].get();
    EVP_PKEY_up_ref(k);
    return PkeyPtr(k);
}
inline PkeyPtr gen_ed25519() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

struct Ext {
    std::string oid;
    bool critical = false;
    Bytes value;  // DER of the extnValue contents
};

struct CertSpec {
    std::vector<std::pair<std::string, std::string>> subject;  // ("C","US") ... ; OIDs allowed
    std::optional<bool> ca;                                    // basic constraints, absent when nullopt
    std::int64_t not_before = 1'600'000'000;                   // 2020-09-13
    std::int64_t not_after = 2'000'000'000;                    // 2033-05-18
    std::vector<Ext> extensions;
    std::vector<std::pair<std::string, std::string>> san_dirname;  // TPM SAN attributes
    std::vector<std::string> san_dns;
    std::string eku;                                           // an OID, or empty
    const EVP_MD* md = EVP_sha256();
    long version = X509_VERSION_3;
    long serial = 1;
};

inline X509_NAME* make_name(const std::vector<std::pair<std::string, std::string>>& fields) {
    X509_NAME* n = X509_NAME_new();
    for (const auto& [k, v] : fields)
        X509_NAME_add_entry_by_txt(n, k.c_str(), MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0);
    return n;
}

// Issues a certificate for `key`; self-signed when issuer is null.
inline X509Ptr make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
    X509Ptr c(X509_new());
    X509_set_version(c.get(), spec.version);
    ASN1_INTEGER_set(X509_get_serialNumber(c.get()), spec.serial);
    X509_NAME* subj = make_name(spec.subject);
    X509_set_subject_name(c.get(), subj);
    X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : subj);
    X509_NAME_free(subj);
    ASN1_TIME_set(X509_getm_notBefore(c.get()), static_cast<time_t>(spec.not_before));
    ASN1_TIME_set(X509_getm_notAfter(c.get()), static_cast<time_t>(spec.not_after));
    X509_set_pubkey(c.get(), key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : c.get(), c.get(), nullptr, nullptr, 0);
    if (spec.ca) {
        X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, *spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
        X509_add_ext(c.get(), e, -1);
        X509_EXTENSION_free(e);
    }
    if (!spec.eku.empty()) {
        X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, NID_ext_key_usage, spec.eku.c_str());
        X509_add_ext(c.get(), e, -1);
        X509_EXTENSION_free(e);
    }
    if (!spec.san_dirname.empty() || !spec.san_dns.empty()) {
        GENERAL_NAMES* names = GENERAL_NAMES_new();
        if (!spec.san_dirname.empty()) {
            GENERAL_NAME* gn = GENERAL_NAME_new();
            gn->type = GEN_DIRNAME;
            gn->d.directoryName = make_name(spec.san_dirname);
            sk_GENERAL_NAME_push(names, gn);
        }
        for (const auto& dns : spec.san_dns) {
            GENERAL_NAME* gn = GENERAL_NAME_new();
            ASN1_IA5STRING* s = ASN1_IA5STRING_new();
            ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size()));
            GENERAL_NAME_set0_value(gn, GEN_DNS, s);
            sk_GENERAL_NAME_push(names, gn);
        }
        X509_add1_ext_i2d(c.get(), NID_subject_alt_name, names, spec.subject.empty() ? 1 : 0, 0);
        GENERAL_NAMES_free(names);
    }
    for (const auto& x : spec.extensions) {
        ASN1_OBJECT* obj = OBJ_txt2obj(x.oid.c_str(), 1);
        ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, x.value.data(), static_cast<int>(x.value.size()));
        X509_EXTENSION* e = X509_EXTENSION_create_by_OBJ(nullptr, obj, x.critical ? 1 : 0, os);
        X509_add_ext(c.get(), e, -1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    const EVP_MD* md = EVP_PKEY_get_base_id(issuer_key) == EVP_PKEY_ED25519 ? nullptr : spec.md;
    X509_sign(c.get(), issuer_key, md);
    return c;
}

inline Bytes der_of(X509* c) { return att::certificate_der(c); }

inline std::string pem_of(X509* c) {
    const Bytes der = der_of(c);
    const std::string b64 = base64_encode(der);
    std::string out = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
    return out + "-----END CERTIFICATE-----\n";
}

// Signs data; ECDSA signatures come out DER-encoded (as WebAuthn carries them).
inline Bytes sign(EVP_PKEY* key, const EVP_MD* md, ByteView data, bool pss = false) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx, &pctx, md, nullptr, key);
    if (pss) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    std::size_t n = 0;
    EVP_DigestSign(ctx, nullptr, &n, data.data(), data.size());
    Bytes sig(n);
    EVP_DigestSign(ctx, sig.data(), &n, data.data(), data.size());
    sig.resize(n);
    EVP_MD_CTX_free(ctx);
    return sig;
}

// DER builders.
inline Bytes der_tlv(std::uint8_t id, ByteView body) {
    Bytes out{id};
    const std::size_t n = body.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}
// Context-specific constructed [tag] with a high tag number when needed.
inline Bytes der_explicit(std::uint32_t tag, ByteView inner) {
    Bytes id;
    if (tag < 31) {
        id.push_back(static_cast<std::uint8_t>(0xa0 | tag));
    } else {
        id.push_back(0xbf);
        Bytes t;
        for (std::uint32_t v = tag; v != 0; v >>= 7) t.insert(t.begin(), static_cast<std::uint8_t>((v & 0x7f) | (t.empty() ? 0 : 0x80)));
        id.insert(id.end(), t.begin(), t.end());
    }
    Bytes len = der_tlv(0, inner);  // reuse the length encoding
    id.insert(id.end(), len.begin() + 1, len.end());
    return id;
}
inline Bytes der_int(std::int64_t v) {
    Bytes b;
    do {
        b.insert(b.begin(), static_cast<std::uint8_t>(v & 0xff));
        v >>= 8;
    } while (!((v == 0 && (b[0] & 0x80) == 0) || (v == -1 && (b[0] & 0x80) != 0)));
    return der_tlv(0x02, b);
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// ---- Shared fixtures -----------------------------------------------------------------------

inline constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14, inside every generated validity period
inline const Bytes kAaguid = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

inline webauthn::AttestationPolicy policy_at(std::int64_t t = kNow) {
    webauthn::AttestationPolicy p;
    p.verification_time = t;
    return p;
}

// The aaguid extension value: OCTET STRING of 16 bytes.
inline Bytes aaguid_ext(const Bytes& aaguid) { return der_tlv(0x04, aaguid); }

// A CA and an attestation leaf under it.
struct Pki {
    PkeyPtr root_key = gen_ec();
    X509Ptr root;
    Pki() : Pki("Test Attestation Root") {}
    explicit Pki(const char* cn) {
        CertSpec s;
        s.subject = {{"CN", cn}, {"O", "mfakit tests"}};
        s.ca = true;
        root = make_cert(s, root_key.get(), nullptr, root_key.get());
    }
    X509Ptr issue(const CertSpec& s, EVP_PKEY* key) const { return make_cert(s, key, root.get(), root_key.get()); }
};

inline CertSpec packed_leaf_spec() {
    CertSpec s;
    s.subject = {{"C", "US"}, {"O", "mfakit"}, {"OU", "Authenticator Attestation"}, {"CN", "Test Batch 1"}};
    s.ca = false;
    s.extensions = {{"1.3.6.1.4.1.45724.1.1.4", false, aaguid_ext(kAaguid)}};
    return s;
}

// The data a test credential produces: authData bytes are opaque to the format procedures except
// through the Subject fields, so any bytes do.
struct Cred {
    PkeyPtr key;
    std::int64_t alg;
    Bytes auth_data = Bytes(37 + 16, 0x5a);
    Bytes cdh = Bytes(32, 0xc5);
    Bytes rp_id_hash = Bytes(32, 0x11);
    Bytes cred_id = Bytes(16, 0x77);
    att::Subject subject() const {
        att::Subject s;
        s.raw_auth_data = auth_data;
        s.client_data_hash = cdh;
        s.rp_id_hash = rp_id_hash;
        s.aaguid = kAaguid;
        s.credential_id = cred_id;
        s.credential_key = key.get();
        s.credential_alg = alg;
        return s;
    }
    Bytes to_sign() const { return cat({auth_data, cdh}); }
};

inline Cred ec_cred() { return Cred{gen_ec(), -7}; }

inline att::Statement stmt(std::optional<std::int64_t> alg, const Bytes* sig, const std::vector<Bytes>* x5c) {
    att::Statement st;
    st.alg = alg;
    if (sig) st.sig = ByteView(*sig);
    if (x5c) {
        std::vector<ByteView> v(x5c->begin(), x5c->end());
        st.x5c = std::move(v);
    }
    st.member_count = (alg ? 1 : 0) + (sig ? 1 : 0) + (x5c ? 1 : 0);
    return st;
}

}  // namespace mfa::test
