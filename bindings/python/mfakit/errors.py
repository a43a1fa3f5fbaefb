"""Exceptions for the library's status codes.

Every failed call raises an MfaError (or a subclass) carrying .code (the status int), .name (the C
constant's name from mfa_error_name, e.g. "MFA_ERR_OTP_CODE_REPLAYED") and .detail (the call's
mfa_last_error_message: which field, which position). The table of codes is read from the loaded
library at import (mfa_error_name over the code space), so it is never a copy kept by hand; the
class of a code follows from its name's prefix (FAMILIES) or its exact name (LEAVES).

    try:
        otp.verify_totp(code, last_step=user.last_step)
    except mfakit.CodeReplayed: ...
    except mfakit.CodeMismatch: ...
"""
from __future__ import annotations

import enum
from typing import Any, NoReturn

from ._native import lib

MFA_OK = 0


class MfaError(Exception):
    """A failed mfakit call. code: the status; name: its constant's name; detail: what was wrong."""

    code: int
    name: str
    detail: str
    result: Any  # server verifications: the VerifyResult of the refused attempt (else None)

    def __init__(self, code: int, detail: str = "", result: Any = None) -> None:
        self.code = code
        self.name = lib.mfa_error_name(code).decode()
        self.detail = detail
        self.result = result
        message = lib.mfa_strerror(code).decode()
        super().__init__(f"{self.name}: {detail or message}")

    @property
    def message(self) -> str:
        """mfa_strerror's sentence for the code."""
        return str(lib.mfa_strerror(self.code).decode())


class InvalidArgument(MfaError, ValueError):
    """MFA_ERR_INVALID_ARGUMENT / MFA_ERR_LIMIT_EXCEEDED: an argument out of range (detail names it)."""


class EncodingError(MfaError, ValueError):
    """Base32 / Base64 / hex, CBOR, COSE and authenticator-data decoding."""


class OtpError(MfaError):
    """One-time passwords: codes, secrets."""


class CodeFormatError(OtpError, ValueError):
    """MFA_ERR_OTP_CODE_FORMAT: the code has the wrong length or characters."""


class CodeMismatch(OtpError):
    """MFA_ERR_OTP_CODE_MISMATCH: the code does not match."""


class CodeReplayed(OtpError):
    """MFA_ERR_OTP_CODE_REPLAYED: the code was already used."""


class UriError(MfaError, ValueError):
    """otpauth:// and otpauth-migration:// parsing."""


class WebAuthnError(MfaError):
    """The WebAuthn relying party: ceremony checks, records, options, attestation, MDS."""


class AttestationError(WebAuthnError):
    """Attestation statements and the FIDO MDS."""


class ServerError(MfaError):
    """The server toolkit."""


class StoreError(ServerError):
    """MFA_ERR_STORE_*: the store is unavailable, corrupt or contended."""


class Throttled(ServerError):
    """MFA_ERR_THROTTLED: too many failures; .retry_after seconds until the next attempt counts."""

    @property
    def retry_after(self) -> int:
        return int(self.result.retry_after) if self.result is not None else 0


class AccountLocked(ServerError):
    """MFA_ERR_ACCOUNT_LOCKED: locked after failed attempts (.retry_after for a timed lock)."""

    @property
    def retry_after(self) -> int:
        return int(self.result.retry_after) if self.result is not None else 0


class AccountDeleted(ServerError):
    """MFA_ERR_ACCOUNT_DELETED: the account is deleted (Toolkit.restore_account until it is purged)."""


class FactorError(ServerError):
    """MFA_ERR_FACTOR_*: not enrolled, already enrolled, not allowed."""


class RecoveryCodeInvalid(ServerError):
    """MFA_ERR_RECOVERY_CODE_INVALID."""


class PasswordError(ServerError):
    """MFA_ERR_PASSWORD_*: mismatch, policy (detail: the reason), hash format, expired."""


class TokenError(ServerError):
    """MFA_ERR_TOKEN_*: API tokens."""


class NotAllowed(ServerError):
    """MFA_ERR_ALLOWLIST_SYNTAX, MFA_ERR_IP_NOT_ALLOWED, MFA_ERR_EMAIL_DOMAIN_NOT_ALLOWED."""


class PermissionDenied(ServerError):
    """The actor's role in the organization does not allow the action (Toolkit.authorize)."""


class LastOwner(PermissionDenied):
    """MFA_ERR_LAST_OWNER: demoting or removing the organization's last owner (make another owner first)."""


class KeyRingError(ServerError):
    """The key ring and encrypted fields."""


class AuditError(ServerError):
    """MFA_ERR_AUDIT_*: the audit chain."""


class PolicyError(ServerError):
    """MFA_ERR_POLICY_INVALID."""


class BackupError(ServerError):
    """MFA_ERR_BACKUP_*: a backup fails verification, or a restore would replace a store."""


