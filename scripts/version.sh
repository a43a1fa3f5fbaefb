#!/bin/sh
# Prints the version (or, with "so", the soversion) from lib/include/mfa/version.h for meson.build.
h="$(dirname "$0")/../lib/include/mfa/version.h"
if [ "${1:-}" = so ]; then
  sed -n 's/^#define MFA_SOVERSION \([0-9]*\).*/\1/p' "$h"
else
  sed -n 's/^#define MFA_VERSION_STRING "\(.*\)".*/\1/p' "$h"
fi
