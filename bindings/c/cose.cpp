// C ABI over mfa::cose.
#include "abi.hpp"
#include "mfa/cose.hpp"
#include "mfa/mfa_cose.h"

namespace {

mfa::Result<mfa::cose::PublicKey> load_key(const uint8_t* key, size_t len, unsigned flags) {
    mfa::cbor::DecodeOptions o;
    o.canonical = (flags & MFA_COSE_LENIENT_CBOR) == 0;
    return mfa::cose::decode_key(mfa::ByteView(key, len), o);
}

}  // namespace

extern "C" {

MFA_EXPORT int mfa_cose_key_alg(int64_t* alg, const uint8_t* cose_key, size_t cose_key_len, unsigned flags) {
    return mfa::abi::guarded([&] {
        if (alg == nullptr || cose_key == nullptr) return mfa::abi::fail(mfa::Errc::invalid_argument, "NULL argument");
        auto key = load_key(cose_key, cose_key_len, flags);
        if (!key) return mfa::abi::fail(key.error());
        *alg = static_cast<int64_t>(key->alg);
        return MFA_OK;
    });
}

MFA_EXPORT int mfa_cose_verify(const uint8_t* cose_key, size_t cose_key_len, const uint8_t* data, size_t data_len,
                               const uint8_t* sig, size_t sig_len, unsigned flags) {
    return mfa::abi::guarded([&] {
        if (cose_key == nullptr || sig == nullptr || (data == nullptr && data_len != 0))
            return mfa::abi::fail(mfa::Errc::invalid_argument, "NULL argument");
        auto key = load_key(cose_key, cose_key_len, flags);
        if (!key) return mfa::abi::fail(key.error());
        mfa::cose::VerifyOptions opts;
        opts.allow_rs1 = (flags & MFA_COSE_ALLOW_RS1) != 0;
        opts.ecdsa_format = (flags & MFA_COSE_ECDSA_RAW) ? mfa::cose::EcdsaFormat::raw : mfa::cose::EcdsaFormat::der;
        static const uint8_t kEmpty = 0;
        auto st = mfa::cose::verify_signature(key->alg, key->pkey.get(),
                                              mfa::ByteView(data ? data : &kEmpty, data_len), mfa::ByteView(sig, sig_len),
                                              opts);
        if (!st) return mfa::abi::fail(st.error());
        return MFA_OK;
    });
}

}  // extern "C"
