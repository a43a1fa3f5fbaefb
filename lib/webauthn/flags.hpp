// Authenticator-data flag checks shared by both ceremonies (internal): UP, UV, BE/BS.
#pragma once

#include <cstdint>
#include <string>

#include "mfa/error.hpp"
#include "mfa/webauthn/authdata.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn::detail {

// §7.1 steps 15-19 / §7.2 steps 16-18.
inline Status check_flags(std::uint8_t flags, const RpConfig& cfg, UserVerification uv) {
    const bool up = flags & flag::UP, uvf = flags & flag::UV, be = flags & flag::BE, bs = flags & flag::BS;
    if (cfg.require_user_presence && !up)
        return Error(Errc::webauthn_user_present, "the UP flag is not set in authenticator data");
    if (uv == UserVerification::required && !uvf)
        return Error(Errc::webauthn_user_verified, "user verification is required but the UV flag is not set");
    if (bs && !be)
        return Error(Errc::webauthn_backup_state, "the BS flag is set without BE (invalid authenticator data)");
    if (cfg.backup_eligible == FlagPolicy::required && !be)
        return Error(Errc::webauthn_backup_state, "policy requires a backup-eligible credential (BE not set)");
    if (cfg.backup_eligible == FlagPolicy::forbidden && be)
        return Error(Errc::webauthn_backup_state, "policy refuses backup-eligible credentials (BE set)");
    if (cfg.backup_state == FlagPolicy::required && !bs)
        return Error(Errc::webauthn_backup_state, "policy requires a backed-up credential (BS not set)");
    if (cfg.backup_state == FlagPolicy::forbidden && bs)
        return Error(Errc::webauthn_backup_state, "policy refuses backed-up credentials (BS set)");
    return {};
}


}  // namespace mfa::webauthn::detail
