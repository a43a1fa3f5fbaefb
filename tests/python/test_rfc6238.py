"""RFC 6238 (TOTP) and RFC 4226 (HOTP) vectors through the mfakit package (ctypes over libmfa.so):
what a Python service sees."""
from __future__ import annotations

import base64
import datetime as dt
import os

import pytest

import mfakit
from mfakit import Algorithm, Otp, OtpType

SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
# RFC 6238 Appendix B.
RFC6238 = [
    (59, "SHA1", "94287082"), (59, "SHA256", "46119246"), (59, "SHA512", "90693936"),
    (1111111109, "SHA1", "07081804"), (1111111109, "SHA256", "68084774"), (1111111109, "SHA512", "25091201"),
    (1111111111, "SHA1", "14050471"), (1111111111, "SHA256", "67062674"), (1111111111, "SHA512", "99943326"),
    (1234567890, "SHA1", "89005924"), (1234567890, "SHA256", "91819424"), (1234567890, "SHA512", "93441116"),
    (2000000000, "SHA1", "69279037"), (2000000000, "SHA256", "90698825"), (2000000000, "SHA512", "38618901"),
    (20000000000, "SHA1", "65353130"), (20000000000, "SHA256", "77737706"), (20000000000, "SHA512", "47863826"),
]
# RFC 4226 Appendix D.
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]


def totp(alg: str) -> Otp:
    return Otp(SEEDS[alg], algorithm=Algorithm[alg], digits=8, issuer="Example", name="alice")


def test_version() -> None:
    assert mfakit.version().count(".") == 2
    assert isinstance(mfakit.abi_version, int)


def test_features_are_the_builds() -> None:
    # tests/meson.build passes what `meson setup` configured; the library must say the same.
    assert mfakit.features == frozenset(os.environ["MFA_BUILT_FEATURES"].split())
    assert mfakit.features <= {"redis", "fido2", "qr_decode", "pwquality", "postgresql", "pskc"}


@pytest.mark.parametrize("t,alg,expected", RFC6238)
def test_vectors_from_params(t: int, alg: str, expected: str) -> None:
    with totp(alg) as o:
        assert o.generate(t) == expected
        assert o.generate(dt.datetime.fromtimestamp(t, dt.timezone.utc)) == expected
        assert o.generate_at(t // 30) == expected
        assert o.time_step(t) == t // 30
        assert o.verify_totp(expected, at=t, window=0) == (t // 30, 0)


@pytest.mark.parametrize("t,alg,expected", RFC6238)
def test_vectors_from_uri(t: int, alg: str, expected: str) -> None:
    secret = base64.b32encode(SEEDS[alg]).decode().rstrip("=")
    uri = f"otpauth://totp/Example:alice?secret={secret}&algorithm={alg}&digits=8&issuer=Example"
    o = Otp.from_uri(uri)
    assert o.generate(t) == expected
    assert o.secret == SEEDS[alg]
    o.close()
    assert o.closed
    o.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        o.generate(t)


def test_verify_window_and_replay() -> None:
    o = totp("SHA1")
    # The code of 1111111109 is one step behind 1111111109 + 30.
    assert o.verify_totp("07081804", at=1111111109 + 30, window=1) == (1111111109 // 30, -1)
    with pytest.raises(mfakit.CodeMismatch):
        o.verify_totp("07081804", at=1111111109 + 30, window=0)
    with pytest.raises(mfakit.CodeMismatch):
        o.verify_totp("07081804", at=1111111109 + 30, window_past=0, window_future=1)
    with pytest.raises(mfakit.CodeReplayed) as e:
        o.verify_totp("07081804", at=1111111109, last_step=1111111109 // 30)
    assert e.value.code == mfakit.ErrorCode.OTP_CODE_REPLAYED
    assert o.verify_totp("07081804", at=1111111109, last_step=1111111109 // 30 - 1).step == 1111111109 // 30
    assert o.verify("07081804", at=1111111109) and not o.verify("07081805", at=1111111109)
    with pytest.raises(mfakit.CodeFormatError):
        o.verify_totp("0708180x", at=1111111109)
    with pytest.raises(mfakit.InvalidArgument, match="window"):
        o.verify_totp("07081804", at=1111111109, window=51)


def test_hotp_vectors_and_resync() -> None:
    o = Otp(SEEDS["SHA1"], type=OtpType.HOTP)
    for counter, expected in enumerate(RFC4226):
        o.counter = counter
        assert o.generate() == expected
        assert o.generate_at(counter) == expected
    o.counter = 0
    with pytest.raises(mfakit.CodeMismatch):
        o.verify_hotp(RFC4226[7], look_ahead=3)
    assert o.verify_hotp(RFC4226[7], look_ahead=10) == 8
    assert o.counter == 8
    with pytest.raises(mfakit.CodeMismatch):  # counter moved past 7: the code is used
        o.verify_hotp(RFC4226[7], look_ahead=1)
    o.counter = 0
    assert o.resync_hotp(RFC4226[5], RFC4226[6]) == 7
    with pytest.raises(mfakit.CodeMismatch):
        o.resync_hotp(RFC4226[8], RFC4226[8])
    with pytest.raises(mfakit.InvalidArgument):
        o.verify_totp(RFC4226[0])
