/* mfakit version. The single source of the version: meson.build reads it (scripts/version.sh), the
 * shared library's soversion is MFA_SOVERSION, and the C ABI reports it through mfa_version(). */
#ifndef MFA_VERSION_H
#define MFA_VERSION_H

#define MFA_VERSION_MAJOR 0
#define MFA_VERSION_MINOR 1
#define MFA_VERSION_PATCH 0
#define MFA_VERSION_STRING "0.1.0"

/* Bumped only when the C ABI breaks (docs/ABI.md). */
#define MFA_SOVERSION 0

#endif /* MFA_VERSION_H */
