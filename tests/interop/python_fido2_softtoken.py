#!/usr/bin/python3
"""python-fido2 (Debian python3-fido2 0.9.1) as an independent CTAP2 client of the soft token
bridge: GetInfo, MakeCredential with packed attestation verified by python-fido2's own attestation
code, GetAssertion verified with the credential's COSE key. Exit 0 on success, 77 when python-fido2
is missing (the test then skips), 1 on failure."""
import hashlib
import os
import sys

try:
    from fido2.attestation import Attestation
    from fido2.ctap2 import Ctap2
    from fido2.hid import CtapHidDevice
    from fido2.hid.base import HidDescriptor
    from fido2.hid.linux import LinuxCtapHidConnection
except ImportError as e:  # pragma: no cover
    print("python3-fido2 not available:", e)
    sys.exit(77)


def main(path):
    desc = HidDescriptor(path, 0, 0, 64, 64)
    dev = CtapHidDevice(desc, LinuxCtapHidConnection(desc))
    ctap = Ctap2(dev)  # strict_cbor: rejects non-canonical CBOR from the token
    info = ctap.get_info()
    assert "FIDO_2_1" in info.versions, info.versions
    assert "hmac-secret" in info.extensions
    cdh = hashlib.sha256(b"python-fido2 registration").digest()
    rp = {"id": "python.example", "name": "Python"}
    user = {"id": os.urandom(16), "name": "py", "displayName": "Py User"}
    att = ctap.make_credential(cdh, rp, user, [{"type": "public-key", "alg": -7}], options={"rk": True})
    assert att.fmt == "packed", att.fmt
    Attestation.for_type(att.fmt)().verify(att.att_statement, att.auth_data, cdh)
    cred = att.auth_data.credential_data
    cdh2 = hashlib.sha256(b"python-fido2 login").digest()
    a = ctap.get_assertion(rp["id"], cdh2, [{"type": "public-key", "id": cred.credential_id}])
    a.verify(cdh2, cred.public_key)
    # Discoverable: no allow list, the user handle comes back.
    d = ctap.get_assertion(rp["id"], cdh2)
    d.verify(cdh2, cred.public_key)
    assert d.user["id"] == user["id"]
    print("python-fido2 OK:", cred.credential_id.hex()[:16])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
