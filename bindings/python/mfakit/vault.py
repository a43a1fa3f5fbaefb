"""The encrypted account vault (mfa_vault.h, docs/vault-format.md).

A Vault holds the unlocked accounts in memory; save() writes changes (atomically, keeping the
previous version as a backup). A Vault opened writable holds the writer lock until close(); a second
writer gets VaultError MFA_ERR_VAULT_LOCKED. Passphrases are borrowed for the call (pass bytes or
a bytearray you wipe yourself to keep them out of immutable str objects).

Thread safety: one Vault is used by one thread at a time.
"""
from __future__ import annotations

import ctypes
import enum
from os import PathLike
from typing import Any, Union

from . import _native as n
from ._native import byref, check, lib
from .otp import IssuerPolicy, Time, unix_time

Secret = Union[str, bytes, bytearray]
_ID_CAP = 33
_CODE_CAP = 11


class ImportFormat(enum.IntEnum):
    AUTO = 0
    URI_LIST = 1
    AEGIS = 2
    TWOFAS = 3
    ANDOTP = 4
    ANDOTP_ENCRYPTED = 5
    ANDOTP_ENCRYPTED_OLD = 6


# The MFA_VAULT_IMPORT_* option bits: otp.IssuerPolicy is the one Python spelling of the policy.
_SKIP_INVALID = 0x100
_ISSUER_BITS = {IssuerPolicy.STRICT: 0, IssuerPolicy.PREFER_PARAM: 0x200, IssuerPolicy.PREFER_LABEL: 0x400}


def _secret(s: Secret) -> bytes:
    return s.encode() if isinstance(s, str) else bytes(s)


class Vault(n.Handle):
    """An unlocked vault (mfa_vault_t). Vault.create(...) or Vault.open(...)."""

    _free = lib.mfa_vault_free

    @classmethod
    def create(cls, path: str | PathLike[str], passphrase: Secret, *, memory_kib: int = 0, passes: int = 0) -> "Vault":
        """A new vault with one passphrase slot (Argon2id; 0 = defaults 64 MiB, 3 passes); writable."""
        p = _secret(passphrase)
        return cls(n.new_handle(lib.mfa_vault_create, str(path).encode(), p, len(p), memory_kib, passes))

    @classmethod
    def open(cls, path: str | PathLike[str], passphrase: Secret, *, writable: bool = False,
             wait_ms: int = 0) -> "Vault":
        """writable: take the writer lock, waiting up to wait_ms for another writer to let go."""
        p = _secret(passphrase)
        return cls(n.new_handle(lib.mfa_vault_open, str(path).encode(), p, len(p), int(writable), wait_ms))

    def __len__(self) -> int:
        count = ctypes.c_size_t()
        check(lib.mfa_vault_get_count(self._h, byref(count)))
        return count.value

    def ids(self) -> list[str]:
        return [n.out_text(lib.mfa_vault_get_id, (self._h,), (i,), cap=_ID_CAP) for i in range(len(self))]

    def list(self) -> list[dict[str, Any]]:
        """The accounts without secrets: [{"id","issuer","name","type","algorithm","digits",
        "period" (totp, steam) or "counter" (hotp),"tags","note","created","updated"}...], as
        `mfa list --json` prints them."""
        return n.owned_json(lib.mfa_vault_list_json, (self._h,))  # type: ignore[no-any-return]

    def add_uri(self, uri: str) -> str:
        """Adds an otpauth:// account; returns its id (VaultError MFA_ERR_VAULT_DUPLICATE if present)."""
        data = uri.encode()
        return n.out_text(lib.mfa_vault_add_uri, (self._h,), (data, len(data)), cap=_ID_CAP)

    def remove(self, account_id: str) -> None:
        check(lib.mfa_vault_remove(self._h, account_id.encode()))

    def code(self, account_id: str, at: Time | None = None) -> tuple[str, int]:
        """(TOTP/Steam code at `at`, seconds it has left)."""
        left = ctypes.c_uint32()
        code = n.out_text(lib.mfa_vault_code, (self._h,), (byref(left), account_id.encode(), unix_time(at)),
                          cap=_CODE_CAP)
        return code, left.value

    def hotp_next(self, account_id: str) -> str:
        """HOTP: advances and saves the counter, then returns the code of the old one."""
        return n.out_text(lib.mfa_vault_hotp_next, (self._h,), (account_id.encode(),), cap=_CODE_CAP)

    def save(self) -> None:
        check(lib.mfa_vault_save(self._h))

    def passwd(self, new_passphrase: Secret, *, memory_kib: int = 0, passes: int = 0) -> None:
        """A new passphrase and master key (written at the next save())."""
        p = _secret(new_passphrase)
        check(lib.mfa_vault_passwd(self._h, p, len(p), memory_kib, passes))

    def import_export(self, data: bytes, format: ImportFormat = ImportFormat.AUTO,
                      password: Secret | None = None, *, skip_invalid: bool = False,
                      issuer_policy: IssuerPolicy = IssuerPolicy.STRICT) -> dict[str, Any]:
        """Adds another app's export (then save()); returns the report {"format", "imported",
        "duplicates", "skipped", "invalid", "warnings"}. skip_invalid: a URI line that does not
        parse is listed in "invalid" and the rest imported; issuer_policy: which issuer a URI keeps
        when its issuer parameter and label prefix differ (STRICT refuses it, UriError naming the
        line). The MFA_VAULT_IMPORT_* option bits of mfa_vault_import."""
        pw = None if password is None else _secret(password)
        flags = int(format) | (_SKIP_INVALID if skip_invalid else 0) | _ISSUER_BITS[issuer_policy]
        return n.owned_json(lib.mfa_vault_import, (self._h,),  # type: ignore[no-any-return]
                            (bytes(data), len(data), flags, pw, 0 if pw is None else len(pw)))
