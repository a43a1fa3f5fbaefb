"""One-time passwords (mfa_otp.h): HOTP (RFC 4226), TOTP (RFC 6238), Steam Guard; otpauth:// URIs,
Google Authenticator export payloads, Base32 and random secrets.

Thread safety: an Otp may be used by several threads at once for generate/verify_totp/URI (they
do not change it); verify_hotp, resync_hotp and the counter setter change it, so give each thread
its own Otp for HOTP (or hold a lock).
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import enum
from dataclasses import dataclass
from typing import NamedTuple, Sequence, Union

from . import _native as n
from ._native import byref, check, lib

Time = Union[int, float, _dt.datetime]

MAX_WINDOW = 50
MAX_LOOK_AHEAD = 100
MAX_RESYNC_LOOK_AHEAD = 1000
DEFAULT_SECRET_BYTES = 20
_NO_LAST_STEP = 0x1
_CODE_CAPACITY = 11
_SECRET_CAP = 1024
_verify_totp = lib.mfa_otp_verify_totp
_c_int64 = ctypes.c_int64


class OtpType(enum.IntEnum):
    TOTP = 0
    HOTP = 1
    STEAM = 2


class Algorithm(enum.IntEnum):
    SHA1 = 0
    SHA256 = 1
    SHA512 = 2


class IssuerPolicy(enum.IntEnum):
    """Which issuer wins when an otpauth URI's issuer parameter and label prefix differ."""
    STRICT = 0          # refuse (UriError MFA_ERR_URI_ISSUER_MISMATCH)
    PREFER_PARAM = 1
    PREFER_LABEL = 2


