"""mfakit: one-time passwords, WebAuthn/FIDO2 and a server toolkit for second factors, over the
libmfa C ABI (ctypes; no compiled extension). See docs/python.md.

    import mfakit
    otp = mfakit.Otp(mfakit.random_secret(), issuer="Example", name="alice")
    match = otp.verify_totp(code, last_step=stored_last_step)
"""
from __future__ import annotations

from ._native import lib as _lib
from .errors import (AccountDeleted, AccountLocked, AttestationError, AuditError, CodeFormatError, CodeMismatch, CodeReplayed,
                     Ctap2Error, EncodingError, ErrorCode, FactorError, Fido2Error, InvalidArgument, KeyRingError,
                     LastOwner, MfaError, NotAllowed, OtpError, PasswordError, PermissionDenied, PolicyError, RecoveryCodeInvalid, ServerError,
                     StoreError, Throttled, TokenError, UriError, VaultError, WebAuthnError)
from .fido2 import Device, SoftToken, list_devices
from .otp import (Algorithm, Migration, Otp, OtpType, Params, TotpMatch, base32_decode, base32_encode,
                  build_migration, parse_migration, random_secret)
from .server import Options, Store, Toolkit, VerifyResult, keyring_generate, password_hash
from .vault import Vault
from .webauthn import Credential, RelyingParty, TrustAnchors, UserVerification, response_ids
from . import fido2, otp, qr, server, vault, webauthn

__version__: str = _lib.mfa_version().decode()
#: MFA_SOVERSION of the loaded library.
abi_version: int = _lib.mfa_abi_version()
#: The optional components the loaded library was built with, of "redis", "fido2", "qr_decode",
#: "pwquality", "postgresql", "pskc". A call that needs a missing one raises MfaError
#: (MFA_ERR_UNSUPPORTED), naming the Meson option.
features: frozenset[str] = frozenset(_lib.mfa_features().decode().split())


def version() -> str:
    """The loaded libmfa's "MAJOR.MINOR.PATCH"."""
    return __version__


__all__ = [
    "AccountDeleted", "AccountLocked", "Algorithm", "AttestationError", "AuditError", "CodeFormatError", "CodeMismatch",
    "CodeReplayed", "Credential", "Ctap2Error", "Device", "EncodingError", "ErrorCode", "FactorError",
    "Fido2Error", "InvalidArgument", "KeyRingError", "LastOwner", "MfaError", "Migration", "NotAllowed", "Options", "Otp",
    "OtpError", "OtpType", "Params", "PasswordError", "PermissionDenied", "PolicyError", "RecoveryCodeInvalid", "RelyingParty",
    "ServerError", "SoftToken", "Store", "StoreError", "Throttled", "TokenError", "Toolkit", "TotpMatch",
    "TrustAnchors", "UriError", "UserVerification", "Vault", "VaultError", "VerifyResult", "WebAuthnError",
    "abi_version", "base32_decode", "features", "base32_encode", "build_migration", "fido2", "keyring_generate", "list_devices",
    "otp", "parse_migration", "password_hash", "qr", "random_secret", "response_ids", "server", "vault", "version",
    "webauthn",
]
