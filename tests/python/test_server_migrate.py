"""Migration through the Python package (Toolkit.import_google_authenticator, import_pam_u2f):
google-authenticator files (TOTP with DISALLOW_REUSE and scratch codes, HOTP_COUNTER with its
window, a second import, refusals naming the line) and pam-u2f mappings (comments, several keys
and lines of a user, old-format and resident keys, appid, one user only, errors naming line,
credential and field). An imported pam-u2f key then logs in: the assertion is signed here with
`cryptography` as the security key would sign it, under pam-u2f's origin."""
from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import mfakit
from mfakit import errors

RP = "pam://host"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def tk() -> Iterator[mfakit.Toolkit]:
    with mfakit.Store("memory:") as store, \
            mfakit.Toolkit(store, mfakit.keyring_generate(), webauthn_rp_id=RP, webauthn_origins=(RP,)) as t:
        yield t


def otp(kind: str, counter: int = 0) -> mfakit.Otp:
    extra = f"&counter={counter}" if kind == "hotp" else ""
    return mfakit.Otp.from_uri(f"otpauth://{kind}/x?secret={SECRET}{extra}")


def parse_error(e: pytest.ExceptionInfo[errors.MfaError]) -> str:
    assert e.value.code == errors.code("PARSE"), e.value
    return e.value.detail


def test_google_authenticator_totp(tk: mfakit.Toolkit) -> None:
    text = f"{SECRET}\n\" RATE_LIMIT 3 30 1700000000\n\" WINDOW_SIZE 3\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n11111111\n22222222\n"
    rep = tk.import_google_authenticator("alice", text, actor="admin")
    assert rep["user"] == "alice" and rep["totp_imported"] is True and rep["recovery_codes"] == 2
    assert any("RATE_LIMIT not kept" in n for n in rep["notes"])
    assert not any("reused" in n for n in rep["notes"])
    code = otp("totp").generate()
    assert tk.totp_verify("alice", code).amr == ("otp",)
    with pytest.raises(mfakit.CodeReplayed):
        tk.totp_verify("alice", code)
    assert tk.recovery_use("alice", "11111111").ok
    with pytest.raises(mfakit.RecoveryCodeInvalid):
        tk.recovery_use("alice", "11111111")
    # Again (bytes this time): the store's factor and codes stay.
    again = tk.import_google_authenticator("alice", text.encode())
    assert again["totp_imported"] is False and again["recovery_codes"] == 0
    assert tk.recovery_remaining("alice") == 1
    # Without DISALLOW_REUSE: the note says reuse ends; no scratch codes.
    carol = tk.import_google_authenticator("carol", f"{SECRET}\r\n\" TOTP_AUTH\r\n")
    assert carol["recovery_codes"] == 0 and any("no longer be reused" in n for n in carol["notes"])


def test_google_authenticator_hotp(tk: mfakit.Toolkit) -> None:
    rep = tk.import_google_authenticator("bob", f"{SECRET}\n\" HOTP_COUNTER 5\n\" WINDOW_SIZE 3\n33333333\n")
    assert rep["totp_imported"] is True and "HOTP counter 5 and WINDOW_SIZE 3 kept" in rep["notes"][0]
    h = otp("hotp")
    for before_or_beyond in (4, 8):
        with pytest.raises(mfakit.CodeMismatch):
            tk.totp_verify("bob", h.generate_at(before_or_beyond))
    assert tk.totp_verify("bob", h.generate_at(5)).ok
    with pytest.raises(errors.OtpError):
        tk.totp_verify("bob", h.generate_at(5))
    assert tk.totp_verify("bob", h.generate_at(8)).ok  # 6, 7, 8 after 5: a resync
    assert tk.factor_state("bob")["otp_type"] == "hotp"
    assert tk.recovery_use("bob", "33333333").ok


def test_google_authenticator_refusals(tk: mfakit.Toolkit) -> None:
    for text, want in [("", "file is empty"),
                       (f"{SECRET}\n\" TOTP_AUTH\n\" NO_SUCH\n", "line 3: unknown option 'NO_SUCH'"),
                       (f"{SECRET}\n\" TOTP_AUTH\n1234\n", "line 3: a scratch code must be 8 digits"),
                       ("JBSWY3DP1\n\" TOTP_AUTH\n", "line 1"),
                       (f"{SECRET}\n\" WINDOW_SIZE 300\n", "line 2: WINDOW_SIZE"),
                       (f"{SECRET}\n\" WINDOW_SIZE 3\n", "neither TOTP_AUTH nor HOTP_COUNTER")]:
        with pytest.raises(errors.MfaError) as e:
            tk.import_google_authenticator("dave", text)
        assert want in parse_error(e), text
    with pytest.raises(errors.MfaError) as e:
        tk.import_google_authenticator("dave", f"{SECRET}\n\" HOTP_COUNTER 0\n")
    assert e.value.code == errors.code("UNSUPPORTED")
    with pytest.raises(mfakit.InvalidArgument):
        tk.import_google_authenticator("dave", "1" * 1025)
    assert tk.factor_state("dave")["totp"] is False


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def new_key() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    k = ec.generate_private_key(ec.SECP256R1())
    return k, k.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def login(tk: mfakit.Toolkit, user: str, cred_id: bytes, key: ec.EllipticCurvePrivateKey) -> mfakit.VerifyResult:
    """A login with the imported key: the assertion a security key makes for pam-u2f's origin."""
    challenge = tk.webauthn_login_begin(user)["options"]["challenge"]
    client = json.dumps({"type": "webauthn.get", "challenge": challenge, "origin": RP}).encode()
    auth = hashlib.sha256(RP.encode()).digest() + b"\x01" + struct.pack(">I", 1)
    sig = key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
    response: dict[str, Any] = {"id": b64u(cred_id), "rawId": b64u(cred_id), "type": "public-key",
                                "response": {"authenticatorData": b64u(auth), "clientDataJSON": b64u(client),
                                             "signature": b64u(sig)}}
    return tk.webauthn_login_finish(user, response)


