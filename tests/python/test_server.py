"""Server flows through the Python package on every store: memory, SQLite (a temporary file) and a
throwaway redis-server (skipped, exit 77, when redis-server is not installed or the library is built
without redis), and PostgreSQL when
run by tests/with_postgres: TOTP enrollment and
verification, replay, throttling and lock-out, recovery codes, passwords, API tokens, policies and
login decisions, allow lists, the audit chain, key rotation, and the WebAuthn factor with a soft
token, including a usernameless passkey login."""
from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import mfakit
from mfakit import server

from conftest import ORIGIN, RP_ID, needs

_redis_db = iter(range(1, 16))
# PostgreSQL when tests/with_postgres runs this file next to a throwaway cluster (meson test
# python_server_postgres); the other runs leave it out rather than skip it. A build without a store's
# component skips its parametrizations.
POSTGRES = os.environ.get("MFA_TEST_POSTGRES_URL")
STORES = ["memory", "sqlite", pytest.param("redis", marks=needs("redis"))] + \
    ([pytest.param("postgresql", marks=needs("postgresql"))] if POSTGRES else [])
# One database for every PostgreSQL test (each test has users of its own), so one key ring for them
# too: a rewrap walks every stored secret.
_POSTGRES_RING = mfakit.keyring_generate()


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory:"
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'mfa.db'}"
    if request.param == "postgresql":
        return POSTGRES  # type: ignore[return-value]
    base = request.getfixturevalue("redis_url")
    return base.rsplit("/", 1)[0] + f"/{next(_redis_db)}"  # a fresh database per test


@pytest.fixture
def keyring(store_url: str) -> str:
    return _POSTGRES_RING if store_url == POSTGRES else mfakit.keyring_generate()


@pytest.fixture
def toolkit(store_url: str, keyring: str) -> Iterator[mfakit.Toolkit]:
    with mfakit.Store(store_url) as store, \
            mfakit.Toolkit(store, keyring, issuer="Example", free_failures=2, base_delay=30,
                           lock_after=5, webauthn_rp_id=RP_ID, webauthn_origins=(ORIGIN,)) as tk:
        yield tk


def enroll(tk: mfakit.Toolkit, user: str) -> mfakit.Otp:
    e = tk.totp_begin(user, f"{user}@example.com", "198.51.100.7")
    assert set(e) == {"secret", "uri", "qr_svg", "qr_png_data_uri", "expires_at"}
    assert e["qr_svg"].startswith("<?xml") or "<svg" in e["qr_svg"]
    assert e["qr_png_data_uri"].startswith("data:image/png;base64,")
    if "qr_decode" in mfakit.features:  # the image holds the URI (a build without the decoder cannot read it back)
        assert mfakit.qr.decode_png_text(base64.b64decode(e["qr_png_data_uri"].split(",", 1)[1])) == [e["uri"]]
    o = mfakit.Otp.from_uri(e["uri"])
    assert o.issuer == "Example" and mfakit.base32_decode(e["secret"]) == o.secret
    with pytest.raises(mfakit.CodeMismatch):
        tk.totp_confirm(user, "000000" if o.generate() != "000000" else "111111")
    assert tk.totp_confirm(user, o.generate()).amr == ("otp",)
    return o


def previous_code(o: mfakit.Otp) -> str:
    return o.generate_at(o.time_step() - 1)


def test_totp(toolkit: mfakit.Toolkit) -> None:
    o = enroll(toolkit, "alice")
    with pytest.raises(mfakit.CodeReplayed) as e:  # the confirming code is used
        toolkit.totp_verify("alice", o.generate())
    assert e.value.result.failures == 1 and not e.value.result.ok
    with pytest.raises(mfakit.FactorError):
        toolkit.totp_begin("alice")
    with pytest.raises(mfakit.CodeMismatch):  # an unknown user is not told apart from a wrong code
        toolkit.totp_verify("nobody", "123456")
    with pytest.raises(mfakit.CodeFormatError):
        toolkit.totp_verify("alice", "12ab56")
    toolkit.totp_remove("alice", "admin")
    with pytest.raises(mfakit.CodeMismatch):
        toolkit.totp_verify("alice", o.generate())


def test_throttle_and_lock(toolkit: mfakit.Toolkit) -> None:
    o = enroll(toolkit, "bob")
    wrong = "000000" if o.generate() != "000000" else "111111"
    for _ in range(2):
        with pytest.raises(mfakit.CodeMismatch):
            toolkit.totp_verify("bob", wrong)
    with pytest.raises(mfakit.CodeMismatch):  # the third failure starts the delay
        toolkit.totp_verify("bob", wrong)
    with pytest.raises(mfakit.Throttled) as t:
        toolkit.totp_verify("bob", wrong)
    assert t.value.retry_after > 0 and t.value.code == mfakit.ErrorCode.THROTTLED
    status = toolkit.lock_status("bob")
    assert status["second_factor_failures"] >= 3 and status["locked"] is False
    toolkit.unlock("bob", "admin")
    assert toolkit.lock_status("bob")["second_factor_failures"] == 0


