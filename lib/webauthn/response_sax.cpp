#include "response_sax.hpp"

#include <set>
#include <string>
#include <vector>

namespace mfa::webauthn::detail {
namespace {

// Where a value goes. Root members and members of "response" the parsers read are "known": their
// duplicates are caught by a bit per name; any other member name goes into its object's set.
enum class Slot : std::uint8_t {
    none,  // skipped
    type, id, raw_id, attachment, cer, legacy_ext, legacy_transports, response,           // root
    client_data_json, authenticator_data, signature, user_handle, attestation_object, transports,  // response
};

Slot root_slot(std::string_view k) {
    if (k == "type") return Slot::type;
    if (k == "id") return Slot::id;
    if (k == "rawId") return Slot::raw_id;
    if (k == "authenticatorAttachment") return Slot::attachment;
    if (k == "clientExtensionResults") return Slot::cer;
    if (k == "extensions") return Slot::legacy_ext;
    if (k == "transports") return Slot::legacy_transports;
    if (k == "response") return Slot::response;
    return Slot::none;
}

Slot response_slot(std::string_view k) {
    if (k == "clientDataJSON") return Slot::client_data_json;
    if (k == "authenticatorData") return Slot::authenticator_data;
    if (k == "signature") return Slot::signature;
    if (k == "userHandle") return Slot::user_handle;
    if (k == "attestationObject") return Slot::attestation_object;
    if (k == "transports") return Slot::transports;
    return Slot::none;
}

class ResponseSax : public SaxTypes {
public:

    explicit ResponseSax(ScannedResponse& out) : out_(out) { frames_.reserve(8); }

    bool null() {
        if (capturing()) return forward([](DomBuilder& b) { return b.null(); });
        return scalar(ScannedString::Kind::null, nullptr);
    }
    bool boolean(bool v) {
        if (capturing()) return forward([v](DomBuilder& b) { return b.boolean(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_integer(number_integer_t v) {
        if (capturing()) return forward([v](DomBuilder& b) { return b.number_integer(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_unsigned(number_unsigned_t v) {
        if (capturing()) return forward([v](DomBuilder& b) { return b.number_unsigned(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_float(number_float_t v, const string_t& s) {
        if (capturing()) return forward([v, &s](DomBuilder& b) { return b.number_float(v, s); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool string(string_t& v) {
        if (capturing()) return forward([&v](DomBuilder& b) { return b.string(v); });
        return scalar(ScannedString::Kind::string, &v);
    }
    bool binary(binary_t&) { return fail("binary values are not JSON"); }

    bool start_object(std::size_t n) {
        if (capturing()) return forward([n](DomBuilder& b) { return b.start_object(n); });
        return open(true);
    }
    bool start_array(std::size_t n) {
        if (capturing()) return forward([n](DomBuilder& b) { return b.start_array(n); });
        return open(false);
    }
    bool end_object() {
        if (capture_) return forward([](DomBuilder& b) { return b.end_object(); });
        frames_.pop_back();
        slot_ = Slot::none;
        return true;
    }
    bool end_array() {
        if (capture_) return forward([](DomBuilder& b) { return b.end_array(); });
        frames_.pop_back();
        slot_ = Slot::none;
        return true;
    }
    bool key(string_t& k) {
        if (capture_) return forward([&k](DomBuilder& b) { return b.key(k); });
        Frame& f = frames_.back();
        slot_ = f.where == Where::root ? root_slot(k) : f.where == Where::response ? response_slot(k) : Slot::none;
        if (slot_ != Slot::none) {
            const std::uint32_t bit = 1u << static_cast<unsigned>(slot_);
            if (f.known & bit) return fail("duplicate member \"" + k + "\"");
            f.known |= bit;
            return true;
        }
        if (!f.others.insert(k).second) return fail("duplicate member \"" + k + "\"");
        return true;
    }
    bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception&) {
        error_ = syntax_error_text(pos, token);
        return false;
    }

    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    enum class Where : std::uint8_t { root, response, skipped };
    struct Frame {
        Where where;
        std::uint32_t known = 0;
        std::set<std::string> others;  // allocates only for member names the parsers do not read
    };

    bool fail(std::string msg) {
        error_ = std::move(msg);
        return false;
    }

    std::optional<Json>* captured(Slot s) {
        switch (s) {
            case Slot::cer: return &out_.client_extension_results;
            case Slot::legacy_ext: return &out_.legacy_extensions;
            case Slot::legacy_transports: return &out_.legacy_transports;
            case Slot::transports: return &out_.transports;
            default: return nullptr;
        }
    }
    ScannedString* field(Slot s) {
        switch (s) {
            case Slot::type: return &out_.type;
            case Slot::id: return &out_.id;
            case Slot::raw_id: return &out_.raw_id;
            case Slot::attachment: return &out_.authenticator_attachment;
            case Slot::client_data_json: return &out_.client_data_json;
            case Slot::authenticator_data: return &out_.authenticator_data;
            case Slot::signature: return &out_.signature;
            case Slot::user_handle: return &out_.user_handle;
            case Slot::attestation_object: return &out_.attestation_object;
            default: return nullptr;
        }
    }

    // The value of a member the caller keeps as a DOM starts: every event up to the end of that
    // value goes to a DomBuilder limited to the nesting depth still allowed here.
    bool begin_capture() {
        std::optional<Json>* target = captured(slot_);
        if (target == nullptr) return false;
        target->emplace();
        capture_.emplace(**target, kMaxJsonDepth - frames_.size());
        return true;
    }
    template <class F>
    bool forward(F&& event) {
        if (!event(*capture_)) {
            error_ = capture_->error();
            return false;
        }
        if (capture_->done()) {
            capture_.reset();
            slot_ = Slot::none;
        }
        return true;
    }

    bool capturing() { return capture_ || begin_capture(); }

    bool scalar(ScannedString::Kind kind, string_t* v) {
        if (ScannedString* f = field(slot_)) {
            f->kind = kind;
            if (v != nullptr) f->text = std::move(*v);
        }
        slot_ = Slot::none;
        return true;
    }

    bool open(bool object) {
        if (frames_.size() >= kMaxJsonDepth) return fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
        if (frames_.empty()) {
            out_.root_is_object = object;
            frames_.push_back(Frame{object ? Where::root : Where::skipped, 0, {}});
            return true;
        }
        Where where = Where::skipped;
        if (slot_ == Slot::response && object && frames_.back().where == Where::root) {
            out_.response_is_object = true;
            where = Where::response;
        } else if (ScannedString* f = field(slot_)) {
            f->kind = ScannedString::Kind::other;
        }
        slot_ = Slot::none;
        frames_.push_back(Frame{where, 0, {}});
        return true;
    }

    ScannedResponse& out_;
    std::vector<Frame> frames_;
    Slot slot_ = Slot::none;
    std::optional<DomBuilder> capture_;
    std::string error_;
};

}  // namespace

Result<ScannedResponse> scan_response(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what) {
    if (text.size() > max_bytes)
        return Error(Errc::limit_exceeded, std::string(what) + " is " + std::to_string(text.size()) +
                                               " bytes, limit " + std::to_string(max_bytes));
    ScannedResponse out;
    ResponseSax sax(out);
    const bool ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::json::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) return Error(code, std::string(what) + ": " + sax.error());
    return out;
}

}  // namespace mfa::webauthn::detail
