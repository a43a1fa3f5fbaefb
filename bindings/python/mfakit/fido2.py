"""The FIDO2 client (mfa_fido2.h) and the soft token (mfa_softtoken.h).

Device paths: "soft:FILE" (an in-process soft token whose state lives in FILE), "tty:/dev/pts/N" (a
soft token served by SoftToken or `mfa softtoken serve`), "hid:/dev/hidrawN" or a path from
list_devices(). Failures raise Fido2Error; a status from the authenticator raises Ctap2Error
(.code is the CTAP2 byte: 0x31 PIN_INVALID, 0x2E NO_CREDENTIALS, 0x27 OPERATION_DENIED ...).

Thread safety: one Device is used by one thread at a time, except cancel(), which another thread
may call while an operation runs. The soft token is NOT a security device (unencrypted keys,
simulated presence): for development and tests.
"""
from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass
from os import PathLike
from typing import Any, Sequence

from . import _native as n
from ._native import byref, check, lib
from .webauthn import Cose

_ID_CAP = 1024
_KEY_CAP = 1024
_ATT_CAP = 4096


def _bytes_or_none(b: bytes | None) -> bytes | None:
    return None if b is None else bytes(b)


@dataclass(frozen=True)
class DeviceInfo:
    path: str
    product: str


def list_devices() -> list[DeviceInfo]:
    """The USB security keys present now (soft tokens are opened by path)."""
    lst = n.new_handle(lib.mfa_fido2_device_list_new)
    try:
        count = ctypes.c_size_t()
        check(lib.mfa_fido2_device_list_get_count(lst, byref(count)))
        return [DeviceInfo(n.out_text(lib.mfa_fido2_device_list_get_path, (lst,), (i,)),
                           n.out_text(lib.mfa_fido2_device_list_get_product, (lst,), (i,)))
                for i in range(count.value)]
    finally:
        lib.mfa_fido2_device_list_free(byref(lst))


@dataclass(frozen=True)
class Fido2Credential:
    """A new credential: its id, COSE public key, attestation object and (when made with a
    challenge and origin) the RegistrationResponseJSON a browser would send."""
    id: bytes
    public_key: bytes
    attestation_object: bytes
    json: str | None


@dataclass(frozen=True)
class Assertion:
    credential_id: bytes
    user_id: bytes
    sign_count: int
    hmac_secret: bytes | None
    json: str | None  # AuthenticationResponseJSON (made with challenge + origin)


