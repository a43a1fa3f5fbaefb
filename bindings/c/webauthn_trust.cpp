// C ABI for attestation trust anchors (mfa_webauthn_trust.h) over mfa::webauthn::TrustAnchors.
#include "webauthn_trust.hpp"

#include <string_view>

#include "abi.hpp"

using namespace mfa;

namespace {

std::string_view fmt_arg(const char* fmt) { return fmt == nullptr ? std::string_view() : std::string_view(fmt); }

}  // namespace

extern "C" {

int mfa_webauthn_trust_new(mfa_webauthn_trust_t** out) {
    return abi::guarded([&] {
        if (out == nullptr) return abi::fail(Errc::invalid_argument, "out is NULL");
        *out = new mfa_webauthn_trust_t();
        return MFA_OK;
    });
}

void mfa_webauthn_trust_free(mfa_webauthn_trust_t** anchors) {
    if (anchors == nullptr) return;
    delete *anchors;
    *anchors = nullptr;
}

int mfa_webauthn_trust_add_pem(mfa_webauthn_trust_t* anchors, const char* fmt, const char* pem, size_t len) {
    return abi::guarded([&] {
        if (anchors == nullptr || (pem == nullptr && len != 0)) return abi::fail(Errc::invalid_argument, "anchors or pem is NULL");
        auto st = anchors->anchors.add_pem(fmt_arg(fmt), std::string_view(pem == nullptr ? "" : pem, len));
        return st ? MFA_OK : abi::fail(st.error());
    });
}

int mfa_webauthn_trust_add_der(mfa_webauthn_trust_t* anchors, const char* fmt, const uint8_t* der, size_t len) {
    return abi::guarded([&] {
        if (anchors == nullptr || der == nullptr) return abi::fail(Errc::invalid_argument, "anchors or der is NULL");
        auto st = anchors->anchors.add_der(fmt_arg(fmt), ByteView(der, len));
        return st ? MFA_OK : abi::fail(st.error());
    });
}

int mfa_webauthn_trust_add_dir(mfa_webauthn_trust_t* anchors, const char* dir) {
    return abi::guarded([&] {
        if (anchors == nullptr || dir == nullptr) return abi::fail(Errc::invalid_argument, "anchors or dir is NULL");
        auto st = anchors->anchors.add_directory(dir);
        return st ? MFA_OK : abi::fail(st.error());
    });
}

int mfa_webauthn_trust_load_mds_blob(mfa_webauthn_trust_t* anchors, const char* path, const char* root_pem, size_t root_len,
                                    int64_t verification_time) {
    return abi::guarded([&] {
        if (anchors == nullptr || path == nullptr || root_pem == nullptr)
            return abi::fail(Errc::invalid_argument, "anchors, path or root_pem is NULL");
        std::optional<std::int64_t> t;
        if (verification_time != 0) t = verification_time;
        auto st = anchors->anchors.load_mds_blob_file(path, std::string_view(root_pem, root_len), t);
        return st ? MFA_OK : abi::fail(st.error());
    });
}

int mfa_webauthn_trust_get_count(const mfa_webauthn_trust_t* anchors, size_t* roots, size_t* mds_entries) {
    return abi::guarded([&] {
        if (anchors == nullptr) return abi::fail(Errc::invalid_argument, "anchors is NULL");
        if (roots != nullptr) *roots = anchors->anchors.size();
        if (mds_entries != nullptr) {
            const auto* mds = anchors->anchors.mds();
            *mds_entries = mds == nullptr ? 0 : mds->entries.size();
        }
        return MFA_OK;
    });
}

}  // extern "C"
