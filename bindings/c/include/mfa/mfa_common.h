/* mfakit C ABI: the conventions, status codes and library-wide functions every component header
 * (mfa_<component>.h) builds on. Include mfa.h to get all of them.
 *
 * Conventions (docs/ABI.md):
 *  - Every function returns int: MFA_OK (0), a negative MFA_ERR_* code, or (for FIDO2 calls) a
 *    positive CTAP2 status passed through. mfa_strerror() explains any code; after a failure,
 *    mfa_last_error_message() gives the detail (which field, which position) for this thread.
 *  - Handles are opaque: mfa_<thing>_new()/..._free(mfa_<thing>_t **) pairs; free is NULL-safe and
 *    sets the pointer to NULL.
 *  - Arguments: handle, outputs, then inputs. Outputs go to caller buffers (out, cap, &len): when cap
 *    is too small the call fails with MFA_ERR_BUFFER_TOO_SMALL and *len holds the size needed.
 *    Strings written to caller buffers are NUL-terminated and *len excludes the NUL.
 *  - Memory the library allocates for the caller is released with mfa_free().
 *  - No function keeps a pointer it was given; inputs are borrowed for the duration of the call.
 *  - Thread safety: distinct handles may be used from distinct threads; one handle is not to be used
 *    from two threads at once.
 */
#ifndef MFA_COMMON_H
#define MFA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "mfa/mfa_errors.h"
#include "mfa/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MFA_EXPORT __attribute__((visibility("default")))
#else
#define MFA_EXPORT
#endif

/* ---- Status codes (never renumbered; docs/errors.md) ---------------------------------------- */
/* MFA_OK, and MFA_ERR_<NAME> for every row X(NAME, name, code, message) of mfa/mfa_errors.h: int
 * constants (enumeration constants in C, constexpr int in C++, where an enumerator would have a type
 * of its own). */
#ifdef __cplusplus
constexpr int MFA_OK = 0;
#define MFA_ERR_ENTRY_(NAME, name, code, message) constexpr int MFA_ERR_##NAME = (code);
MFA_ERROR_TABLE(MFA_ERR_ENTRY_)
#undef MFA_ERR_ENTRY_
#else
enum mfa_status {
    MFA_OK = 0,
#define MFA_ERR_ENTRY_(NAME, name, code, message) MFA_ERR_##NAME = (code),
    MFA_ERROR_TABLE(MFA_ERR_ENTRY_)
#undef MFA_ERR_ENTRY_
};
#endif

/* ---- Library ---------------------------------------------------------------------------------- */

/* "MAJOR.MINOR.PATCH" of the loaded library (static storage). */
MFA_EXPORT const char *mfa_version(void);
/* MFA_SOVERSION of the loaded library, to compare with the header's at run time. */
MFA_EXPORT int mfa_abi_version(void);
/* The optional components the loaded library was built with, space-separated, in this order:
 * "redis fido2 qr_decode pwquality postgresql pskc" when all are (static storage; "" when none).
 * A call that needs one that is missing fails with MFA_ERR_UNSUPPORTED, naming the Meson option;
 * one that is built but whose shared library is not installed fails the same way, naming the
 * library (docs/dependencies.md). */
MFA_EXPORT const char *mfa_features(void);

/* A sentence for any status code (static storage; never NULL, "unknown error" for unknown codes). */
MFA_EXPORT const char *mfa_strerror(int status);
/* The constant's name of a status code: "MFA_OK", "MFA_ERR_OTP_CODE_REPLAYED", "CTAP2_ERR_PIN_INVALID"
 * for a positive CTAP2 status, "unknown" for any other int (static storage; never NULL). */
MFA_EXPORT const char *mfa_error_name(int status);
/* The detail of the last failure on this thread ("" if none); valid until the next mfa_ call on
 * this thread. */
MFA_EXPORT const char *mfa_last_error_message(void);

/* Wipes and frees memory the library allocated for the caller (its size is recorded with it, so
 * secret JSON, texts and images need no mfa_memzero first). NULL is fine. A pointer the library did
 * not hand out, or one already freed, aborts the process. */
MFA_EXPORT void mfa_free(void *p);
/* Zeroes n bytes at p in a way the compiler cannot remove (for secrets in the caller's own buffers). */
MFA_EXPORT void mfa_memzero(void *p, size_t n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_COMMON_H */
