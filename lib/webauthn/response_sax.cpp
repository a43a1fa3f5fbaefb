#include "response_sax.hpp"

#include <string>
#include <vector>

namespace mfa::webauthn::detail {
namespace {

// Where a value goes: a root member or a member of "response" the parsers read; anything else is skipped.
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

class ResponseSax final : public json::Sink {
public:
    explicit ResponseSax(ScannedResponse& out) : out_(out) { frames_.reserve(8); }

    bool null() override {
        if (capturing()) return forward([](json::DomBuilder& b) { return b.null(); });
        return scalar(ScannedString::Kind::null, nullptr);
    }
    bool boolean(bool v) override {
        if (capturing()) return forward([v](json::DomBuilder& b) { return b.boolean(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_integer(std::int64_t v) override {
        if (capturing()) return forward([v](json::DomBuilder& b) { return b.number_integer(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_unsigned(std::uint64_t v) override {
        if (capturing()) return forward([v](json::DomBuilder& b) { return b.number_unsigned(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool number_float(double v) override {
        if (capturing()) return forward([v](json::DomBuilder& b) { return b.number_float(v); });
        return scalar(ScannedString::Kind::other, nullptr);
    }
    bool string(std::string& v) override {
        if (capturing()) return forward([&v](json::DomBuilder& b) { return b.string(v); });
        return scalar(ScannedString::Kind::string, &v);
    }
    bool start_object() override {
        if (capturing()) return forward([](json::DomBuilder& b) { return b.start_object(); });
        return open(true);
    }
    bool start_array() override {
        if (capturing()) return forward([](json::DomBuilder& b) { return b.start_array(); });
        return open(false);
    }
    bool end_object() override {
        if (capture_) return forward([](json::DomBuilder& b) { return b.end_object(); });
        return close();
    }
    bool end_array() override {
        if (capture_) return forward([](json::DomBuilder& b) { return b.end_array(); });
        return close();
    }
    bool key(std::string& k) override {
        if (capture_) return forward([&k](json::DomBuilder& b) { return b.key(k); });
        const Where w = frames_.back();
        slot_ = w == Where::root ? root_slot(k) : w == Where::response ? response_slot(k) : Slot::none;
        return true;
    }

private:
    enum class Where : std::uint8_t { root, response, skipped };

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
    // value goes to a DomBuilder.
    bool begin_capture() {
        std::optional<Json>* target = captured(slot_);
        if (target == nullptr) return false;
        target->emplace();
        capture_.emplace(**target);
        return true;
    }
    template <class F>
    bool forward(F&& event) {
        if (!event(*capture_)) return reject(capture_->reason());
        if (capture_->done()) {
            capture_.reset();
            slot_ = Slot::none;
        }
        return true;
    }

    bool capturing() { return capture_ || begin_capture(); }

    bool scalar(ScannedString::Kind kind, std::string* v) {
        if (ScannedString* f = field(slot_)) {
            f->kind = kind;
            if (v != nullptr) f->text = std::move(*v);
        }
        slot_ = Slot::none;
        return true;
    }

    bool open(bool object) {
        if (frames_.empty()) {
            out_.root_is_object = object;
            frames_.push_back(object ? Where::root : Where::skipped);
            return true;
        }
        Where where = Where::skipped;
        if (slot_ == Slot::response && object && frames_.back() == Where::root) {
            out_.response_is_object = true;
            where = Where::response;
        } else if (ScannedString* f = field(slot_)) {
            f->kind = ScannedString::Kind::other;
        }
        slot_ = Slot::none;
        frames_.push_back(where);
        return true;
    }
    bool close() {
        frames_.pop_back();
        slot_ = Slot::none;
        return true;
    }

    ScannedResponse& out_;
    std::vector<Where> frames_;
    Slot slot_ = Slot::none;
    std::optional<json::DomBuilder> capture_;
};

}  // namespace

Result<ScannedResponse> scan_response(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what) {
    ScannedResponse out;
    ResponseSax sax(out);
    if (auto st = json::read(text, sax, {.code = code, .what = what, .max_bytes = max_bytes}); !st)
        return std::move(st).error();
    return out;
}

}  // namespace mfa::webauthn::detail
