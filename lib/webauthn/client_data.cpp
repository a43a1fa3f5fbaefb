#include "mfa/webauthn/client_data.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/json.hpp"

namespace mfa::webauthn {
namespace {

// A pass straight into ClientData, without building a DOM: clientDataJSON is parsed on every login,
// and only six members matter. Only members of the top-level object and of the tokenBinding object
// are read; everything else is checked by the strict reader and skipped.
class ClientDataSax final : public json::Sink {
public:
    explicit ClientDataSax(ClientData& out) : cd_(out) {}

    bool null() override { return scalar(Kind::null_, nullptr, false); }
    bool boolean(bool v) override { return scalar(Kind::boolean, nullptr, v); }
    bool number_integer(std::int64_t) override { return scalar(Kind::number, nullptr, false); }
    bool number_unsigned(std::uint64_t) override { return scalar(Kind::number, nullptr, false); }
    bool number_float(double) override { return scalar(Kind::number, nullptr, false); }
    bool string(std::string& v) override { return scalar(Kind::string, &v, false); }

    bool start_object() override {
        if (depth_ == 0) {
            depth_ = 1;
            return true;
        }
        if (depth_ == 1 && field_ == Field::token_binding) {
            claim(Field::token_binding);
            cd_.token_binding = ClientData::TokenBinding::object;
            in_token_binding_ = true;
        } else if (depth_ == 1 && field_ != Field::other) {
            return reject(std::string(name(field_)) + " is an object");
        } else if (depth_ == 2 && in_token_binding_ && sub_ != Sub::other) {
            return reject("tokenBinding member is an object");
        }
        ++depth_;
        return true;
    }
    bool start_array() override {
        if (depth_ == 0) return reject("not a JSON object");
        if ((depth_ == 1 && field_ != Field::other) || (depth_ == 2 && in_token_binding_ && sub_ != Sub::other))
            return reject("a known member is an array");
        ++depth_;
        return true;
    }
    bool end_object() override {
        --depth_;
        if (depth_ == 1) in_token_binding_ = false;
        field_ = Field::other;
        return true;
    }
    bool end_array() override {
        --depth_;
        return true;
    }
    bool key(std::string& k) override {
        if (depth_ == 1) field_ = lookup(k);
        else if (depth_ == 2 && in_token_binding_) sub_ = k == "status" ? Sub::status : k == "id" ? Sub::id : Sub::other;
        return true;
    }

    unsigned seen() const { return seen_; }
    std::string challenge_text;

    enum class Field : unsigned { type = 1, challenge = 2, origin = 4, cross_origin = 8, top_origin = 16,
                                  token_binding = 32, other = 0 };

private:
    enum class Kind { null_, boolean, number, string };
    enum class Sub { status, id, other };

    static Field lookup(const std::string& k) {
        if (k == "type") return Field::type;
        if (k == "challenge") return Field::challenge;
        if (k == "origin") return Field::origin;
        if (k == "crossOrigin") return Field::cross_origin;
        if (k == "topOrigin") return Field::top_origin;
        if (k == "tokenBinding") return Field::token_binding;
        return Field::other;
    }
    static const char* name(Field f) {
        switch (f) {
            case Field::type: return "type";
            case Field::challenge: return "challenge";
            case Field::origin: return "origin";
            case Field::cross_origin: return "crossOrigin";
            case Field::top_origin: return "topOrigin";
            case Field::token_binding: return "tokenBinding";
            case Field::other: break;
        }
        return "member";
    }
    // The reader refuses a repeated name, so each member arrives once.
    void claim(Field f) { seen_ |= static_cast<unsigned>(f); }
    bool scalar(Kind kind, std::string* s, bool b) {
        if (depth_ == 0) return reject("not a JSON object");
        if (depth_ == 2 && in_token_binding_) {
            if (sub_ == Sub::other) return true;
            if (kind != Kind::string) return reject("tokenBinding member is not a string");
            (sub_ == Sub::status ? cd_.token_binding_status : cd_.token_binding_id) = std::move(*s);
            return true;
        }
        if (depth_ != 1 || field_ == Field::other) return true;
        const Field f = field_;
        claim(f);
        switch (f) {
            case Field::cross_origin:
                if (kind != Kind::boolean) return reject("crossOrigin is not a boolean");
                cd_.cross_origin = b;
                return true;
            case Field::token_binding:
                if (kind != Kind::string) return reject("tokenBinding is neither an object nor a string");
                cd_.token_binding = ClientData::TokenBinding::legacy_string;
                return true;
            default:
                break;
        }
        if (kind != Kind::string) return reject(std::string(name(f)) + " is not a string");
        switch (f) {
            case Field::type: cd_.type = std::move(*s); break;
            case Field::challenge: challenge_text = std::move(*s); break;
            case Field::origin: cd_.origin = std::move(*s); break;
            case Field::top_origin:
                cd_.top_origin = std::move(*s);
                cd_.has_top_origin = true;
                break;
            default: break;
        }
        return true;
    }