class Device(n.Handle):
    """An open authenticator (mfa_fido2_device_t)."""

    _free = lib.mfa_fido2_device_free

    def __init__(self, path: str) -> None:
        super().__init__(n.new_handle(lib.mfa_fido2_device_open, path.encode()))

    @classmethod
    def open(cls, path: str) -> "Device":
        return cls(path)

    def set_timeout(self, timeout_ms: int) -> None:
        check(lib.mfa_fido2_device_set_timeout(self._h, timeout_ms))

    def cancel(self) -> None:
        check(lib.mfa_fido2_device_cancel(self._h))

    def info(self) -> dict[str, Any]:
        """GetInfo as a dict (versions, extensions, aaguid, options, algorithms ...)."""
        return n.owned_json(lib.mfa_fido2_info_json, (self._h,))  # type: ignore[no-any-return]

    def make_credential(self, rp_id: str, user_id: bytes, *, rp_name: str | None = None, user_name: str | None = None,
                        user_display_name: str | None = None, challenge: bytes | None = None,
                        origin: str | None = None, client_data_hash: bytes | None = None,
                        algorithm: int = Cose.ES256, resident: bool = False, user_verification: bool = False,
                        pin: str | None = None, cred_protect: int = 0, hmac_secret: bool = False) -> Fido2Credential:
        """Either challenge + origin (the JSON is then available) or client_data_hash (32 bytes)."""
        o = n.initialized(n.MakeCredentialOptions, lib.mfa_fido2_make_credential_options_init)
        o.rp_id, o.rp_name = rp_id.encode(), n.text_in(rp_name)
        o.user_id, o.user_id_len = bytes(user_id), len(user_id)
        o.user_name, o.user_display_name = n.text_in(user_name), n.text_in(user_display_name)
        o.challenge, o.challenge_len = _bytes_or_none(challenge), len(challenge or b"")
        o.origin, o.client_data_hash = n.text_in(origin), _bytes_or_none(client_data_hash)
        o.algorithm, o.resident, o.user_verification = int(algorithm), int(resident), int(user_verification)
        (o.pin, o.pin_len), o.cred_protect, o.hmac_secret = n.secret_in(pin), cred_protect, int(hmac_secret)
        cred = n.new_handle(lib.mfa_fido2_make_credential, byref(o), handle_first=self._h)
        try:
            js = None
            if challenge is not None:
                js = n.owned(lib.mfa_fido2_credential_get_json, (cred,)).decode()
            return Fido2Credential(n.out_buffer(lib.mfa_fido2_credential_get_id, (cred,), cap=_ID_CAP),
                                   n.out_buffer(lib.mfa_fido2_credential_get_public_key, (cred,), cap=_KEY_CAP),
                                   n.out_buffer(lib.mfa_fido2_credential_get_attestation_object, (cred,), cap=_ATT_CAP),
                                   js)
        finally:
            lib.mfa_fido2_credential_free(byref(cred))

    def get_assertion(self, rp_id: str, *, challenge: bytes | None = None, origin: str | None = None,
                      client_data_hash: bytes | None = None, allow_ids: Sequence[bytes] = (),
                      user_presence: bool = True, user_verification: bool = False, pin: str | None = None,
                      hmac_salt1: bytes | None = None, hmac_salt2: bytes | None = None) -> list[Assertion]:
        """Every assertion the device returns (one per discoverable credential of the RP when
        allow_ids is empty). hmac_secret outputs are key material."""
        o = n.initialized(n.GetAssertionOptions, lib.mfa_fido2_get_assertion_options_init)
        o.rp_id = rp_id.encode()
        o.challenge, o.challenge_len = _bytes_or_none(challenge), len(challenge or b"")
        o.origin, o.client_data_hash = n.text_in(origin), _bytes_or_none(client_data_hash)
        ids = [bytes(i) for i in allow_ids]
        id_arr = (ctypes.c_char_p * max(len(ids), 1))(*ids)
        len_arr = (ctypes.c_size_t * max(len(ids), 1))(*[len(i) for i in ids])
        o.allow_ids, o.allow_id_lens, o.allow_count = id_arr, len_arr, len(ids)
        o.no_user_presence, o.user_verification = int(not user_presence), int(user_verification)
        o.pin, o.pin_len = n.secret_in(pin)
        o.hmac_salt1, o.hmac_salt2 = _bytes_or_none(hmac_salt1), _bytes_or_none(hmac_salt2)
        a = n.new_handle(lib.mfa_fido2_get_assertion, byref(o), handle_first=self._h)
        try:
            count = ctypes.c_size_t()
            check(lib.mfa_fido2_assertions_get_count(a, byref(count)))
            result = []
            for i in range(count.value):
                sc = ctypes.c_uint32()
                check(lib.mfa_fido2_assertions_get_sign_count(a, byref(sc), i))
                hs = (n.out_buffer(lib.mfa_fido2_assertions_get_hmac_secret, (a,), (i,), cap=64, secret=True)
                      if hmac_salt1 is not None else None)
                js = n.owned(lib.mfa_fido2_assertions_get_json, (a,), (i,)).decode() if challenge is not None else None
                result.append(Assertion(n.out_buffer(lib.mfa_fido2_assertions_get_credential_id, (a,), (i,), cap=_ID_CAP),
                                        n.out_buffer(lib.mfa_fido2_assertions_get_user_id, (a,), (i,), cap=64),
                                        sc.value, hs, js))
            return result
        finally:
            lib.mfa_fido2_assertions_free(byref(a))

    def webauthn_create(self, options_json: str, origin: str, pin: str | None = None) -> str:
        """navigator.credentials.create() for origin: the relying party's options JSON (bare,
        {"publicKey": ...} or the server toolkit's {"options": ...}) in, the registration response
        JSON a browser would send out. The RP ID must be origin's host or a parent domain of it."""
        return n.owned(lib.mfa_fido2_webauthn_create, (self._h,),
                       (options_json.encode(), origin.encode(), *n.secret_in(pin))).decode()

    def webauthn_get(self, options_json: str, origin: str, pin: str | None = None) -> str:
        """navigator.credentials.get() for origin: the authentication response JSON (with several
        discoverable credentials, the first the device returns)."""
        return n.owned(lib.mfa_fido2_webauthn_get, (self._h,),
                       (options_json.encode(), origin.encode(), *n.secret_in(pin))).decode()

    def hmac_secret(self, rp_id: str, credential_id: bytes, salt1: bytes, salt2: bytes | None = None,
                    pin: str | None = None) -> bytes:
        """The hmac-secret output (32 or 64 bytes) for a credential: key material."""
        return n.out_buffer(lib.mfa_fido2_hmac_secret, (self._h,),
                            (rp_id.encode(), bytes(credential_id), len(credential_id), bytes(salt1),
                             _bytes_or_none(salt2), *n.secret_in(pin)), cap=64, secret=True)

    def set_pin(self, pin: str) -> None:
        check(lib.mfa_fido2_set_pin(self._h, *n.secret_in(pin)))

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        check(lib.mfa_fido2_change_pin(self._h, *n.secret_in(old_pin), *n.secret_in(new_pin)))

    def pin_retries(self) -> int:
        r = ctypes.c_int()
        check(lib.mfa_fido2_pin_retries(self._h, byref(r)))
        return r.value

    def reset(self) -> None:
        check(lib.mfa_fido2_reset(self._h))

    def credentials(self, pin: str | None = None) -> dict[str, Any]:
        """The discoverable credentials ({"existing", "remaining", "rps": [...]})."""
        return n.owned_json(lib.mfa_fido2_credentials_json, (self._h,), n.secret_in(pin))  # type: ignore[no-any-return]

    def delete_credential(self, credential_id: bytes, pin: str | None = None) -> None:
        check(lib.mfa_fido2_delete_credential(self._h, bytes(credential_id), len(credential_id), *n.secret_in(pin)))


