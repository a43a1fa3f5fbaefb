// The encrypted containers of 2FAS and andOTP backups: checking their shape and bounds, deriving the
// key, and opening the AES-256-GCM payload. What the plaintext means is import_apps.cpp's business.
// Internal to lib/vault.
#pragma once

#include "import_json.hpp"

namespace mfa::vault_detail {

// The services JSON of a password-protected 2FAS backup whose top-level object is root. The
// container (schemaVersion, servicesEncrypted, reference) is checked before the password is looked
// at: without one the result is Errc::invalid_argument, with a wrong one Errc::vault_wrong_passphrase.
Result<SecretBytes> open_2fas_services(const Field& root, const SecretString* password);

// The plain JSON inside an encrypted andOTP backup (see vault_import.hpp for the two layouts).
Result<SecretBytes> open_andotp(ByteView data, const SecretString& password, bool old_format);

}  // namespace mfa::vault_detail