def unix_time(t: Time | None) -> int:
    """Seconds since the epoch of an int, a float (floored) or a datetime (naive = UTC); None: now."""
    if t is None:
        import time
        return int(time.time())
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        return int(t.timestamp() // 1)
    return int(t // 1) if isinstance(t, float) else int(t)


@dataclass(frozen=True)
class Params:
    """An account's parameters (mfa_otp_params_t)."""
    type: OtpType = OtpType.TOTP
    algorithm: Algorithm = Algorithm.SHA1
    digits: int = 6
    period: int = 30
    t0: int = 0
    counter: int = 0

    def _native(self) -> n.OtpParams:
        p = n.initialized(n.OtpParams, lib.mfa_otp_params_init)
        p.type, p.algorithm, p.digits, p.period = int(self.type), int(self.algorithm), self.digits, self.period
        p.t0, p.counter = self.t0, self.counter
        return p


class TotpMatch(NamedTuple):
    """An accepted TOTP code: the step it belongs to (store it as the next last_step) and its
    distance from the current step."""
    step: int
    drift: int


class Otp(n.Handle):
    """An OTP account (mfa_otp_t): secret, parameters, issuer and name. Use as a context manager or
    call close(); the secret is wiped when it is released."""

    _free = lib.mfa_otp_free

    def __init__(self, secret: bytes, params: Params | None = None, *, issuer: str | None = None,
                 name: str | None = None, type: OtpType | None = None, algorithm: Algorithm | None = None,
                 digits: int | None = None, period: int | None = None, t0: int | None = None,
                 counter: int | None = None) -> None:
        """An account from a raw secret (bytes; see base32_decode) and parameters: a Params, and/or
        the keyword overrides."""
        p = params or Params()
        over = {k: v for k, v in dict(type=type, algorithm=algorithm, digits=digits, period=period, t0=t0,
                                      counter=counter).items() if v is not None}
        if over:
            p = Params(**{**p.__dict__, **over})
        native = p._native()
        super().__init__(n.new_handle(lib.mfa_otp_new, byref(native), bytes(secret), len(secret),
                                      n.text_in(issuer), n.text_in(name)))

    @classmethod
    def _adopt(cls, ptr: ctypes.c_void_p) -> "Otp":
        self = cls.__new__(cls)
        n.Handle.__init__(self, ptr)
        return self

    @classmethod
    def from_uri(cls, uri: str, issuer_policy: IssuerPolicy = IssuerPolicy.STRICT) -> "Otp":
        """Parses an otpauth:// URI (UriError naming the parameter or position otherwise)."""
        opts = n.initialized(n.OtpUriOptions, lib.mfa_otp_uri_options_init)
        opts.issuer_policy = int(issuer_policy)
        return cls._adopt(n.new_handle(lib.mfa_otp_from_uri, uri.encode(), byref(opts)))

    @classmethod
    def from_base32(cls, secret: str, params: Params | None = None, **kw: object) -> "Otp":
        """An account from a Base32 secret as people type it."""
        return cls(base32_decode(secret), params, **kw)  # type: ignore[arg-type]

    # ---- properties ----
    @property
    def params(self) -> Params:
        p = n.initialized(n.OtpParams, lib.mfa_otp_params_init)
        check(lib.mfa_otp_get_params(self._h, byref(p)))
        return Params(OtpType(p.type), Algorithm(p.algorithm), p.digits, p.period, p.t0, p.counter)

    @property
    def issuer(self) -> str:
        return n.out_text(lib.mfa_otp_get_issuer, (self._h,))

    @property
    def name(self) -> str:
        return n.out_text(lib.mfa_otp_get_name, (self._h,))

    @property
    def secret(self) -> bytes:
        """The raw secret (a copy; the C buffer is wiped)."""
        return n.out_buffer(lib.mfa_otp_get_secret, (self._h,), cap=_SECRET_CAP, secret=True)

    @property
    def counter(self) -> int:
        return self.params.counter

    @counter.setter
    def counter(self, value: int) -> None:
        check(lib.mfa_otp_set_counter(self._h, value))

    # ---- codes ----
    def generate(self, at: Time | None = None) -> str:
        """The code at a time (TOTP/Steam; default now) or of the stored counter (HOTP, which is not
        advanced)."""
        return n.out_text(lib.mfa_otp_generate, (self._h,), (unix_time(at),), cap=_CODE_CAPACITY)

    def generate_at(self, step_or_counter: int) -> str:
        """The code of an explicit time step (TOTP/Steam) or counter (HOTP)."""
        return n.out_text(lib.mfa_otp_generate_at, (self._h,), (step_or_counter,), cap=_CODE_CAPACITY)

    def time_step(self, at: Time | None = None) -> int:
        step = ctypes.c_int64()
        check(lib.mfa_otp_time_step(self._h, byref(step), unix_time(at)))
        return step.value

    def seconds_left(self, at: Time | None = None) -> int:
        s = ctypes.c_uint32()
        check(lib.mfa_otp_seconds_left(self._h, byref(s), unix_time(at)))
        return s.value

    # ---- verification ----
    def verify_totp(self, code: str, *, at: Time | None = None, window: int = 1, window_past: int | None = None,
                    window_future: int | None = None, last_step: int | None = None) -> TotpMatch:
        """Verifies a TOTP/Steam code at `at` (default now) within `window` steps each side (or
        window_past / window_future), in constant time over the window.

        Replay guard: pass last_step, the step of the last code accepted for this account (store
        the returned .step after each success); a code of a step <= last_step raises CodeReplayed.
        last_step=None: no guard. Raises CodeMismatch, CodeReplayed, CodeFormatError,
        InvalidArgument."""
        # The hot path of a login: the fewest Python steps around the one C call.
        step, drift = _c_int64(), _c_int64()
        now = at if type(at) is int else unix_time(at)
        past = window if window_past is None else window_past
        future = window if window_future is None else window_future
        if last_step is None:
            rc = _verify_totp(self._ptr, step, drift, code.encode(), now, past, future, 0, _NO_LAST_STEP)
        else:
            rc = _verify_totp(self._ptr, step, drift, code.encode(), now, past, future, last_step, 0)
        if rc:
            self._h  # a closed handle is a ValueError, not a library error
            check(rc)
        return TotpMatch(step.value, drift.value)

    def verify(self, code: str, *, at: Time | None = None, window: int = 1, last_step: int | None = None) -> bool:
        """True when verify_totp accepts the code; False for a mismatch, a replay or a malformed code."""
        from .errors import OtpError
        try:
            self.verify_totp(code, at=at, window=window, last_step=last_step)
            return True
        except OtpError:
            return False

    def verify_hotp(self, code: str, look_ahead: int = 0) -> int:
        """Verifies an HOTP code against counter .. counter + look_ahead; on success the counter
        moves past the match and the new counter is returned: persist it."""
        nxt = ctypes.c_uint64()
        check(lib.mfa_otp_verify_hotp(self._h, byref(nxt), code.encode(), look_ahead))
        return nxt.value

    def resync_hotp(self, code1: str, code2: str, look_ahead: int = MAX_RESYNC_LOOK_AHEAD) -> int:
        """RFC 4226 section 7.4 resynchronisation with two consecutive codes; returns the new counter."""
        nxt = ctypes.c_uint64()
        check(lib.mfa_otp_resync_hotp(self._h, byref(nxt), code1.encode(), code2.encode(), look_ahead))
        return nxt.value

    # ---- URI ----
    def uri(self) -> str:
        """The canonical otpauth:// URI (contains the secret)."""
        return n.out_text(lib.mfa_otp_format_uri, (self._h,), secret=True)

    def qr_svg(self, **kw: object) -> str:
        """The URI as a QR code SVG (qr.svg options)."""
        from . import qr
        return qr.svg(self.uri(), **kw)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        if self.closed:
            return "<Otp closed>"
        return f"<Otp {self.params.type.name} issuer={self.issuer!r} name={self.name!r}>"


# ---- Secrets ----------------------------------------------------------------------------------------

def base32_encode(data: bytes) -> str:
    """RFC 4648 Base32, upper case, no padding."""
    return n.out_text(lib.mfa_otp_base32_encode, (), (bytes(data), len(data)), cap=len(data) * 8 // 5 + 8,
                      secret=True)


def base32_decode(text: str) -> bytes:
    """Base32 as people type it (any case, spaces and '-' ignored, optional padding)."""
    return n.out_buffer(lib.mfa_otp_base32_decode, (), (text.encode(),), cap=len(text) * 5 // 8 + 8, secret=True)


def random_secret(n_bytes: int = DEFAULT_SECRET_BYTES) -> bytes:
    """n_bytes from the library's CSPRNG."""
    return n.out_buffer(lib.mfa_otp_random_secret, (), (n_bytes,), cap=max(n_bytes, 1), secret=True)


# ---- Google Authenticator export --------------------------------------------------------------------

@dataclass(frozen=True)
class Batch:
    """Which QR code of an export a migration URI is."""
    size: int
    index: int
    id: int


class Migration(n.Handle):
    """The accounts of one otpauth-migration://offline?data=... URI."""

    _free = lib.mfa_otp_migration_free

    def __init__(self, uri: str) -> None:
        super().__init__(n.new_handle(lib.mfa_otp_migration_parse, uri.encode()))

    def __len__(self) -> int:
        count = ctypes.c_size_t()
        check(lib.mfa_otp_migration_get_count(self._h, byref(count)))
        return count.value

    @property
    def batch(self) -> Batch:
        size, index, bid = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        check(lib.mfa_otp_migration_get_batch(self._h, byref(size), byref(index), byref(bid)))
        return Batch(size.value, index.value, bid.value)

    def account(self, index: int) -> Otp:
        ptr = ctypes.c_void_p()
        check(lib.mfa_otp_migration_get_account(self._h, byref(ptr), index))
        return Otp._adopt(ptr)

    def uri(self, index: int) -> str:
        return n.out_text(lib.mfa_otp_migration_get_uri, (self._h,), (index,), secret=True)

    def accounts(self) -> list[Otp]:
        return [self.account(i) for i in range(len(self))]

    def uris(self) -> list[str]:
        return [self.uri(i) for i in range(len(self))]


def parse_migration(uri: str) -> Migration:
    return Migration(uri)


def build_migration(accounts: Sequence[Otp], per_batch: int = 10, batch_id: int | None = None) -> list[str]:
    """The otpauth-migration:// URIs (one QR code each) of an export of accounts."""
    import secrets
    if batch_id is None:
        batch_id = secrets.randbits(31)
    batches = ctypes.c_size_t()
    check(lib.mfa_otp_migration_batch_count(byref(batches), len(accounts), per_batch))
    arr = (ctypes.c_void_p * max(len(accounts), 1))(*[a._h.value for a in accounts])
    return [n.out_text(lib.mfa_otp_migration_build_uri, (),
                       (arr, len(accounts), per_batch, batch_id, i), cap=1024, secret=True)
            for i in range(batches.value)]
