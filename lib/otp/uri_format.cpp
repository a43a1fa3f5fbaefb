// The canonical otpauth:// URI, and the Account helpers.
#include <algorithm>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/otpauth.hpp"
#include "percent.hpp"
#include "text.hpp"

namespace mfa {

using namespace otpauth_detail;

Account Account::clone() const {
    Account a;
    a.issuer = issuer;
    a.name = name;
    a.secret = secret.clone();
    a.params = params;
    a.extra = extra;
    return a;
}

bool same_account(const Account& a, const Account& b) noexcept {
    const OtpParams& p = a.params;
    const OtpParams& q = b.params;
    if (a.issuer != b.issuer || a.name != b.name || a.extra != b.extra) return false;
    if (p.type != q.type || p.algorithm != q.algorithm) return false;
    switch (p.type) {
        case OtpType::hotp:
            if (p.digits != q.digits || p.counter != q.counter) return false;
            break;
        case OtpType::totp:
            if (p.digits != q.digits || p.period != q.period || p.t0 != q.t0) return false;
            break;
        case OtpType::steam:
            if (p.period != q.period || p.t0 != q.t0) return false;
            break;
    }
    return ct_equal(a.secret.view(), b.secret.view());
}

namespace {

bool is_known_key(std::string_view k) noexcept {
    for (std::string_view known : {"secret", "issuer", "algorithm", "digits", "period", "counter", "encoder"})
        if (iequals(k, known)) return true;
    return false;
}

Status check_extra(const Account& a) {
    if (a.extra.size() > kMaxUriExtraParameters)
        return Error(Errc::limit_exceeded, std::to_string(a.extra.size()) + " extra parameters; the limit is " +
                                               std::to_string(kMaxUriExtraParameters));
    for (std::size_t i = 0; i < a.extra.size(); ++i) {
        const auto& [key, value] = a.extra[i];
        const std::string field = "extra parameter " + std::to_string(i);
        if (key.empty()) return Error(Errc::uri_parameter, field + " has an empty name");
        if (is_known_key(key))
            return Error(Errc::uri_parameter, field + " '" + key + "' would be read as the known parameter");
        // Keys and values may hold ':' (image=https://...); only UTF-8 without controls is required.
        for (const std::string* s : {&key, &value}) {
            Utf8Checker u;
            for (std::size_t j = 0; j < s->size(); ++j) {
                const auto c = static_cast<unsigned char>((*s)[j]);
                if (!u.feed(c, j) || is_control(c))
                    return Error(Errc::uri_parameter, field + ": invalid UTF-8 or control character at byte " +
                                                          std::to_string(j));
            }
            if (!u.finish()) return Error(Errc::uri_parameter, field + ": truncated UTF-8");
        }
    }
    return {};
}

}  // namespace

Result<SecretString> format_otpauth_uri(const Account& a) {
    MFA_TRY(check_account_text(a.issuer, "issuer", kMaxIssuerLength, Errc::uri_label));
    MFA_TRY(check_account_text(a.name, "account name", kMaxAccountNameLength, Errc::uri_label));
    MFA_TRY(check_account_shape(a, Errc::uri_label, "account"));
    if (a.secret.empty()) return Error(Errc::uri_secret, "the secret is empty");
    if (a.secret.size() > kMaxSecretBytes)
        return Error(Errc::otp_secret_too_long, "secret is " + std::to_string(a.secret.size()) +
                                                    " bytes; the limit is " + std::to_string(kMaxSecretBytes));

    // Only the fields that matter for the type are written; the others get their defaults so that
    // validate() judges what the URI will say.
    OtpParams p = a.params;
    if (p.type == OtpType::hotp) {
        p.period = OtpParams{}.period;
        p.t0 = 0;
    } else {
        p.counter = 0;
    }
    if (p.type == OtpType::steam) {
        p.digits = kSteamDigits;
        if (p.algorithm != HashAlg::sha1)
            return Error(Errc::uri_parameter, "algorithm: Steam codes use SHA1, not " +
                                                  std::string(hash_name(p.algorithm)));
    }
    if (p.t0 != 0)
        return Error(Errc::invalid_argument, "t0 " + std::to_string(p.t0) + " cannot be written in an otpauth URI");
    MFA_TRY(validate(p));
    MFA_TRY(check_extra(a));

    std::string head = p.type == OtpType::hotp ? "otpauth://hotp/" : "otpauth://totp/";
    // A ':' inside the issuer or name is %3A; the literal ':' is the separator. A name with a ':'
    // and no issuer follows an empty issuer (":a%3Ab"), so that it is not read as issuer "a".
    if (label_has_separator(a)) {
        percent_encode_append(a.issuer, head);
        head.push_back(':');
    }
    percent_encode_append(a.name, head);
    head += "?secret=";

    std::string tail;
    if (!a.issuer.empty()) {
        tail += "&issuer=";
        percent_encode_append(a.issuer, tail);
    }
    tail += "&algorithm=";
    tail += hash_name(p.algorithm);
    tail += "&digits=" + std::to_string(p.digits);
    if (p.type == OtpType::hotp)
        tail += "&counter=" + std::to_string(p.counter);
    else
        tail += "&period=" + std::to_string(p.period);
    if (p.type == OtpType::steam) tail += "&encoder=steam";
    for (const auto& [key, value] : a.extra) {
        tail.push_back('&');
        percent_encode_append(key, tail);
        tail.push_back('=');
        percent_encode_append(value, tail);
    }

    SecretString b32 = base32_encode(a.secret.view());
    const std::size_t total = head.size() + b32.size() + tail.size();
    if (total > kMaxUriLength)
        return Error(Errc::uri_too_long, "the URI would be " + std::to_string(total) + " bytes; the limit is " +
                                             std::to_string(kMaxUriLength));
    // One allocation for the result, so no partial copy of the secret is left behind by a regrowth.
    SecretBytes buf(total);
    char* w = reinterpret_cast<char*>(buf.data());
    for (std::string_view part : {std::string_view(head), b32.view(), std::string_view(tail)}) {
        std::copy(part.begin(), part.end(), w);
        w += part.size();
    }
    return SecretString(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
}

}  // namespace mfa
