// Test helpers for the toolkit's security-key tests: a soft token playing the browser, a toolkit
// on a store with a settable clock, and a loop over the store backends.
#pragma once

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/random.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa/softtoken.hpp"
#include "store_backends.hpp"
#include "test_support.hpp"

namespace mfa::test::wa {

using namespace mfa;
using namespace mfa::server;

inline constexpr std::string_view kOrigin = "https://login.example.com";
inline constexpr std::string_view kRpId = "example.com";

inline std::string fresh_user(std::string_view base) {
    std::uint8_t r[6];
    BOOST_REQUIRE(random_fill(r));
    return std::string(base) + "-" + hex_encode(ByteView(r, sizeof r));
}

// A soft token behind the SDK's FIDO2 client, playing the browser for kOrigin. With `resident` it
// makes discoverable credentials; like a browser it answers the credProps extension when the
// options ask for it.
struct Browser {
    fido2::Client client;
    std::shared_ptr<softtoken::SoftToken> token;
    std::unique_ptr<fido2::Device> dev;
    bool uv = false;
    bool resident = false;
    Browser() {
        auto t = softtoken::SoftToken::in_memory({});
        BOOST_REQUIRE(t);
        token = *t;
        client.soft_tokens().add("k", token);
        auto d = client.open("soft:k");
        BOOST_REQUIRE(d);
        dev = std::move(*d);
    }
    static Bytes challenge_of(const std::string& options_json) {
        auto j = nlohmann::json::parse(options_json);
        auto c = base64_decode(j["challenge"].get<std::string>(), Base64Mode::url_strict);
        BOOST_REQUIRE(c);
        return *c;
    }
    std::string create(const std::string& options_json) {
        auto j = nlohmann::json::parse(options_json);
        const auto cd = fido2::make_client_data("webauthn.create", challenge_of(options_json), kOrigin);
        fido2::MakeCredentialRequest req;
        req.client_data_hash = cd.hash;
        req.rp = {j["rp"]["id"].get<std::string>(), "Example"};
        auto uid = base64_decode(j["user"]["id"].get<std::string>(), Base64Mode::url_strict);
        BOOST_REQUIRE(uid);
        req.user = {*uid, j["user"]["name"].get<std::string>(), j["user"]["displayName"].get<std::string>()};
        req.user_verification = uv;
        req.resident = resident;
        if (uv) req.pin = SecretString("4321");
        auto cred = dev->make_credential(req);
        BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
        auto json = fido2::registration_json(*cred, cd);
        BOOST_REQUIRE(json);
        if (!j.contains("extensions") || !j["extensions"].value("credProps", false)) return *json;
        auto out = nlohmann::json::parse(*json);
        out["clientExtensionResults"]["credProps"] = {{"rk", resident}};
        return out.dump();
    }
    std::string get(const std::string& options_json) {
        auto j = nlohmann::json::parse(options_json);
        const auto cd = fido2::make_client_data("webauthn.get", challenge_of(options_json), kOrigin);
        fido2::GetAssertionRequest req;
        req.rp_id = j["rpId"].get<std::string>();
        req.client_data_hash = cd.hash;
        for (const auto& a : j["allowCredentials"]) {
            auto id = base64_decode(a["id"].get<std::string>(), Base64Mode::url_strict);
            BOOST_REQUIRE(id);
            req.allow.push_back(*id);
        }
        req.user_verification = uv;
        if (uv) req.pin = SecretString("4321");
        auto as = dev->get_assertions(req);
        BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
        BOOST_REQUIRE_EQUAL(as->size(), 1u);
        auto json = fido2::authentication_json(as->front(), cd);
        BOOST_REQUIRE(json);
        return *json;
    }
};

struct Server {
    std::int64_t clock = 1'800'000'000;
    std::shared_ptr<store::Store> st;
    std::unique_ptr<Toolkit> tk;
    RequestContext ctx{"", "198.51.100.4"};
    explicit Server(std::shared_ptr<store::Store> s, KeyRing ring, webauthn::UserVerification uv = webauthn::UserVerification::discouraged,
                    webauthn::UserVerification discoverable_uv = webauthn::UserVerification::required)
        : st(std::move(s)) {
        ToolkitConfig cfg;
        cfg.webauthn_discoverable_user_verification = discoverable_uv;
        cfg.clock = [this] { return clock; };
        cfg.throttle.free_failures = 20;  // these tests count outcomes, not delays
        cfg.throttle.lock_after = 100;
        webauthn::RpConfig rp;
        rp.rp_id = std::string(kRpId);
        rp.rp_name = "Example";
        rp.origins = {std::string(kOrigin)};
        rp.user_verification = uv;
        cfg.webauthn = rp;
        auto t = Toolkit::create(st, std::move(ring), std::move(cfg));
        BOOST_REQUIRE_MESSAGE(t, (t ? std::string() : t.error().to_string()));
        tk = std::move(*t);
    }
    SecurityKeyInfo enroll(Browser& b, const std::string& user, const std::string& name = "yubi",
                           ResidentKey rk = ResidentKey::preferred) {
        auto begin = tk->webauthn_register_begin(user, "", rk, ctx);
        BOOST_REQUIRE_MESSAGE(begin, (begin ? std::string() : begin.error().to_string()));
        auto done = tk->webauthn_register_finish(user, b.create(begin->options_json), name, ctx);
        BOOST_REQUIRE_MESSAGE(done, (done ? std::string() : done.error().to_string()));
        return *done;
    }
    std::string begin_login(const std::string& user) {
        auto b = tk->webauthn_login_begin(user, ctx);
        BOOST_REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
        return b->options_json;
    }
    Errc login(const std::string& user, const std::string& json) {
        auto r = tk->webauthn_login_finish(user, json, ctx);
        BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
        return r->status;
    }
};

// Runs f on each backend of store_backends.hpp, its shared store (users are unique: fresh_user).
inline void each_backend(const std::function<void(std::function<std::shared_ptr<store::Store>()>)>& f) {
    each_store_backend(Stores::shared, [&](const std::string&, const StoreOpener& open) { f(open); });
}

inline KeyRing ring() { return std::move(*KeyRing::generate()); }

}  // namespace mfa::test::wa
