// The vault's security-key slots on a real FIDO2 device (or the soft token): an HmacSecretProvider
// over mfa::fido2::Device. Credentials are non-resident, ES256, with the hmac-secret extension;
// the hmac-secret salt is the one stored in the slot.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "mfa/fido2.hpp"
#include "mfa/vault.hpp"

namespace mfa {

struct Fido2KeyCallbacks {
    // Asked for the PIN when the device needs one (nullopt: give up).
    std::function<std::optional<SecretString>()> ask_pin;
    // Told when the device waits for a touch.
    std::function<void()> touch;
};

// The device must outlive the provider.
std::unique_ptr<HmacSecretProvider> make_fido2_hmac_provider(fido2::Device& device, Fido2KeyCallbacks callbacks = {});

}  // namespace mfa