def test_pam_u2f(tk: mfakit.Toolkit) -> None:
    (a1, p1), (a2, p2), (_, p3), (b1, pb) = new_key(), new_key(), new_key(), new_key()
    text = ("# fleet authfile\n\n"
            f"alice:AQID,{b64(p1[1:])},es256,+presence:BAUG,{b64(p2[1:])},es256,+presence+pin\n"
            f"bob:AAECAwQFBgcICQ,{pb.hex()}\n"
            f"carol:*,{b64(p3[1:])},es256,+presence\n"
            f"dave:CgsM,{b64(p3[1:])},es256,+presence\n"
            f"dave:DQ4P,{b64(p1[1:])},es256,+presence\n")
    rep = tk.import_pam_u2f(text, actor="admin")
    assert rep["keys_imported"] == 4
    users = {u["user"]: u for u in rep["users"]}
    assert set(users) == {"alice", "bob", "carol", "dave"}
    assert users["alice"]["keys_imported"] == 2 and users["alice"]["line"] == 3
    assert any("`pin` option" in n for n in users["alice"]["notes"])
    assert users["carol"]["keys_imported"] == 0 and "resident credential" in users["carol"]["notes"][0]
    assert users["dave"]["line"] == 7
    assert [k["name"] for k in tk.webauthn_list("alice")] == ["pam-u2f key 1", "pam-u2f key 2"]
    # The keys verify without a new registration: new format under the origin, old under the appid.
    assert login(tk, "alice", bytes([4, 5, 6]), a2).amr[0] == "hwk"
    assert login(tk, "bob", bytes(range(10)), b1).ok
    with pytest.raises(mfakit.WebAuthnError):
        login(tk, "alice", bytes([1, 2, 3]), a2)  # another key's signature
    again = tk.import_pam_u2f(text)
    assert again["keys_imported"] == 0 and any("already registered" in n for n in again["users"][0]["notes"])


def test_pam_u2f_one_user_and_appid(tk: mfakit.Toolkit) -> None:
    _, p = new_key()
    text = f"alice:AQID,{b64(p[1:])},es256,+presence\nbob:AAECAwQFBgcICQ,{p.hex()}\nerin:garbage\n"
    with pytest.raises(errors.MfaError) as e:
        tk.import_pam_u2f(text, user="nobody")
    assert e.value.code == errors.code("NOT_FOUND") and "no line for nobody" in e.value.detail
    skipped = tk.import_pam_u2f(text, user="bob", appid="pam://other")
    assert skipped["keys_imported"] == 0 and "registered under appid pam://other" in skipped["users"][0]["notes"][0]
    assert tk.import_pam_u2f(text, user="bob", appid=RP)["keys_imported"] == 1
    assert tk.import_pam_u2f(text.encode(), user="alice")["keys_imported"] == 1  # erin's line is not parsed
    assert tk.import_pam_u2f("") == {"users": [], "keys_imported": 0}
    assert tk.import_pam_u2f("# nobody yet\n") == {"users": [], "keys_imported": 0}


def test_pam_u2f_refusals(tk: mfakit.Toolkit) -> None:
    _, p = new_key()
    key = b64(p[1:])
    for text, want in [(f"alice:AQID,{key},es256\n# x\nerin:BAUG,{key},es256:BwgJ,AAAA,es256\n",
                        "u2f_keys line 3, credential 2: public key"),
                       (f"erin:BAUG,{key},es512\n", "line 1, credential 1: COSE type"),
                       (f"erin:BAUG,{key},es256,+touch\n", "line 1, credential 1: options"),
                       (f"erin:BAUG,{p[:-1].hex()}\n", "public key"),
                       (":AQID,AAAA,es256\n", "no user name")]:
        with pytest.raises(errors.MfaError) as e:
            tk.import_pam_u2f(text)
        assert want in parse_error(e), text
    assert tk.webauthn_list("alice") == []  # all or nothing
