// A relying party's options JSON as the WebAuthn client (fido2::webauthn_create / webauthn_get)
// reads it: from a server the client does not control. The first byte picks the ceremony (even:
// create, odd: get) and the origin (bit 1: a subdomain of example.com); the rest is the JSON. Options
// that parse reach an in-memory soft token, so the request the client builds from them is exercised
// too.
#include <cstdint>
#include <memory>
#include <string_view>

#include "mfa/fido2.hpp"
#include "mfa/softtoken.hpp"

namespace {

mfa::fido2::Device* device() {
    static mfa::fido2::Client client;
    static std::unique_ptr<mfa::fido2::Device> dev = [] {
        mfa::softtoken::Options o;
        o.attestation = mfa::softtoken::Attestation::self;
        auto t = mfa::softtoken::SoftToken::in_memory(std::move(o));
        if (!t) return std::unique_ptr<mfa::fido2::Device>();
        client.soft_tokens().add("fuzz", *t);
        auto d = client.open("soft:fuzz");
        return d ? std::move(*d) : std::unique_ptr<mfa::fido2::Device>();
    }();
    return dev.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    auto* dev = device();
    if (dev == nullptr) return 0;
    const std::string_view options(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string_view origin = (data[0] & 2) ? "https://login.example.com" : "https://example.com";
    if (data[0] & 1)
        (void)mfa::fido2::webauthn_get(*dev, options, origin, std::nullopt);
    else
        (void)mfa::fido2::webauthn_create(*dev, options, origin, std::nullopt);
    return 0;
}
