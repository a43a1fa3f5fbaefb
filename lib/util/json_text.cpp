#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"

namespace mfa {

void append_json_string(SecretString& out, std::string_view s) {
    // One decision for the whole string, not one per character: the secrets written here (Base32,
    // otpauth URIs, recovery codes, tokens) never need an escape, so their characters steer nothing.
    std::uint32_t special = 0;
    for (unsigned char c : s) special |= ct_lt_mask(c, 0x20) | ct_eq_mask(c, '"') | ct_eq_mask(c, '\\');
    out.push_back('"');
    if (ct_value_barrier(special) == 0) {
        out.append(s);
    } else {
        for (unsigned char c : s) {
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if (c < 0x20) {
                out.append("\\u00");
                out.push_back(static_cast<char>('0' + (c >> 4)));
                out.push_back(static_cast<char>(ct_select(ct_lt_mask(c & 15u, 10), '0' + (c & 15u), 'a' + (c & 15u) - 10u)));
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

}  // namespace mfa