class Presence(enum.IntEnum):
    APPROVE = 0
    DENY = 1


class SoftAttestation(enum.IntEnum):
    FULL = 0
    SELF = 1


class SoftToken(n.Handle):
    """A soft token served on a pseudo-terminal (mfa_softtoken_t): open it with
    Device(token.path) ("tty:/dev/pts/N") or from any FIDO2 program with token.device_path."""

    _free = lib.mfa_softtoken_free

    def __init__(self, state_file: str | PathLike[str] | None = None, *, presence: Presence = Presence.APPROVE,
                 attestation: SoftAttestation = SoftAttestation.FULL, builtin_uv: int = 0,
                 reset_window_ms: int = 0) -> None:
        o = n.initialized(n.SoftTokenOptions, lib.mfa_softtoken_options_init)
        o.presence, o.attestation, o.builtin_uv, o.reset_window_ms = int(presence), int(attestation), builtin_uv, \
            reset_window_ms
        super().__init__(n.new_handle(lib.mfa_softtoken_start, None if state_file is None else str(state_file).encode(),
                                      byref(o)))

    @classmethod
    def start(cls, state_file: str | PathLike[str] | None = None, **kw: Any) -> "SoftToken":
        return cls(state_file, **kw)

    @property
    def device_path(self) -> str:
        """"/dev/pts/N"."""
        return n.out_text(lib.mfa_softtoken_get_device_path, (self._h,))

    @property
    def path(self) -> str:
        """The Device path: "tty:/dev/pts/N"."""
        return "tty:" + self.device_path

    def stop(self) -> None:
        check(lib.mfa_softtoken_stop(self._h))
