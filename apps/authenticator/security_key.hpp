// The security key behind `--key` and `mfa slot add-key`: the first FIDO2 authenticator found over
// USB HID (libfido2), used through the vault's HmacSecretProvider interface. When the
// authenticator has a PIN, it is asked for on the terminal.
#pragma once

#include <memory>

#include "command.hpp"
#include "mfa/vault.hpp"

namespace mfa::app {

Result<std::unique_ptr<HmacSecretProvider>> open_security_key(Context& ctx);

}  // namespace mfa::app
