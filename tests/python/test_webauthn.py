"""The WebAuthn relying party from Python with a soft token as the browser's authenticator:
options, registration, the credential handle, authentication (counter, challenge, origin, user
verification, discoverable login), response_ids, trust anchors and COSE."""
from __future__ import annotations

import base64
import json
import uuid
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


# ---- FIDO MDS3 BLOB: written here with `cryptography` (an independent JWS and X.509 maker) ----

def _mds_pki() -> tuple[Any, Any, Any]:
    """(root key, root certificate, (signer key, signer certificate)) of a test MDS operator."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mfakit tests")])

    def cert(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool) -> Any:
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(datetime.datetime(2020, 9, 13)).not_valid_after(datetime.datetime(2033, 5, 18))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(issuer_key, hashes.SHA256()))

    root_key = ec.generate_private_key(ec.SECP256R1())
    root = cert("FIDO MDS Test Root", root_key, "FIDO MDS Test Root", root_key, True)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = cert("mds.test", signer_key, "FIDO MDS Test Root", root_key, False)
    return root_key, root, (signer_key, signer)


def _mds_blob(signer: tuple[Any, Any], payload: dict[str, Any]) -> bytes:
    """A JWS compact serialisation, ES256 (raw r || s, RFC 7518 §3.4), x5c = [signer]."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64u(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    key, cert = signer
    der = cert.public_bytes(serialization.Encoding.DER)
    header = {"alg": "ES256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
    signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(payload).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return (signing_input + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))).encode()


def _attestation_cert(made_json: str) -> tuple[bytes, str]:
    """(DER of the packed statement's leaf certificate, its AAGUID as text) of a registration."""
    from fido2 import cbor
    att = json.loads(made_json)["response"]["attestationObject"]
    obj = cbor.decode(base64.urlsafe_b64decode(att + "=" * (-len(att) % 4)))
    auth_data = obj["authData"]
    return obj["attStmt"]["x5c"][0], str(uuid.UUID(bytes=auth_data[37:53]))


def test_mds_blob(soft_device: mfakit.Device, tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    at = 1_800_000_000  # 2027-01-15, inside every certificate's validity
    party = rp()
    ro = party.registration_options("alice", "Alice", attestation="direct")
    made = soft_device.make_credential(RP_ID, ro.user_id, user_name="alice", challenge=ro.challenge, origin=ORIGIN)
    leaf, aaguid = _attestation_cert(made.json)  # type: ignore[arg-type]
    _, root, signer = _mds_pki()
    root_pem = root.public_bytes(serialization.Encoding.PEM)

    def payload(status: str = "FIDO_CERTIFIED_L1", next_update: str = "2030-01-01") -> dict[str, Any]:
        return {"legalHeader": "test", "no": 42, "nextUpdate": next_update,
                "entries": [{"aaguid": aaguid,
                             "metadataStatement": {"description": "mfakit soft token",
                                                   "attestationRootCertificates": [base64.b64encode(leaf).decode()]},
                             "statusReports": [{"status": status, "effectiveDate": "2022-01-01"}],
                             "timeOfLastStatusChange": "2022-01-01"}]}

    def blob_file(data: bytes, name: str = "blob.jwt") -> Any:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    good = blob_file(_mds_blob(signer, payload()))
    trust = mfakit.TrustAnchors().load_mds_blob(good, root_pem, at=at)
    assert trust.counts == (0, 1)
    # Trusted through the BLOB alone: the soft token's certificate is its entry's attestation root.
    with rp(at=at, trust=trust, attestation_policy=webauthn.AttestationPolicy.REQUIRE_TRUSTED) as strict:
        reg = strict.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
        assert reg.attestation_trusted and reg.fmt == "packed" and str(uuid.UUID(bytes=reg.aaguid)) == aaguid
    # Without the BLOB the same registration is refused by the same policy.
    with rp(at=at, attestation_policy=webauthn.AttestationPolicy.REQUIRE_TRUSTED) as bare:
        with pytest.raises(mfakit.WebAuthnError):
            bare.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]

    # A revoked authenticator is refused; ALLOW_MDS_COMPROMISED makes it merely untrusted.
    revoked = mfakit.TrustAnchors().load_mds_blob(blob_file(_mds_blob(signer, payload("REVOKED")), "r.jwt"),
                                                  root_pem, at=at)
    with rp(at=at, trust=revoked, attestation_policy=webauthn.AttestationPolicy.REQUIRE_TRUSTED) as strict:
        with pytest.raises(mfakit.MfaError) as e:
            strict.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
        assert e.value.name == "MFA_ERR_MDS_AUTHENTICATOR_REVOKED"
    with rp(at=at, trust=revoked, attestation_policy=webauthn.AttestationPolicy.ALLOW_MDS_COMPROMISED) as party2:
        reg = party2.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
        assert not reg.attestation_trusted
    with rp(at=at, trust=revoked, attestation_policy=webauthn.AttestationPolicy.REQUIRE_TRUSTED
            | webauthn.AttestationPolicy.ALLOW_MDS_COMPROMISED) as party3:
        with pytest.raises(mfakit.AttestationError) as ae:
            party3.verify_registration(made.json, ro.challenge, ro.user_id)  # type: ignore[arg-type]
        assert ae.value.name == "MFA_ERR_ATT_UNTRUSTED" and "REVOKED" in ae.value.detail

    # The BLOB itself: another operator's root, a changed payload, past nextUpdate, not a JWS.
    _, other_root, _ = _mds_pki()
    cases = [
        (good, other_root.public_bytes(serialization.Encoding.PEM), at, "MFA_ERR_MDS_UNTRUSTED"),
        (good, root_pem, at + 10 * 365 * 86400, None),  # 2037: past nextUpdate or the certificates
        (blob_file(_mds_blob(signer, payload(next_update="2026-01-01")), "old.jwt"), root_pem, at,
         "MFA_ERR_MDS_BLOB_EXPIRED"),
        (blob_file(b"not.a.jws", "bad.jwt"), root_pem, at, "MFA_ERR_MDS_BLOB_INVALID"),
    ]
    head, body, sig = good.read_bytes().split(b".")
    tampered = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
    tampered["no"] = 43
    forged = head + b"." + base64.urlsafe_b64encode(json.dumps(tampered).encode()).rstrip(b"=") + b"." + sig
    cases.append((blob_file(forged, "forged.jwt"), root_pem, at, "MFA_ERR_MDS_SIGNATURE_INVALID"))
    for path, pem, when, name in cases:
        with pytest.raises(mfakit.MfaError) as e:
            mfakit.TrustAnchors().load_mds_blob(path, pem, at=when)
        if name is not None:
            assert e.value.name == name, (path.name, e.value)
        else:
            assert e.value.name in ("MFA_ERR_MDS_BLOB_EXPIRED", "MFA_ERR_MDS_UNTRUSTED"), e.value
    with pytest.raises(mfakit.MfaError) as e:
        mfakit.TrustAnchors().load_mds_blob(tmp_path / "absent.jwt", root_pem, at=at)
    assert e.value.name == "MFA_ERR_IO"
