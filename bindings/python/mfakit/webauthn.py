"""The WebAuthn relying party (mfa_webauthn.h, mfa_webauthn_trust.h).

Configure a RelyingParty once; per ceremony make the options (keep the challenge server-side),
send options to the browser and verify what comes back. Registration yields a credential record
(JSON: store it). For logins load the stored record into a Credential once (its key is parsed
then) and keep it cached: each successful login updates it; store Credential.record back.

Thread safety: a configured RelyingParty may be used from several threads at once for options and
verification (its setters are not thread-safe: configure it before sharing it). A Credential is
used by one thread at a time (verification updates it); TrustAnchors too.
"""
from __future__ import annotations

import ctypes
import enum
import json
from dataclasses import dataclass
from os import PathLike
from typing import Any, Iterable, Mapping, NamedTuple, Sequence, Union

from . import _native as n
from ._native import byref, check, lib
from .otp import Time, unix_time

Json = Union[str, bytes, Mapping[str, Any]]

_CHALLENGE_CAP = 64
_USER_ID_CAP = 64
_ID_CAP = 1024
# The login hot path binds these once.
_verify_authentication = lib.mfa_webauthn_verify_authentication
_AuthInfo = n.AuthenticationInfo
_AUTH_INFO_SIZE = ctypes.sizeof(n.AuthenticationInfo)


class UserVerification(enum.IntEnum):
    PREFERRED = 0
    REQUIRED = 1
    DISCOURAGED = 2


class ResidentKey(enum.IntEnum):
    PREFERRED = 0
    REQUIRED = 1
    DISCOURAGED = 2


class Attestation(enum.IntEnum):
    NONE = 0
    INDIRECT = 1
    DIRECT = 2
    ENTERPRISE = 3


class FlagPolicy(enum.IntEnum):
    """Policy for the backup flags (BE, BS)."""
    ALLOWED = 0
    REQUIRED = 1
    FORBIDDEN = 2


class CounterPolicy(enum.IntEnum):
    ERROR = 0  # a counter that did not increase fails (MFA_ERR_WEBAUTHN_SIGN_COUNT)
    FLAG = 1   # succeeds with AuthenticationInfo.counter_regressed


class TokenBindingPolicy(enum.IntEnum):
    CHECK = 0
    IGNORE = 1


class AttestationPolicy(enum.IntFlag):
    NONE = 0
    REQUIRE_TRUSTED = 0x1
    ALLOW_RS1_TPM = 0x2
    REJECT_SHA1_CERTS = 0x4
    SAFETYNET_NO_CTS = 0x8
    ANDROID_KEY_REQUIRE_TEE = 0x10
    ALLOW_MDS_COMPROMISED = 0x20


class Cose(enum.IntEnum):
    """COSE algorithm identifiers (mfa_cose.h)."""
    ES256 = -7
    ES384 = -35
    ES512 = -36
    EDDSA = -8
    RS256 = -257
    RS384 = -258
    RS512 = -259
    PS256 = -37
    PS384 = -38
    PS512 = -39
    RS1 = -65535


def _enum(cls: type[enum.IntEnum], value: Any) -> int:
    """An enumeration value given as the enum, its int, or its name ("required")."""
    if isinstance(value, str):
        try:
            return int(cls[value.upper()])
        except KeyError:
            raise ValueError(f"{cls.__name__}: {value!r} is not one of "
                             f"{', '.join(m.lower() for m in cls.__members__)}") from None
    return int(cls(value))


def _json_bytes(value: Json) -> bytes:
    return n.json_in(value)