def test_lock_out_after_password_failures(store_url: str, keyring: str) -> None:
    with mfakit.Store(store_url) as store:
        tk = mfakit.Toolkit(store, keyring, free_failures=2, lock_after=3)
        phc = server.password_hash("correct horse battery staple")
        locked = None
        for _ in range(3):
            try:
                tk.password_verify("carol", "wrong", phc)
            except mfakit.PasswordError:
                pass
            except mfakit.AccountLocked as e:
                locked = e
        with pytest.raises(mfakit.AccountLocked) as e:
            tk.password_verify("carol", "correct horse battery staple", phc)
        assert e.value.name == "MFA_ERR_ACCOUNT_LOCKED"
        assert locked is None or locked.result.newly_locked
        assert tk.lock_status("carol")["locked"] is True
        tk.unlock("carol", "admin")
        assert tk.password_verify("carol", "correct horse battery staple", phc).amr == ("pwd",)


def test_recovery_codes(toolkit: mfakit.Toolkit) -> None:
    codes = toolkit.recovery_generate("dave")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert toolkit.recovery_remaining("dave") == 10
    assert toolkit.recovery_use("dave", codes[3]).ok
    with pytest.raises(mfakit.RecoveryCodeInvalid) as e:
        toolkit.recovery_use("dave", codes[3])
    assert e.value.result.status == mfakit.ErrorCode.RECOVERY_CODE_INVALID
    assert toolkit.recovery_remaining("dave") == 9
    fresh = toolkit.recovery_generate("dave")
    with pytest.raises(mfakit.RecoveryCodeInvalid):
        toolkit.recovery_use("dave", codes[4])
    assert toolkit.recovery_use("dave", fresh[0]).ok


def test_passwords(toolkit: mfakit.Toolkit) -> None:
    with pytest.raises(mfakit.PasswordError) as e:
        server.password_check("short")
    assert e.value.name == "MFA_ERR_PASSWORD_POLICY" and e.value.detail
    server.password_check("a long unusual passphrase", "erin")
    phc = server.password_hash("a long unusual passphrase")
    assert phc.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    r = toolkit.password_verify("erin", "a long unusual passphrase", phc, "192.0.2.1")
    assert r.ok and not r.needs_rehash
    with pytest.raises(mfakit.PasswordError) as e:
        toolkit.password_verify("erin", "wrong", phc)
    assert e.value.name == "MFA_ERR_PASSWORD_MISMATCH"
    with pytest.raises(mfakit.PasswordError):
        toolkit.password_verify("nobody", "wrong", None)
    with pytest.raises(mfakit.PasswordError) as e:
        toolkit.password_verify("erin", "x", "$argon2id$garbage")
    assert e.value.name == "MFA_ERR_PASSWORD_HASH_FORMAT"


def test_tokens(toolkit: mfakit.Toolkit) -> None:
    t = toolkit.token_create("frank", "ci", "repo:read deploy")
    assert t["token"].startswith("mfa_")
    info = toolkit.token_verify(t["token"], "203.0.113.1")
    assert (info["user"], info["name"], info["scopes"], info["id"]) == ("frank", "ci", ["repo:read", "deploy"], t["id"])
    assert [x["id"] for x in toolkit.token_list("frank")] == [t["id"]]
    with pytest.raises(mfakit.InvalidArgument, match="expiry"):
        toolkit.token_create("frank", "old", None, int(time.time()) - 10)
    later = toolkit.token_create("frank", "later", None, int(time.time()) + 3600)
    assert toolkit.token_verify(later["token"])["expires"] > time.time()
    toolkit.token_revoke("frank", t["id"], "admin")
    with pytest.raises(mfakit.TokenError) as e:
        toolkit.token_verify(t["token"])
    assert e.value.name == "MFA_ERR_TOKEN_INVALID"
    bad = t["token"][:10] + ("b" if t["token"][10] == "a" else "a") + t["token"][11:]
    with pytest.raises(mfakit.TokenError) as e:
        toolkit.token_verify(bad)
    assert e.value.name == "MFA_ERR_TOKEN_FORMAT"


