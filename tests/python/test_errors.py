"""Status codes as exceptions: every code of the one error table (lib/include/mfa/mfa_errors.h) is
known to the package with its name and class, and a failure carries code, name and detail."""
from __future__ import annotations

import re

import pytest

import mfakit
from mfakit import errors

from conftest import SOURCE_ROOT

ROW = re.compile(r"X\((\w+), \w+, (-?\d+), ")


def test_table_is_the_library_table() -> None:
    rows = {int(code): name for name, code in ROW.findall((SOURCE_ROOT / "lib/include/mfa/mfa_errors.h").read_text())}
    assert len(rows) > 150
    assert errors.CODES == rows
    for code, name in rows.items():
        assert errors.ErrorCode[name] == code
        cls = errors.error_class(code)
        assert issubclass(cls, mfakit.MfaError)
        e = cls(code, "detail")
        assert (e.code, e.name, e.detail) == (code, "MFA_ERR_" + name, "detail")
        assert e.message and e.message != "unknown error"


@pytest.mark.parametrize("name,cls", [
    ("OTP_CODE_MISMATCH", mfakit.CodeMismatch), ("OTP_CODE_REPLAYED", mfakit.CodeReplayed),
    ("OTP_CODE_FORMAT", mfakit.CodeFormatError), ("OTP_SECRET_TOO_SHORT", mfakit.OtpError),
    ("THROTTLED", mfakit.Throttled), ("ACCOUNT_LOCKED", mfakit.AccountLocked),
    ("WEBAUTHN_SIGNATURE", mfakit.WebAuthnError), ("ATT_UNTRUSTED", mfakit.AttestationError),
    ("MDS_BLOB_EXPIRED", mfakit.AttestationError), ("CHALLENGE_INVALID", mfakit.WebAuthnError),
    ("VAULT_WRONG_PASSPHRASE", mfakit.VaultError), ("FIDO2_PIN_REQUIRED", mfakit.Fido2Error),
    ("SOFTTOKEN_STATE_INVALID", mfakit.Fido2Error), ("URI_PARAMETER", mfakit.UriError),
    ("STORE_UNAVAILABLE", mfakit.StoreError), ("PASSWORD_POLICY", mfakit.PasswordError),
    ("TOKEN_EXPIRED", mfakit.TokenError), ("IP_NOT_ALLOWED", mfakit.NotAllowed),
    ("PERMISSION_DENIED", mfakit.PermissionDenied),
    ("KEY_UNKNOWN", mfakit.KeyRingError), ("AUDIT_CHAIN_BROKEN", mfakit.AuditError),
    ("CBOR_TRUNCATED", mfakit.EncodingError), ("INVALID_ARGUMENT", mfakit.InvalidArgument),
    ("INTERNAL", mfakit.MfaError),
])
def test_families(name: str, cls: type) -> None:
    assert errors.error_class(errors.ErrorCode[name]) is cls
    assert issubclass(errors.error_class(errors.ErrorCode[name]), cls)


def test_leaves_inherit_their_family() -> None:
    assert issubclass(mfakit.CodeReplayed, mfakit.OtpError)
    assert issubclass(mfakit.Throttled, mfakit.ServerError)
    assert issubclass(mfakit.InvalidArgument, ValueError)
    assert issubclass(mfakit.AttestationError, mfakit.WebAuthnError)


def test_ctap2_and_unknown() -> None:
    e = errors.error_for(0x31)
    assert isinstance(e, mfakit.Ctap2Error) and e.name == "CTAP2_ERR_PIN_INVALID"
    u = errors.error_for(-999)
    assert type(u) is mfakit.MfaError and u.name == "unknown"


def test_detail_names_the_field_and_is_per_call() -> None:
    with pytest.raises(mfakit.InvalidArgument) as e:
        mfakit.Otp(b"12345678901234567890", period=0)
    assert "period" in e.value.detail
    assert "period" in str(e.value) and e.value.name in str(e.value)
    with pytest.raises(mfakit.WebAuthnError) as w:
        mfakit.Credential('{"version":1}')
    assert w.value.name == "MFA_ERR_WEBAUTHN_RECORD" and "id" in w.value.detail
    with pytest.raises(mfakit.PolicyError) as p:
        mfakit.Toolkit(mfakit.Store("memory:"), mfakit.keyring_generate()).set_policy("acme", {"require": "maybe"})
    assert "require" in p.value.detail
