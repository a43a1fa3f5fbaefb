// otpauth:// parsing of untrusted text (a scanned QR code): must never crash; whatever parses must
// format to a canonical URI that parses back to the same account, and formatting that again must
// give the same text. Every issuer policy is exercised.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/otpauth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (mfa::IssuerPolicy policy :
         {mfa::IssuerPolicy::strict, mfa::IssuerPolicy::prefer_param, mfa::IssuerPolicy::prefer_label}) {
        auto acc = mfa::parse_otpauth_uri(text, {policy});
        if (!acc) continue;
        (void)mfa::lint_for_google_authenticator(*acc);
        auto uri = mfa::format_otpauth_uri(*acc);
        // Whatever parsed satisfies every rule of the canonical form, except perhaps its length:
        // percent-encoding and written-out defaults can make it longer than the input.
        if (!uri) {
            if (uri.code() == mfa::Errc::uri_too_long) continue;
            std::abort();
        }
        auto again = mfa::parse_otpauth_uri(uri->view());
        if (!again || !mfa::same_account(*acc, *again)) std::abort();
        auto uri2 = mfa::format_otpauth_uri(*again);
        if (!uri2 || uri2->view() != uri->view()) std::abort();
    }
    (void)mfa::lint_uri_for_google_authenticator(text);
    return 0;
}