def test_policy_and_allow_lists(toolkit: mfakit.Toolkit) -> None:
    toolkit.set_policy("acme", {"require": "everyone", "grace_period": 0}, "owner")
    assert toolkit.login_decision("acme", "newcomer")["decision"] == "must_enroll"
    assert toolkit.login_decision("acme", "alice", {"enrolled": ["totp"], "second_factor_verified": False}
                                  )["decision"] == "must_verify"
    with pytest.raises(mfakit.PolicyError) as e:
        toolkit.set_policy("acme", '{"require":"everyone","require":"optional"}')
    assert 'duplicate member "require"' in e.value.detail
    with pytest.raises(mfakit.MfaError) as e:
        toolkit.login_decision("acme", "alice", '{"second_factor_verified":false,"second_factor_verified":true}')
    assert e.value.name == "MFA_ERR_PARSE" and "state_json" in e.value.detail
    assert server.allowlist_check_ip("10.0.0.0/8", "::ffff:10.9.8.7")
    assert not server.allowlist_check_ip("10.0.0.0/8", "11.0.0.1")
    with pytest.raises(mfakit.NotAllowed) as e:
        server.allowlist_check_ip("10.0.0.1/8", "10.0.0.1")
    assert e.value.name == "MFA_ERR_ALLOWLIST_SYNTAX"
    assert server.allowlist_check_email("*.example.com", "a@eu.example.com")
    assert not server.allowlist_check_email("*.example.com", "a@evilexample.com")


def test_audit_and_keys(store_url: str, keyring: str) -> None:
    ring = keyring
    with mfakit.Store(store_url) as store:
        tk = mfakit.Toolkit(store, ring, issuer="Example")
        enroll(tk, "gina")
        tk.recovery_generate("gina")
        records, head = tk.audit_verify()
        assert records >= 2 and len(head) == 64
        assert tk.audit_verify(f"{records}:{head}") == (records, head)
        other = head[:-1] + ("1" if head[-1] == "0" else "0")
        with pytest.raises(mfakit.AuditError) as e:
            tk.audit_verify(f"{records}:{other}")
        assert e.value.name == "MFA_ERR_AUDIT_HEAD_MISMATCH"
        with pytest.raises(mfakit.InvalidArgument):
            tk.audit_verify("not an anchor")
        rotated = server.keyring_rotate(ring)
        assert rotated != ring
        tk2 = mfakit.Toolkit(store, rotated, issuer="Example")
        assert tk2.rewrap() >= 1
        with pytest.raises(mfakit.KeyRingError):
            mfakit.Toolkit(store, "not a key ring")


def register_key(tk: mfakit.Toolkit, dev: mfakit.Device, user: str, resident: bool) -> dict[str, Any]:
    begin = tk.webauthn_register_begin(user, user.title(), "required" if resident else "preferred")
    o = begin["options"]
    made = dev.make_credential(RP_ID, _unb64(o["user"]["id"]), user_name=user, challenge=_unb64(o["challenge"]),
                               origin=ORIGIN, resident=resident, user_verification=resident,
                               pin="4321" if resident else None)
    return tk.webauthn_register_finish(user, made.json, "my key")  # type: ignore[arg-type]


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_webauthn_factor(toolkit: mfakit.Toolkit, soft_device: mfakit.Device) -> None:
    soft_device.set_pin("4321")
    key = register_key(toolkit, soft_device, "hank", resident=False)
    assert key["name"] == "my key" and key["alg"] == -7
    assert [k["id"] for k in toolkit.webauthn_list("hank")] == [key["id"]]
    begin = toolkit.webauthn_login_begin("hank")["options"]
    got = soft_device.get_assertion(RP_ID, challenge=_unb64(begin["challenge"]), origin=ORIGIN,
                                    allow_ids=[_unb64(key["id"])])
    r = toolkit.webauthn_login_finish("hank", got[0].json)  # type: ignore[arg-type]
    assert r.ok and "hwk" in r.amr
    with pytest.raises(mfakit.WebAuthnError) as e:  # the challenge is single use
        toolkit.webauthn_login_finish("hank", got[0].json)  # type: ignore[arg-type]
    assert e.value.name == "MFA_ERR_WEBAUTHN_CHALLENGE"
    # Usernameless: a resident key; the response's userHandle names the account.
    register_key(toolkit, soft_device, "ivy", resident=True)
    begin = toolkit.webauthn_login_begin_discoverable("203.0.113.9")["options"]
    assert begin["allowCredentials"] == [] and begin["userVerification"] == "required"
    got = soft_device.get_assertion(RP_ID, challenge=_unb64(begin["challenge"]), origin=ORIGIN,
                                    user_verification=True, pin="4321")
    user, r = toolkit.webauthn_login_finish_discoverable(got[0].json)  # type: ignore[arg-type]
    assert user == "ivy" and "user" in r.amr
    toolkit.webauthn_remove("hank", key["id"], "hank")
    assert toolkit.webauthn_list("hank") == []
    with pytest.raises(mfakit.MfaError):
        toolkit.webauthn_remove("hank", key["id"])