class PskcError(ServerError):
    """MFA_ERR_PSKC_*: a PSKC (RFC 6030) file that is malformed, does not decrypt or whose MAC fails."""


class HwTokenError(ServerError):
    """MFA_ERR_HWTOKEN_*: a hardware OTP token's serial is taken, or its state forbids the call."""


class VaultError(MfaError):
    """MFA_ERR_VAULT_*: the encrypted account vault."""


class Fido2Error(MfaError):
    """The FIDO2 client and the soft token (MFA_ERR_FIDO2_*, MFA_ERR_SOFTTOKEN_*)."""


class Ctap2Error(Fido2Error):
    """A positive CTAP2 status from the authenticator (.name: "CTAP2_ERR_PIN_INVALID" ...)."""


# Name prefix (after "MFA_ERR_") -> family; the longest matching prefix wins.
FAMILIES: dict[str, type[MfaError]] = {
    "INVALID_ARGUMENT": InvalidArgument, "LIMIT_EXCEEDED": InvalidArgument,
    "BASE32_": EncodingError, "BASE64_": EncodingError, "HEX_": EncodingError, "CBOR_": EncodingError,
    "COSE_": EncodingError, "AUTHDATA_": EncodingError, "ATTESTATION_OBJECT_": EncodingError,
    "OTP_": OtpError, "URI_": UriError, "MIGRATION_": UriError,
    "WEBAUTHN_": WebAuthnError, "ATT_": AttestationError, "MDS_": AttestationError, "CHALLENGE_": WebAuthnError,
    "STORE_": StoreError, "FACTOR_": FactorError, "PASSWORD_": PasswordError, "TOKEN_": TokenError,
    "ALLOWLIST_": NotAllowed, "IP_NOT_ALLOWED": NotAllowed, "EMAIL_DOMAIN_NOT_ALLOWED": NotAllowed,
    "KEYRING_": KeyRingError, "KEY_UNKNOWN": KeyRingError, "DECRYPT_FAILED": KeyRingError,
    "ENCRYPTED_FIELD_": KeyRingError, "AUDIT_": AuditError, "POLICY_": PolicyError,
    "VAULT_": VaultError, "FIDO2_": Fido2Error, "SOFTTOKEN_": Fido2Error,
    "BACKUP_": BackupError, "PSKC_": PskcError, "HWTOKEN_": HwTokenError,
}
# Exact names with a class of their own.
LEAVES: dict[str, type[MfaError]] = {
    "OTP_CODE_FORMAT": CodeFormatError, "OTP_CODE_MISMATCH": CodeMismatch, "OTP_CODE_REPLAYED": CodeReplayed,
    "THROTTLED": Throttled, "ACCOUNT_LOCKED": AccountLocked, "ACCOUNT_DELETED": AccountDeleted,
    "RECOVERY_CODE_INVALID": RecoveryCodeInvalid, "PERMISSION_DENIED": PermissionDenied,
    "LAST_OWNER": LastOwner,
}

_PREFIX = "MFA_ERR_"
# The codes are negative and grouped in blocks below 1000 (docs/errors.md).
_CODE_SPACE = range(-1, -1000, -1)


def _family(suffix: str) -> type[MfaError]:
    if suffix in LEAVES:
        return LEAVES[suffix]
    best = ""
    for prefix in FAMILIES:
        if suffix.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return FAMILIES[best] if best else MfaError


def _read_table() -> dict[int, str]:
    table = {}
    for code in _CODE_SPACE:
        name = lib.mfa_error_name(code).decode()
        if name.startswith(_PREFIX):
            table[code] = name[len(_PREFIX):]
    return table


#: status code -> constant suffix ("OTP_CODE_REPLAYED"), as the loaded library names them.
CODES: dict[int, str] = _read_table()
#: status code -> the exception class raised for it.
CLASSES: dict[int, type[MfaError]] = {code: _family(name) for code, name in CODES.items()}

# ErrorCode.OTP_CODE_REPLAYED == -102 ... (an IntEnum made from the same table).
ErrorCode = enum.IntEnum("ErrorCode", {"OK": MFA_OK, **{name: code for code, name in CODES.items()}})  # type: ignore[misc]


_CODE_OF = {name: code for code, name in CODES.items()}


def code(name: str) -> int:
    """The status code of a constant's suffix ("OTP_CODE_REPLAYED") or name ("MFA_ERR_..."), for
    code that type checkers read (ErrorCode's members are made at run time)."""
    return _CODE_OF[name[len(_PREFIX):] if name.startswith(_PREFIX) else name]


def error_class(code: int) -> type[MfaError]:
    if code > 0:
        return Ctap2Error
    return CLASSES.get(code, MfaError)


def error_for(code: int, result: Any = None) -> MfaError:
    """The exception for a status, with this thread's last error detail."""
    detail = lib.mfa_last_error_message().decode(errors="replace")
    return error_class(code)(code, detail, result)


def raise_for(code: int, result: Any = None) -> NoReturn:
    raise error_for(code, result)