class TrustAnchors(n.Handle):
    """Attestation trust anchors: root certificates per attestation format (None = every format)
    and an optional verified FIDO MDS3 BLOB. A RelyingParty takes a copy (RelyingParty.set_trust)."""

    _free = lib.mfa_webauthn_trust_free

    def __init__(self) -> None:
        super().__init__(n.new_handle(lib.mfa_webauthn_trust_new))

    def add_pem(self, pem: str | bytes, fmt: str | None = None) -> "TrustAnchors":
        data = pem.encode() if isinstance(pem, str) else bytes(pem)
        check(lib.mfa_webauthn_trust_add_pem(self._h, n.text_in(fmt), data, len(data)))
        return self

    def add_der(self, der: bytes, fmt: str | None = None) -> "TrustAnchors":
        check(lib.mfa_webauthn_trust_add_der(self._h, n.text_in(fmt), bytes(der), len(der)))
        return self

    def add_dir(self, directory: str | PathLike[str]) -> "TrustAnchors":
        """The *.pem / *.crt files of a directory (subdirectories named after a format apply to it)."""
        check(lib.mfa_webauthn_trust_add_dir(self._h, str(directory).encode()))
        return self

    def load_mds_blob(self, path: str | PathLike[str], root_pem: str | bytes, at: Time | None = None) -> "TrustAnchors":
        """Verifies the MDS3 BLOB file against the MDS root(s) at `at` (default now) and keeps it."""
        root = root_pem.encode() if isinstance(root_pem, str) else bytes(root_pem)
        check(lib.mfa_webauthn_trust_load_mds_blob(self._h, str(path).encode(), root, len(root),
                                                   0 if at is None else unix_time(at)))
        return self

    @property
    def counts(self) -> tuple[int, int]:
        """(root certificates, MDS entries)."""
        roots, entries = ctypes.c_size_t(), ctypes.c_size_t()
        check(lib.mfa_webauthn_trust_get_count(self._h, byref(roots), byref(entries)))
        return roots.value, entries.value


@dataclass(frozen=True)
class RegistrationOptions:
    """What registration_options made: the options for the browser (a dict, PublicKeyCredential-
    CreationOptionsJSON) and the challenge and user handle to keep server-side."""
    options: dict[str, Any]
    challenge: bytes
    user_id: bytes


@dataclass(frozen=True)
class AuthenticationOptions:
    options: dict[str, Any]
    challenge: bytes


@dataclass(frozen=True)
class Registration:
    """A verified registration: the credential record to store (record_json, also parsed as record)
    and what was checked."""
    record_json: str
    record: dict[str, Any]
    alg: int
    sign_count: int
    user_verified: bool
    backup_eligible: bool
    backup_state: bool
    attestation_trusted: bool
    fmt: str
    attestation_type: str
    aaguid: bytes

    @property
    def credential_id(self) -> bytes:
        return _b64url_decode(self.record["id"])


class AuthenticationInfo(NamedTuple):
    """What a verified authentication reported (a NamedTuple: made on every login, cheaply)."""
    sign_count: int
    user_verified: bool
    backup_state: bool
    counter_regressed: bool
    appid_used: bool


