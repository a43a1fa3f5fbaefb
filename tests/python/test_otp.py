"""OTP accounts, otpauth:// URIs, Base32, random secrets and Google Authenticator exports."""
from __future__ import annotations

import pytest

import mfakit
from mfakit import Algorithm, Otp, OtpType, otp


def test_params_and_text_properties() -> None:
    o = Otp(b"0123456789abcdef0123", issuer="Example Co", name="alice@example.com", algorithm=Algorithm.SHA256,
            digits=7, period=45)
    p = o.params
    assert (p.type, p.algorithm, p.digits, p.period, p.t0) == (OtpType.TOTP, Algorithm.SHA256, 7, 45, 0)
    assert (o.issuer, o.name) == ("Example Co", "alice@example.com")
    assert o.seconds_left(90) == 45 and o.seconds_left(134) == 1
    assert "Example%20Co" in o.uri() or "Example Co" not in o.uri()
    back = Otp.from_uri(o.uri())
    assert back.params == p and back.secret == o.secret and back.generate(1000) == o.generate(1000)
    assert "TOTP" in repr(o)


def test_uri_errors_name_the_parameter() -> None:
    with pytest.raises(mfakit.UriError) as e:
        Otp.from_uri("otpauth://totp/x?secret=GEZDGNBV&digits=11")
    assert e.value.name == "MFA_ERR_URI_PARAMETER" and "digits" in e.value.detail
    with pytest.raises(mfakit.UriError) as e:
        Otp.from_uri("otpauth://totp/A:x?secret=GEZDGNBV&issuer=B")
    assert e.value.code == mfakit.ErrorCode.URI_ISSUER_MISMATCH
    assert Otp.from_uri("otpauth://totp/A:x?secret=GEZDGNBV&issuer=B",
                        otp.IssuerPolicy.PREFER_PARAM).issuer == "B"
    with pytest.raises(mfakit.UriError):
        Otp.from_uri("https://example.com/")
    with pytest.raises(mfakit.OtpError) as e2:
        Otp(b"")
    assert e2.value.name == "MFA_ERR_OTP_SECRET_TOO_SHORT"
    with pytest.raises(mfakit.InvalidArgument, match="digits"):
        Otp(b"12345678901234567890", digits=3)


def test_long_texts() -> None:
    # Longer than a first guess of a buffer (the library allocates these outputs).
    issuer, name = "I" * 250, "n" * 250
    o = Otp(b"12345678901234567890", issuer=issuer, name=name)
    assert (o.issuer, o.name) == (issuer, name)
    assert o.uri().startswith(f"otpauth://totp/{issuer}:{name}?")
    long = Otp(b"12345678901234567890", issuer="I" * 1000)
    assert long.issuer == "I" * 1000
    with pytest.raises(mfakit.InvalidArgument, match="issuer"):
        long.uri()  # a label longer than the URI format allows
    assert otp.base32_decode(otp.base32_encode(b"x" * 2000)) == b"x" * 2000


def test_base32_and_random() -> None:
    assert otp.base32_encode(b"hello") == "NBSWY3DP"
    assert otp.base32_decode("nbsw y3dp") == b"hello"
    assert otp.base32_decode("m-e======") == b"a"
    with pytest.raises(mfakit.EncodingError) as e:
        otp.base32_decode("NBSW1")
    assert e.value.name == "MFA_ERR_BASE32_INVALID" and "4" in e.value.detail
    a, b = otp.random_secret(), otp.random_secret(32)
    assert len(a) == 20 and len(b) == 32 and a != otp.random_secret()
    assert Otp.from_base32("NBSWY3DPNBSWY3DP").secret == b"hellohello"


def test_steam() -> None:
    o = Otp(b"12345678901234567890", type=OtpType.STEAM)
    code = o.generate(59)
    assert len(code) == 5 and o.verify_totp(code, at=59).step == 1


def test_migration_round_trip() -> None:
    accounts = [Otp(otp.random_secret(), issuer=f"Issuer{i}", name=f"user{i}") for i in range(12)]
    uris = otp.build_migration(accounts, per_batch=5, batch_id=1234)
    assert len(uris) == 3 and all(u.startswith("otpauth-migration://offline?data=") for u in uris)
    seen = []
    for index, uri in enumerate(uris):
        with otp.parse_migration(uri) as m:
            assert m.batch == otp.Batch(3, index, 1234)
            seen += [(a.issuer, a.name, a.secret) for a in m.accounts()]
            assert all(u.startswith("otpauth://totp/") for u in m.uris())
    assert seen == [(a.issuer, a.name, a.secret) for a in accounts]
    with pytest.raises(mfakit.MfaError) as e:
        otp.parse_migration(uris[0]).account(99)
    assert e.value.name == "MFA_ERR_NOT_FOUND"
    with pytest.raises(mfakit.UriError) as e2:
        otp.parse_migration("otpauth-migration://offline?data=AAAA")
    assert e2.value.name.startswith("MFA_ERR_MIGRATION")
