/* mfakit C ABI: the soft token, a software CTAP2 authenticator (docs/fido2.md). It serves its
 * state on a pseudo-terminal so that any FIDO2 client (mfa_fido2.h with "tty:/dev/pts/N", libfido2's
 * fido2-token) can use it; mfa_fido2_device_open("soft:FILE") reaches it in-process without a pty.
 *
 * The soft token is NOT a security device: its keys are in an unencrypted file and presence is
 * simulated. It exists for development and tests. Conventions as in mfa_common.h.
 *
 * Thread safety: a served token answers its pty from threads of its own; the handle itself is used
 * by one thread at a time (start, stop and free from the same thread, say).
 */
#ifndef MFA_SOFTTOKEN_H
#define MFA_SOFTTOKEN_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_softtoken mfa_softtoken_t;

#define MFA_SOFTTOKEN_PRESENCE_APPROVE 0 /* every touch request is approved at once (default) */
#define MFA_SOFTTOKEN_PRESENCE_DENY 1    /* every touch request is refused (CTAP2 0x27) */
#define MFA_SOFTTOKEN_ATTESTATION_FULL 0 /* packed with the token's own certificate (default) */
#define MFA_SOFTTOKEN_ATTESTATION_SELF 1 /* packed self attestation */

/* Versioned by struct_size like every options struct (mfa_softtoken_options_init sets it). */
typedef struct mfa_softtoken_options {
    size_t struct_size;           /* sizeof(mfa_softtoken_options_t) */
    int presence;                 /* MFA_SOFTTOKEN_PRESENCE_* */
    int attestation;              /* MFA_SOFTTOKEN_ATTESTATION_* */
    int builtin_uv;               /* 0: none (default); 1: a built-in UV that succeeds; -1: that fails */
    uint32_t reset_window_ms;     /* Reset accepted this long after start; 0 = 10000; UINT32_MAX = always */
} mfa_softtoken_options_t;

/* Fills *options with the defaults and struct_size. */
MFA_EXPORT int mfa_softtoken_options_init(mfa_softtoken_options_t *options);

/* Loads (or creates, mode 0600) the soft token state in state_file (NULL: in memory only) and
 * serves it on a pseudo-terminal, so any FIDO2 program can open it (fido2-token -I /dev/pts/N, or
 * mfa_fido2_device_open with "tty:/dev/pts/N"). options may be NULL. Two threads serve it until
 * mfa_softtoken_stop or mfa_softtoken_free. */
MFA_EXPORT int mfa_softtoken_start(mfa_softtoken_t **token, const char *state_file,
                                   const mfa_softtoken_options_t *options);
/* "/dev/pts/N": the bridge's device path (without the "tty:" scheme) into *path (mfa_free it). */
MFA_EXPORT int mfa_softtoken_get_device_path(const mfa_softtoken_t *token, char **path);
/* Stops serving and closes the pty; idempotent. The handle stays valid for mfa_softtoken_free. */
MFA_EXPORT int mfa_softtoken_stop(mfa_softtoken_t *token);
/* Stops if needed and frees; NULL-safe, nulls the pointer. */
MFA_EXPORT void mfa_softtoken_free(mfa_softtoken_t **token);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_SOFTTOKEN_H */
