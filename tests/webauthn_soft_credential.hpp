// Test helper: a credential held in an OpenSSL key, producing registration and assertion JSON the
// way a browser would (toJSON shapes), with every field open to tampering. Used by the WebAuthn
// tests, the benchmark and to write the fuzz seed corpora.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "mfa/cbor.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/webauthn/authdata.hpp"

namespace mfa::test {

struct CeremonySpec {
    std::string type;                 // clientDataJSON.type
    Bytes challenge;
    std::string origin = "https://example.com";
    std::string rp_id = "example.com";   // hashed into rpIdHash
    std::uint8_t flags = webauthn::flag::UP | webauthn::flag::UV;
    std::uint32_t sign_count = 1;
    std::string client_data_extra;    // appended inside clientDataJSON (",\"crossOrigin\":true")
    bool flip_rp_id_hash = false;     // change one byte of rpIdHash
    bool corrupt_signature = false;   // change one byte of the signature
    std::size_t truncate_auth_data = 0;  // drop this many bytes from the end of authData
    std::string fmt = "none";         // registration: "none" or "packed" (self attestation)
    std::optional<Bytes> credential_id;  // registration: override the attested id
    std::optional<Bytes> user_handle; // assertion
    nlohmann::json extensions = nlohmann::json::object();  // clientExtensionResults
};

class SoftCredential {
public:
    explicit SoftCredential(cose::Alg alg) : alg_(alg) {
        switch (alg) {
            case cose::Alg::ES256: key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
            case cose::Alg::EdDSA: key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
            default: key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)); break;
        }
        cose_ = *cose::encode_key(key_, alg);
        id_.resize(16);
        (void)random_fill(id_);
    }
    ~SoftCredential() { EVP_PKEY_free(key_); }
    SoftCredential(const SoftCredential&) = delete;
    SoftCredential& operator=(const SoftCredential&) = delete;

    const Bytes& id() const { return id_; }
    const Bytes& cose_key() const { return cose_; }
    int alg() const { return static_cast<int>(alg_); }

    std::string registration_json(const CeremonySpec& s) const {
        const std::string cdj = client_data(s);
        webauthn::AuthenticatorData ad = header(s);
        webauthn::AttestedCredentialData acd;
        acd.credential_id = s.credential_id.value_or(id_);
        acd.public_key_cbor = cose_;
        ad.attested = std::move(acd);
        Bytes raw = *webauthn::serialize_authenticator_data(ad);
        if (s.flip_rp_id_hash) raw[3] ^= 0x01;
        raw.resize(raw.size() - s.truncate_auth_data);
        cbor::Value stmt{cbor::Map{}};
        if (s.fmt == "packed") {
            Bytes sig = sign(raw, cdj);
            if (s.corrupt_signature) sig[sig.size() / 2] ^= 0x01;
            stmt = cbor::Value(cbor::Map{{"alg", static_cast<std::int64_t>(alg_)}, {"sig", sig}});
        }
        const Bytes ao = *webauthn::encode_attestation_object(s.fmt, stmt, raw);
        nlohmann::json j = {{"id", base64url_encode(id_)},
                            {"rawId", base64url_encode(id_)},
                            {"type", "public-key"},
                            {"response",
                             {{"clientDataJSON", base64url_encode(as_bytes(cdj))},
                              {"attestationObject", base64url_encode(ao)},
                              {"transports", {"usb"}}}},
                            {"clientExtensionResults", s.extensions}};
        return j.dump();
    }

    std::string assertion_json(const CeremonySpec& s) const {
        const std::string cdj = client_data(s);
        Bytes raw = *webauthn::serialize_authenticator_data(header(s));
        if (s.flip_rp_id_hash) raw[3] ^= 0x01;
        Bytes sig = sign(raw, cdj);
        if (s.corrupt_signature) sig[sig.size() / 2] ^= 0x01;
        raw.resize(raw.size() - s.truncate_auth_data);
        nlohmann::json resp = {{"clientDataJSON", base64url_encode(as_bytes(cdj))},
                               {"authenticatorData", base64url_encode(raw)},
                               {"signature", base64url_encode(sig)}};
        if (s.user_handle) resp["userHandle"] = base64url_encode(*s.user_handle);
        nlohmann::json j = {{"id", base64url_encode(id_)},
                            {"rawId", base64url_encode(id_)},
                            {"type", "public-key"},
                            {"response", resp},
                            {"clientExtensionResults", s.extensions}};
        return j.dump();
    }

private:
    static std::string client_data(const CeremonySpec& s) {
        return "{\"type\":\"" + s.type + "\",\"challenge\":\"" + base64url_encode(s.challenge) + "\",\"origin\":\"" +
               s.origin + "\"" + s.client_data_extra + "}";
    }
    static webauthn::AuthenticatorData header(const CeremonySpec& s) {
        webauthn::AuthenticatorData ad;
        SHA256(reinterpret_cast<const unsigned char*>(s.rp_id.data()), s.rp_id.size(), ad.rp_id_hash.data());
        ad.flags = s.flags;
        ad.sign_count = s.sign_count;
        return ad;
    }
    Bytes sign(const Bytes& auth_data, const std::string& cdj) const {
        Bytes msg = auth_data;
        unsigned char h[32];
        SHA256(reinterpret_cast<const unsigned char*>(cdj.data()), cdj.size(), h);
        msg.insert(msg.end(), h, h + 32);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        const char* md = alg_ == cose::Alg::EdDSA ? nullptr : "SHA256";
        EVP_DigestSignInit_ex(ctx, nullptr, md, nullptr, nullptr, key_, nullptr);
        std::size_t n = 0;
        EVP_DigestSign(ctx, nullptr, &n, msg.data(), msg.size());
        Bytes sig(n);
        EVP_DigestSign(ctx, sig.data(), &n, msg.data(), msg.size());
        sig.resize(n);
        EVP_MD_CTX_free(ctx);
        return sig;
    }

    cose::Alg alg_;
    EVP_PKEY* key_ = nullptr;
    Bytes cose_;
    Bytes id_;
};

}  // namespace mfa::test
