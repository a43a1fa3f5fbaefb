// The C++ object behind mfa_trust_anchors_t, for the relying-party binding that copies a set into
// its RpConfig (mfa_rp_set_trust_anchors). Not installed.
#pragma once

#include "mfa/mfa_webauthn_trust.h"
#include "mfa/webauthn/attestation.hpp"

struct mfa_trust_anchors {
    mfa::webauthn::TrustAnchors anchors;
};
