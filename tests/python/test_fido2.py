"""The FIDO2 client over the soft token: GetInfo, PINs, credentials, assertions, hmac-secret,
credential management, and a soft token served on a pseudo-terminal."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import mfakit
from mfakit import fido2

from conftest import ORIGIN, RP_ID, needs


def test_info_and_pin(soft_device: mfakit.Device) -> None:
    info = soft_device.info()
    assert "FIDO_2_0" in info["versions"] and -7 in info["algorithms"]
    soft_device.set_pin("4321")
    assert soft_device.pin_retries() == 8
    with pytest.raises(mfakit.Ctap2Error) as e:
        soft_device.change_pin("0000", "5678")
    assert e.value.code == 0x31 and e.value.name == "CTAP2_ERR_PIN_INVALID"
    assert soft_device.pin_retries() == 7
    soft_device.change_pin("4321", "5678")
    assert soft_device.pin_retries() == 8


def test_credentials_and_assertions(soft_device: mfakit.Device) -> None:
    soft_device.set_pin("4321")
    made = soft_device.make_credential(RP_ID, b"user-1", user_name="alice", challenge=b"c" * 32, origin=ORIGIN,
                                       resident=True, user_verification=True, pin="4321", hmac_secret=True)
    assert made.id and made.public_key and made.attestation_object and made.json
    hashed = soft_device.make_credential(RP_ID, b"user-2", client_data_hash=b"h" * 32)
    assert hashed.json is None
    got = soft_device.get_assertion(RP_ID, challenge=b"d" * 32, origin=ORIGIN, allow_ids=[made.id])
    assert [a.credential_id for a in got] == [made.id] and got[0].json and got[0].sign_count >= 1
    salt = b"s" * 32
    out1 = soft_device.hmac_secret(RP_ID, made.id, salt, pin="4321")
    out2 = soft_device.get_assertion(RP_ID, client_data_hash=b"x" * 32, allow_ids=[made.id], hmac_salt1=salt,
                                     user_verification=True, pin="4321")[0].hmac_secret
    assert len(out1) == 32 and out1 == out2
    listing = soft_device.credentials("4321")
    assert listing["existing"] == 1 and listing["rps"][0]["id"] == RP_ID
    soft_device.delete_credential(made.id, "4321")
    assert soft_device.credentials("4321")["existing"] == 0
    with pytest.raises(mfakit.Ctap2Error) as e:
        soft_device.get_assertion(RP_ID, client_data_hash=b"x" * 32)
    assert e.value.name == "CTAP2_ERR_NO_CREDENTIALS"


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(mfakit.Fido2Error) as e:
        mfakit.Device("nope:/x")
    assert e.value.name == "MFA_ERR_FIDO2_NO_DEVICE"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(mfakit.Fido2Error) as e:
        mfakit.Device(f"soft:{bad}")
    assert e.value.name in ("MFA_ERR_SOFTTOKEN_STATE_INVALID", "MFA_ERR_FIDO2_NO_DEVICE")
    if "fido2" in mfakit.features:
        assert isinstance(fido2.list_devices(), list)
    else:  # without the FIDO2 client there is nothing to list, and the error names the option
        with pytest.raises(mfakit.MfaError) as u:
            fido2.list_devices()
        assert u.value.name == "MFA_ERR_UNSUPPORTED" and "-Dfido2=enabled" in str(u.value)


@needs("fido2")
def test_soft_token_on_a_pty(tmp_path: Path) -> None:
    with mfakit.SoftToken(tmp_path / "tok.json") as token:
        assert token.device_path.startswith("/dev/pts/") and os.path.exists(token.device_path)
        with mfakit.Device(token.path) as dev:
            dev.set_timeout(5000)
            assert "FIDO_2_0" in dev.info()["versions"]
            made = dev.make_credential(RP_ID, b"u", client_data_hash=b"h" * 32)
            assert dev.get_assertion(RP_ID, client_data_hash=b"h" * 32, allow_ids=[made.id])[0].credential_id == made.id
        token.stop()
        token.stop()  # idempotent
    denied = mfakit.SoftToken(None, presence=fido2.Presence.DENY)
    try:
        with mfakit.Device(denied.path) as dev:
            with pytest.raises(mfakit.Ctap2Error) as e:
                dev.make_credential(RP_ID, b"u", client_data_hash=b"h" * 32)
            assert e.value.code == 0x27
    finally:
        denied.close()


def test_webauthn_client_against_the_server_toolkit(soft_device: mfakit.Device) -> None:
    """webauthn_create / webauthn_get hold whole ceremonies with the toolkit, as a browser would."""
    import json
    srv = mfakit.Toolkit(mfakit.Store("memory:"), mfakit.keyring_generate(),
                        webauthn_rp_id=RP_ID, webauthn_origins=(ORIGIN,))
    soft_device.set_pin("4321")
    begin = srv.webauthn_register_begin("alice", resident_key=mfakit.webauthn.ResidentKey.REQUIRED)
    options = json.dumps(begin)
    with pytest.raises(mfakit.WebAuthnError) as e:
        soft_device.webauthn_create(options, "https://evil.example", pin="4321")
    assert e.value.name == "MFA_ERR_WEBAUTHN_ORIGIN"
    response = soft_device.webauthn_create(options, ORIGIN, pin="4321")
    assert json.loads(response)["clientExtensionResults"]["credProps"] == {"rk": True}
    key = srv.webauthn_register_finish("alice", response, name="passkey")
    assert key["discoverable"] is True
    # A second registration of the same key is excluded (excludeCredentials lists it).
    again = json.dumps(srv.webauthn_register_begin("alice"))
    with pytest.raises(mfakit.Ctap2Error) as ce:
        soft_device.webauthn_create(again, ORIGIN, pin="4321")
    assert ce.value.name == "CTAP2_ERR_CREDENTIAL_EXCLUDED"
    # With the user named, then without.
    answer = soft_device.webauthn_get(json.dumps(srv.webauthn_login_begin("alice")), ORIGIN)
    assert srv.webauthn_login_finish("alice", answer).ok
    answer = soft_device.webauthn_get(json.dumps(srv.webauthn_login_begin_discoverable()), ORIGIN, pin="4321")
    user, result = srv.webauthn_login_finish_discoverable(answer)
    assert user == "alice" and result.ok
    # Options that are not options name what is wrong.
    with pytest.raises(mfakit.WebAuthnError) as e:
        soft_device.webauthn_get('{"rpId": "example.com"}', ORIGIN)
    assert e.value.name == "MFA_ERR_WEBAUTHN_OPTIONS" and "challenge" in str(e.value)
