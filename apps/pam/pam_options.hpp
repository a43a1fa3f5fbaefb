// pam_mfa's module arguments (docs/pam.md "Options"): one parser for every argument of a
// /etc/pam.d line, fuzzed by fuzz_pam_options. An unknown or malformed argument is an error naming
// it: the module then logs it and fails closed (PAM_SERVICE_ERR).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/store.hpp"

namespace mfa::pam {

enum class Factor : std::uint8_t { totp, key, recovery };
enum class PassMode : std::uint8_t { prompt, try_first_pass, use_first_pass, forward_pass };

inline constexpr std::size_t kMaxOptionLength = 4096;
inline constexpr unsigned kMaxTries = 10;

struct Options {
    std::string store_url = "sqlite:/var/lib/mfa/pam.db";
    std::string keyring_path = "/etc/mfa/pam.keyring";
    std::vector<Factor> factors = {Factor::totp, Factor::recovery};
    bool key_first = false;               // try the security key before the code prompt
    std::string rp_id;                    // the keys' relying party; default origin=, else "pam://<hostname>" (pam-u2f's origin)
    std::string origin;                   // clientDataJSON origin; default rp_id (pam-u2f's origin= is its rp id)
    std::string appid;                    // pam-u2f's appid=: the rp id of its old-format keys; default the rp id
    std::string device;                   // a FIDO2 device path (hid:…, tty:/dev/pts/N); default the first USB key
    bool pin = false;                     // ask for the key's PIN and require user verification
    bool cue = false;                     // tell the user to touch the key
    bool nullok = false;
    std::string org;                      // org=NAME: the toolkit policy deciding who must enroll (grace)
    PassMode pass = PassMode::prompt;
    std::string prompt = "Verification code: ";
    bool echo_code = false;               // echo_verification_code: the code is shown as it is typed
    bool debug = false;
    bool fail_open = false;               // fail=open: step aside (PAM_IGNORE) when the store is down
    std::string enroll_dir;               // DIR/<user>.json instead of ~/.config/mfa/pam-enroll.json
    bool enroll = true;                   // noenroll: never import an enrollment file
    bool migrate_google_authenticator = false;
    std::string ga_secret_path = "~/.google_authenticator";  // secret=PATH (${USER}, ${HOME}, ~)
    bool migrate_pam_u2f = false;
    std::string u2f_authfile = "~/.config/Yubico/u2f_keys";  // authfile=PATH; relative: to the home directory
    unsigned window = 1;                  // time steps accepted each side of now
    unsigned tries = 1;                   // prompts per authentication
    std::string issuer = "mfakit";        // recorded with imported factors
    store::ThrottleRule throttle;         // free_failures= delay= max_delay= lock_after= lock_duration=

    bool allows(Factor f) const noexcept;
};

// Parses argv as PAM passes it (pam_sm_authenticate's argc/argv). Errors: invalid_argument whose
// detail names the argument (its name only: a value might be a secret typed in the wrong place).
Result<Options> parse_options(const std::vector<std::string_view>& args);

// "~", "~/…", "${HOME}" and "${USER}" in a path option, for a user and home directory.
std::string expand_path(std::string_view pattern, std::string_view user, std::string_view home);

}  // namespace mfa::pam
