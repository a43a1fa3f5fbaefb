"""The WebAuthn relying party from Python with a soft token as the browser's authenticator:
options, registration, the credential handle, authentication (counter, challenge, origin, user
verification, discoverable login), response_ids, trust anchors and COSE."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import mfakit
from mfakit import webauthn
from mfakit.webauthn import UserVerification

from conftest import ORIGIN, RP_ID


def rp(**kw: Any) -> mfakit.RelyingParty:
    return mfakit.RelyingParty(RP_ID, "Example", origins=[ORIGIN], **kw)


def register(party: mfakit.RelyingParty, dev: mfakit.Device, resident: bool = False, pin: str | None = None
             ) -> tuple[webauthn.Registration, bytes]:
    ro = party.registration_options("alice", "Alice", resident_key="required" if resident else "preferred")
    made = dev.make_credential(RP_ID, ro.user_id, user_name="alice", challenge=ro.challenge, origin=ORIGIN,
                               resident=resident, user_verification=pin is not None, pin=pin)
    return party.verify_registration(made.json, ro.challenge, ro.user_id), ro.user_id  # type: ignore[arg-type]


def assertion(party: mfakit.RelyingParty, dev: mfakit.Device, cred: mfakit.Credential | None = None,
              pin: str | None = None) -> tuple[str, bytes]:
    ao = party.authentication_options([cred.id] if cred else [])
    got = dev.get_assertion(RP_ID, challenge=ao.challenge, origin=ORIGIN, allow_ids=[cred.id] if cred else [],
                            user_verification=pin is not None, pin=pin)
    return got[0].json, ao.challenge  # type: ignore[return-value]


def test_options() -> None:
    with rp() as party:
        ro = party.registration_options("alice", user_id=b"\x01" * 16, attestation="direct",
                                        resident_key=webauthn.ResidentKey.REQUIRED, extensions={"credProps": True})
        o = ro.options
        assert o["rp"] == {"id": RP_ID, "name": "Example"} and o["user"]["name"] == "alice"
        assert o["attestation"] == "direct" and o["authenticatorSelection"]["residentKey"] == "required"
        assert o["extensions"]["credProps"] is True
        assert ro.user_id == b"\x01" * 16 and len(ro.challenge) == 32
        assert party.registration_options("bob").challenge != ro.challenge
        ao = party.authentication_options([b"\x02" * 16, "AwMD"])
        assert [c["id"] for c in ao.options["allowCredentials"]] == ["AgICAgICAgICAgICAgICAg", "AwMD"]
        with pytest.raises(mfakit.WebAuthnError) as e:
            party.registration_options("alice", extensions="[1]")
        assert e.value.name == "MFA_ERR_WEBAUTHN_OPTIONS"
        with pytest.raises(ValueError):
            party.registration_options("alice", attestation="sometimes")


def test_register_and_authenticate(soft_device: mfakit.Device) -> None:
    party = rp()
    reg, user_id = register(party, soft_device)
    assert (reg.fmt, reg.alg, reg.record["alg"]) == ("packed", -7, -7)
    assert reg.record["userHandle"] and len(reg.aaguid) == 16
    cred = mfakit.Credential(reg.record_json)
    assert cred.id == reg.credential_id and cred.sign_count == reg.sign_count
    resp, challenge = assertion(party, soft_device, cred)
    assert webauthn.response_ids(resp) == (cred.id, b"")
    info = party.verify_authentication(cred, resp, challenge, user_id)
    assert info.sign_count == cred.sign_count == json.loads(cred.record_json)["signCount"]
    assert not info.counter_regressed
    # The same response again: the counter did not increase; the handle is unchanged.
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_authentication(cred, resp, challenge, user_id)
    assert e.value.name == "MFA_ERR_WEBAUTHN_SIGN_COUNT" and "counter" in e.value.detail
    assert cred.sign_count == info.sign_count
    resp2, challenge2 = assertion(party, soft_device, cred)
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_authentication(cred, resp2, challenge, user_id)
    assert e.value.name == "MFA_ERR_WEBAUTHN_CHALLENGE"
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_authentication(cred, resp2, challenge2, b"someone else")
    assert e.value.name == "MFA_ERR_WEBAUTHN_USER_HANDLE"
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_authentication(cred, resp2, challenge2, user_id, user_verification=UserVerification.REQUIRED)
    assert e.value.name == "MFA_ERR_WEBAUTHN_USER_VERIFIED"
    party.verify_authentication(cred, resp2, challenge2, user_id)
    # A record reloaded from the stored JSON carries the counter on.
    again = mfakit.Credential(cred.record_json)
    assert again.sign_count == cred.sign_count


def test_counter_flag_policy_and_origin(soft_device: mfakit.Device) -> None:
    party = rp(counter_policy="flag")
    reg, user_id = register(party, soft_device)
    cred = mfakit.Credential(reg.record)
    resp, challenge = assertion(party, soft_device, cred)
    party.verify_authentication(cred, resp, challenge, user_id)
    assert party.verify_authentication(cred, resp, challenge, user_id).counter_regressed
    # The repeated response still has its signature checked (what bench/python_bench.py relies on).
    r = json.loads(resp)
    sig = bytearray(base64.urlsafe_b64decode(r["response"]["signature"] + "=="))
    sig[-1] ^= 1
    r["response"]["signature"] = base64.urlsafe_b64encode(bytes(sig)).rstrip(b"=").decode()
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_authentication(cred, r, challenge, user_id)
    assert e.value.name in ("MFA_ERR_WEBAUTHN_SIGNATURE", "MFA_ERR_COSE_SIGNATURE_FORMAT")
    other = mfakit.RelyingParty(RP_ID, origins=["https://other.example"])
    resp, challenge = assertion(party, soft_device, cred)
    with pytest.raises(mfakit.WebAuthnError) as e:
        other.verify_authentication(cred, resp, challenge, user_id)
    assert e.value.name == "MFA_ERR_WEBAUTHN_ORIGIN"


def test_registration_errors(soft_device: mfakit.Device) -> None:
    party = rp()
    ro = party.registration_options("alice")
    made = soft_device.make_credential(RP_ID, ro.user_id, challenge=ro.challenge, origin=ORIGIN)
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_registration(made.json, b"\x00" * 32, ro.user_id)  # type: ignore[arg-type]
    assert e.value.name == "MFA_ERR_WEBAUTHN_CHALLENGE"
    with pytest.raises(mfakit.WebAuthnError) as e:
        party.verify_registration("{}", ro.challenge, ro.user_id)
    assert e.value.name == "MFA_ERR_WEBAUTHN_JSON"
    strict = rp(attestation_policy=webauthn.AttestationPolicy.REQUIRE_TRUSTED)
    with pytest.raises(mfakit.AttestationError) as a:
        strict.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
    assert a.value.name == "MFA_ERR_ATT_UNTRUSTED"
    only_eddsa = rp(algorithms=[webauthn.Cose.EDDSA])
    with pytest.raises(mfakit.WebAuthnError) as e:
        only_eddsa.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
    assert e.value.name == "MFA_ERR_WEBAUTHN_ALGORITHM"


def test_discoverable_login_and_uv(soft_device: mfakit.Device) -> None:
    soft_device.set_pin("4321")
    party = rp(user_verification="required")
    reg, user_id = register(party, soft_device, resident=True, pin="4321")
    assert reg.user_verified
    cred = mfakit.Credential(reg.record_json)
    resp, challenge = assertion(party, soft_device, None, pin="4321")
    cid, handle = webauthn.response_ids(resp)
    assert (cid, handle) == (cred.id, user_id)
    info = party.verify_authentication(cred, resp, challenge, None)  # the userHandle names the account
    assert info.user_verified


def test_eddsa_and_cose(soft_device: mfakit.Device) -> None:
    party = rp()
    ro = party.registration_options("alice")
    made = soft_device.make_credential(RP_ID, ro.user_id, challenge=ro.challenge, origin=ORIGIN,
                                       algorithm=webauthn.Cose.EDDSA)
    assert webauthn.cose_key_alg(made.public_key) == -8
    reg = party.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
    assert reg.alg == -8
    with pytest.raises(mfakit.EncodingError) as e:
        webauthn.cose_verify(made.public_key, b"data", b"\x00" * 64)
    assert e.value.name == "MFA_ERR_COSE_SIGNATURE_INVALID"
    with pytest.raises(mfakit.EncodingError):
        webauthn.cose_key_alg(b"\xa0")


def test_trust_anchors(tmp_path: Any) -> None:
    from conftest import shared_dir
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared is absent: no certificates to load")
    pems = sorted((shared / "conformance" / "webauthn").rglob("*.pem"))
    if not pems:
        pytest.skip("no PEM files in the conformance corpus")
    t = mfakit.TrustAnchors().add_pem(pems[0].read_text(), "packed")
    assert t.counts[0] >= 1 and t.counts[1] == 0
    with pytest.raises(mfakit.InvalidArgument):
        t.add_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    (tmp_path / "tpm").mkdir()
    (tmp_path / "tpm" / "root.pem").write_bytes(pems[0].read_bytes())
    t.add_dir(tmp_path)
    assert t.counts[0] >= 2
    rp(trust=t)