def _b64url_decode(s: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Credential(n.Handle):
    """A stored credential record with its public key parsed once (mfa_webauthn_credential_t)."""

    _free = lib.mfa_webauthn_credential_free

    def __init__(self, record: Json) -> None:
        data = _json_bytes(record)
        super().__init__(n.new_handle(lib.mfa_webauthn_credential_from_json, data, len(data)))

    @property
    def record_json(self) -> str:
        """The record as JSON: store it after every successful login."""
        return n.owned(lib.mfa_webauthn_credential_get_json, (self._h,)).decode()

    @property
    def record(self) -> dict[str, Any]:
        return json.loads(self.record_json)  # type: ignore[no-any-return]

    @property
    def id(self) -> bytes:
        return n.out_buffer(lib.mfa_webauthn_credential_get_id, (self._h,), cap=_ID_CAP)

    @property
    def sign_count(self) -> int:
        c = ctypes.c_uint32()
        check(lib.mfa_webauthn_credential_get_sign_count(self._h, byref(c)))
        return c.value


class RelyingParty(n.Handle):
    """A relying-party configuration (mfa_webauthn_rp_t)."""

    _free = lib.mfa_webauthn_rp_free

    def __init__(self, rp_id: str, name: str | None = None, *, origins: Iterable[str] = (),
                 top_origins: Iterable[str] = (), user_verification: Any = UserVerification.PREFERRED,
                 require_user_presence: bool = True, algorithms: Sequence[int] | None = None,
                 backup_eligible: Any = FlagPolicy.ALLOWED, backup_state: Any = FlagPolicy.ALLOWED,
                 counter_policy: Any = CounterPolicy.ERROR, token_binding: Any = TokenBindingPolicy.CHECK,
                 appid: str | None = None, at: Time | None = None,
                 attestation_policy: AttestationPolicy | int = AttestationPolicy.NONE,
                 trust: TrustAnchors | None = None) -> None:
        super().__init__(n.new_handle(lib.mfa_webauthn_rp_new, rp_id.encode(), n.text_in(name)))
        h = self._ptr
        for o in origins:
            self.add_origin(o)
        for o in top_origins:
            self.add_top_origin(o)
        check(lib.mfa_webauthn_rp_set_user_verification(h, _enum(UserVerification, user_verification)))
        check(lib.mfa_webauthn_rp_set_require_user_presence(h, int(require_user_presence)))
        if algorithms is not None:
            self.set_algorithms(algorithms)
        check(lib.mfa_webauthn_rp_set_backup_policy(h, _enum(FlagPolicy, backup_eligible),
                                                    _enum(FlagPolicy, backup_state)))
        check(lib.mfa_webauthn_rp_set_counter_policy(h, _enum(CounterPolicy, counter_policy)))
        check(lib.mfa_webauthn_rp_set_token_binding_policy(h, _enum(TokenBindingPolicy, token_binding)))
        if appid:
            check(lib.mfa_webauthn_rp_set_appid(h, appid.encode()))
        if at is not None:
            self.set_time(at)
        check(lib.mfa_webauthn_rp_set_attestation_policy(h, int(attestation_policy)))
        if trust is not None:
            self.set_trust(trust)

    # ---- configuration (not thread-safe) ----
    def add_origin(self, origin: str) -> None:
        check(lib.mfa_webauthn_rp_add_origin(self._h, origin.encode()))

    def add_top_origin(self, top_origin: str) -> None:
        check(lib.mfa_webauthn_rp_add_top_origin(self._h, top_origin.encode()))

    def set_algorithms(self, algorithms: Sequence[int]) -> None:
        arr = (ctypes.c_int32 * max(len(algorithms), 1))(*[int(a) for a in algorithms])
        check(lib.mfa_webauthn_rp_set_algorithms(self._h, arr, len(algorithms)))

    def set_time(self, at: Time | None) -> None:
        """The verification time for certificates (None: the clock)."""
        check(lib.mfa_webauthn_rp_set_time(self._h, int(at is not None), 0 if at is None else unix_time(at)))

    def set_trust(self, trust: TrustAnchors) -> None:
        check(lib.mfa_webauthn_rp_set_trust(self._h, trust._h))

    # ---- ceremonies ----
    def registration_options(self, user_name: str, display_name: str | None = None, *, user_id: bytes | None = None,
                             attestation: Any = Attestation.NONE, resident_key: Any = ResidentKey.PREFERRED,
                             extensions: Json | None = None) -> RegistrationOptions:
        req = n.initialized(n.RegistrationRequest, lib.mfa_webauthn_registration_request_init)
        req.user_name = user_name.encode()
        req.display_name = n.text_in(display_name)
        if user_id is not None:
            req.user_id, req.user_id_len = bytes(user_id), len(user_id)
        req.attestation = _enum(Attestation, attestation)
        req.resident_key = _enum(ResidentKey, resident_key)
        req.extensions_json = None if extensions is None else _json_bytes(extensions)
        out = ctypes.c_void_p()
        challenge = ctypes.create_string_buffer(_CHALLENGE_CAP)
        uid = ctypes.create_string_buffer(_USER_ID_CAP)
        clen, ulen = ctypes.c_size_t(), ctypes.c_size_t()
        check(lib.mfa_webauthn_registration_options(self._h, byref(out), challenge, _CHALLENGE_CAP, byref(clen), uid,
                                                    _USER_ID_CAP, byref(ulen), byref(req)))
        return RegistrationOptions(n.take_json(out), challenge.raw[:clen.value], uid.raw[:ulen.value])

    def authentication_options(self, allow_ids: Iterable[str | bytes] = (), *,
                               extensions: Json | None = None) -> AuthenticationOptions:
        """allow_ids: credential ids (bytes, or base64url text); none for a discoverable login."""
        import base64
        ids = [i.encode() if isinstance(i, str) else base64.urlsafe_b64encode(bytes(i)).rstrip(b"=")
               for i in allow_ids]
        arr = (ctypes.c_char_p * max(len(ids), 1))(*ids)
        out = ctypes.c_void_p()
        challenge = ctypes.create_string_buffer(_CHALLENGE_CAP)
        clen = ctypes.c_size_t()
        check(lib.mfa_webauthn_authentication_options(self._h, byref(out), challenge, _CHALLENGE_CAP, byref(clen),
                                                      arr, len(ids),
                                                      None if extensions is None else _json_bytes(extensions)))
        return AuthenticationOptions(n.take_json(out), challenge.raw[:clen.value])

    def verify_registration(self, response: Json, challenge: bytes, user_handle: bytes = b"") -> Registration:
        """Verifies RegistrationResponseJSON (str, bytes or dict) against the challenge issued.
        The caller still checks that no account holds the credential id already."""
        data = _json_bytes(response)
        info = n.RegistrationInfo()
        info.struct_size = ctypes.sizeof(info)
        out = ctypes.c_void_p()
        check(lib.mfa_webauthn_verify_registration(self._h, byref(out), byref(info), data, len(data), bytes(challenge),
                                                   len(challenge), bytes(user_handle) or None, len(user_handle)))
        text = n.take_text(out)
        return Registration(text, json.loads(text), info.alg, info.sign_count, bool(info.user_verified),
                            bool(info.backup_eligible), bool(info.backup_state), bool(info.attestation_trusted),
                            info.fmt.decode(), info.attestation_type.decode(), bytes(info.aaguid))

    def verify_authentication(self, credential: Credential, response: Json, challenge: bytes,
                              user_handle: bytes | None = None, user_verification: Any = None) -> AuthenticationInfo:
        """Verifies AuthenticationResponseJSON against a stored credential; on success the
        credential is updated (store credential.record_json back). user_handle: the account's,
        when the user was identified before the ceremony; None for a discoverable login.
        user_verification: this ceremony's requirement, None for the rp's policy."""
        data = response if type(response) is bytes else _json_bytes(response)
        info = _AuthInfo()
        info.struct_size = _AUTH_INFO_SIZE
        uv = -1 if user_verification is None else _enum(UserVerification, user_verification)
        rc = _verify_authentication(self._ptr, credential._ptr, byref(info), data, len(data), challenge, len(challenge),
                                    user_handle, 0 if user_handle is None else len(user_handle), uv)
        if rc:
            self._h, credential._h
            check(rc)
        return AuthenticationInfo(info.sign_count, info.user_verified != 0, info.backup_state != 0,
                                  info.counter_regressed != 0, info.appid_used != 0)


def response_ids(response: Json) -> tuple[bytes, bytes]:
    """(credential id, userHandle) of an AuthenticationResponseJSON (userHandle b"" when absent), to
    find the stored record before verifying."""
    data = _json_bytes(response)
    cid, handle = ctypes.c_void_p(), ctypes.c_void_p()
    cid_len, handle_len = ctypes.c_size_t(), ctypes.c_size_t()
    try:
        check(lib.mfa_webauthn_response_ids(byref(cid), byref(cid_len), byref(handle), byref(handle_len), data,
                                            len(data)))
        return n.take(cid, cid_len.value), n.take(handle, handle_len.value)
    finally:
        for p in (cid, handle):
            if p.value:
                lib.mfa_free(p)


def cose_key_alg(cose_key: bytes, *, lenient: bool = False) -> int:
    """Checks a COSE_Key and returns its algorithm."""
    alg = ctypes.c_int64()
    check(lib.mfa_cose_key_alg(byref(alg), bytes(cose_key), len(cose_key), 0x4 if lenient else 0))
    return alg.value


def cose_verify(cose_key: bytes, data: bytes, signature: bytes, *, allow_rs1: bool = False, ecdsa_raw: bool = False,
                lenient: bool = False) -> None:
    """Verifies a signature with a COSE key; raises EncodingError (MFA_ERR_COSE_SIGNATURE_INVALID ...)."""
    flags = (0x1 if allow_rs1 else 0) | (0x2 if ecdsa_raw else 0) | (0x4 if lenient else 0)
    check(lib.mfa_cose_verify(bytes(cose_key), len(cose_key), bytes(data), len(data), bytes(signature),
                              len(signature), flags))
