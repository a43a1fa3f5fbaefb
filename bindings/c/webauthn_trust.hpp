// The C++ object behind mfa_webauthn_trust_t, for the relying-party binding that copies a set into
// its RpConfig (mfa_webauthn_rp_set_trust). Not installed.
#pragma once

#include "mfa/mfa_webauthn_trust.h"
#include "mfa/webauthn/attestation.hpp"

struct mfa_webauthn_trust {
    mfa::webauthn::TrustAnchors anchors;
};
