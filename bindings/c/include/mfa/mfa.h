/* mfakit C ABI: the umbrella header. Each component has its own header, usable alone; this one
 * includes them all. The conventions (status codes, ownership, buffers) are in mfa_common.h and
 * docs/ABI.md. */
#ifndef MFA_H
#define MFA_H

#include "mfa/mfa_common.h"
#include "mfa/mfa_otp.h"
#include "mfa/mfa_vault.h"
#include "mfa/mfa_cose.h"
#include "mfa/mfa_webauthn_trust.h"
#include "mfa/mfa_fido2.h"
#include "mfa/mfa_softtoken.h"
#include "mfa/mfa_webauthn.h"
#include "mfa/mfa_server.h"
#include "mfa/mfa_qr.h"

#endif /* MFA_H */
