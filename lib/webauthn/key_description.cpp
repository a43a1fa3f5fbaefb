#include "key_description.hpp"

#include <string>

#include "der.hpp"

namespace mfa::att::android {
namespace {

Error bad(const std::string& what) { return Error(Errc::att_android_key_description, what); }

bool get_int(Reader& r, std::uint32_t tag, std::int64_t& out) {
    Reader t = r;
    ByteView body;
    if (!der::read_expected(t, der::Class::universal, false, tag, body) || !der::parse_int64(body, out)) return false;
    r = t;
    return true;
}

Result<AuthorizationList> parse_list(ByteView seq, const char* name) {
    AuthorizationList out;
    Reader r(seq);
    bool seen_purpose = false, seen_origin = false, seen_all = false;
    while (!r.empty()) {
        der::Tlv f;
        if (!der::read_tlv(r, f)) return bad(std::string(name) + ": malformed member");
        if (f.cls != der::Class::context || !f.constructed) return bad(std::string(name) + ": member is not an EXPLICIT tag");
        Reader inner(f.value);
        if (f.tag == 1) {
            if (seen_purpose) return bad(std::string(name) + ": purpose appears twice");
            seen_purpose = true;
            ByteView set;
            if (!der::read_expected(inner, der::Class::universal, true, der::kSet, set) || !inner.empty())
                return bad(std::string(name) + ": purpose is not a SET OF INTEGER");
            Reader s(set);
            std::vector<std::int64_t> purposes;
            while (!s.empty()) {
                std::int64_t v = 0;
                if (!get_int(s, der::kInteger, v)) return bad(std::string(name) + ": purpose holds a non-INTEGER");
                if (purposes.size() == kMaxPurposes) return bad(std::string(name) + ": more than 16 purposes");
                purposes.push_back(v);
            }
            out.purpose = std::move(purposes);
        } else if (f.tag == 600) {
            if (seen_all) return bad(std::string(name) + ": allApplications appears twice");
            seen_all = true;
            ByteView null_body;
            if (!der::read_expected(inner, der::Class::universal, false, der::kNull, null_body) || !null_body.empty() ||
                !inner.empty())
                return bad(std::string(name) + ": allApplications is not NULL");
            out.all_applications = true;
        } else if (f.tag == 702) {
            if (seen_origin) return bad(std::string(name) + ": origin appears twice");
            seen_origin = true;
            std::int64_t v = 0;
            if (!get_int(inner, der::kInteger, v) || !inner.empty()) return bad(std::string(name) + ": origin is not an INTEGER");
            out.origin = v;
        } else {
            // Skipped member: still one well-formed TLV inside the explicit tag.
            der::Tlv any;
            if (!der::read_tlv(inner, any) || !inner.empty())
                return bad(std::string(name) + ": member [" + std::to_string(f.tag) + "] is malformed");
        }
    }
    return out;
}

}  // namespace

Result<KeyDescription> parse_key_description(ByteView der_bytes) {
    Reader outer(der_bytes);
    ByteView seq;
    if (!der::read_expected(outer, der::Class::universal, true, der::kSequence, seq) || !outer.empty())
        return bad("KeyDescription is not a single SEQUENCE");
    Reader r(seq);
    KeyDescription kd;
    if (!get_int(r, der::kInteger, kd.attestation_version)) return bad("attestationVersion");
    if (!get_int(r, der::kEnumerated, kd.attestation_security_level)) return bad("attestationSecurityLevel");
    if (!get_int(r, der::kInteger, kd.keymaster_version)) return bad("keymasterVersion");
    if (!get_int(r, der::kEnumerated, kd.keymaster_security_level)) return bad("keymasterSecurityLevel");
    if (!der::read_expected(r, der::Class::universal, false, der::kOctetString, kd.attestation_challenge))
        return bad("attestationChallenge");
    if (!der::read_expected(r, der::Class::universal, false, der::kOctetString, kd.unique_id)) return bad("uniqueId");
    ByteView sw, tee;
    if (!der::read_expected(r, der::Class::universal, true, der::kSequence, sw)) return bad("softwareEnforced");
    if (!der::read_expected(r, der::Class::universal, true, der::kSequence, tee)) return bad("teeEnforced");
    auto swl = parse_list(sw, "softwareEnforced");
    if (!swl) return std::move(swl).error();
    auto teel = parse_list(tee, "teeEnforced");
    if (!teel) return std::move(teel).error();
    kd.software_enforced = std::move(*swl);
    kd.tee_enforced = std::move(*teel);
    // Newer versions may append members; they must still be well-formed.
    while (!r.empty()) {
        der::Tlv any;
        if (!der::read_tlv(r, any)) return bad("malformed member after teeEnforced");
    }
    return kd;
}

}  // namespace mfa::att::android