    ClientData& cd_;
    unsigned depth_ = 0;
    Field field_ = Field::other;
    Sub sub_ = Sub::other;
    bool in_token_binding_ = false;
    unsigned seen_ = 0;
};

// Nothing the ceremony reads is deeper than tokenBinding.status; extras get some room.
constexpr std::size_t kMaxClientDataDepth = 16;

bool listed(const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

Result<ClientData> parse_client_data(ByteView text) {
    // UTF-8 decode (WebAuthn §7.1 step 5) drops a leading byte order mark, which the reader refuses.
    std::string_view doc = as_chars(text);
    if (doc.size() <= kMaxClientDataJson && doc.substr(0, 3) == "\xEF\xBB\xBF") doc.remove_prefix(3);
    ClientData cd;
    ClientDataSax sax(cd);
    MFA_TRY(json::read(doc, sax,
                       {.code = Errc::webauthn_client_data, .what = "clientDataJSON", .max_bytes = kMaxClientDataJson,
                        .max_depth = kMaxClientDataDepth}));
    using F = ClientDataSax::Field;
    for (F f : {F::type, F::challenge, F::origin}) {
        if (!(sax.seen() & static_cast<unsigned>(f)))
            return Error(Errc::webauthn_client_data,
                         std::string("clientDataJSON: member \"") +
                             (f == F::type ? "type" : f == F::challenge ? "challenge" : "origin") + "\" is missing");
    }
    auto ch = base64_decode(sax.challenge_text, Base64Mode::lenient);
    if (!ch) return Error(Errc::webauthn_client_data, "clientDataJSON: challenge: " + ch.error().to_string());
    cd.challenge = std::move(*ch);
    return cd;
}

Status check_client_data(const ClientData& cd, const RpConfig& cfg, Ceremony ceremony, ByteView expected_challenge) {
    const std::string_view want_type = ceremony == Ceremony::create ? "webauthn.create" : "webauthn.get";
    if (cd.type != want_type)
        return Error(Errc::webauthn_type, "clientDataJSON.type is \"" + cd.type.substr(0, 64) + "\", expected \"" +
                                              std::string(want_type) + "\"");
    // The challenge is compared in constant time; the detail names the received value only.
    if (!ct_equal(cd.challenge, expected_challenge))
        return Error(Errc::webauthn_challenge, "clientDataJSON.challenge " + base64url_encode(cd.challenge).substr(0, 96) +
                                                   " (" + std::to_string(cd.challenge.size()) +
                                                   " bytes) is not the challenge issued for this ceremony (" +
                                                   std::to_string(expected_challenge.size()) + " bytes)");
    if (!listed(cfg.origins, cd.origin)) {
        std::string allowed;
        for (const auto& o : cfg.origins) allowed += (allowed.empty() ? "" : ", ") + o;
        return Error(Errc::webauthn_origin, "clientDataJSON.origin \"" + cd.origin.substr(0, 256) +
                                                "\" is not an allowed origin (allowed: " + allowed + ")");
    }
    if (cd.cross_origin && !cfg.allow_cross_origin)
        return Error(Errc::webauthn_cross_origin,
                     "clientDataJSON.crossOrigin is true but this relying party does not allow framed ceremonies");
    if (cd.has_top_origin) {
        if (!cfg.allow_cross_origin)
            return Error(Errc::webauthn_top_origin, "clientDataJSON.topOrigin \"" + cd.top_origin.substr(0, 256) +
                                                        "\" present but framed ceremonies are not allowed");
        if (!listed(cfg.top_origins, cd.top_origin))
            return Error(Errc::webauthn_top_origin, "clientDataJSON.topOrigin \"" + cd.top_origin.substr(0, 256) +
                                                        "\" is not an allowed top-level origin");
    }
    if (cfg.token_binding == TokenBindingPolicy::check && cd.token_binding == ClientData::TokenBinding::object) {
        const std::string& st = cd.token_binding_status;
        if (st != "present" && st != "supported")
            return Error(Errc::webauthn_token_binding, "clientDataJSON.tokenBinding.status \"" + st.substr(0, 64) +
                                                           "\" is not \"present\" or \"supported\"");
        if (st == "present") {
            if (cd.token_binding_id.empty())
                return Error(Errc::webauthn_token_binding, "tokenBinding.status is \"present\" without an id");
            if (cfg.token_binding_id) {
                auto id = base64_decode(cd.token_binding_id, Base64Mode::lenient);
                if (!id || !ct_equal(*id, *cfg.token_binding_id))
                    return Error(Errc::webauthn_token_binding, "tokenBinding.id does not match the TLS connection's");
            }
        }
    }
    return {};
}

}  // namespace mfa::webauthn
