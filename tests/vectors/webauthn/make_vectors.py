#!/usr/bin/env python3
"""Writes ceremony.json: one ES256 registration (fmt none) and two assertions for the C ABI test
and the app test. Run once; the output is committed. Needs python3-cryptography."""
import base64, hashlib, json, os, struct
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def bstr(b): return (bytes([0x40 + len(b)]) if len(b) < 24 else bytes([0x58, len(b)]) if len(b) < 256 else bytes([0x59]) + struct.pack('>H', len(b))) + b

RP, ORIGIN = 'example.com', 'https://example.com'
key = ec.generate_private_key(ec.SECP256R1())
nums = key.public_key().public_numbers()
x, y = nums.x.to_bytes(32, 'big'), nums.y.to_bytes(32, 'big')
cose = bytes([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]) + bstr(x) + bytes([0x22]) + bstr(y)
cred_id = os.urandom(16)
user = b'user-0001'
rp_hash = hashlib.sha256(RP.encode()).digest()

def cdj(typ, ch): return json.dumps({'type': typ, 'challenge': b64u(ch), 'origin': ORIGIN}, separators=(',', ':')).encode()

reg_ch = os.urandom(32)
reg_cd = cdj('webauthn.create', reg_ch)
auth_data = rp_hash + bytes([0x45]) + struct.pack('>I', 0) + bytes(16) + struct.pack('>H', 16) + cred_id + cose
ao = bytes([0xa3, 0x63]) + b'fmt' + bytes([0x64]) + b'none' + bytes([0x67]) + b'attStmt' + bytes([0xa0, 0x68]) + b'authData' + bstr(auth_data)
reg = {'id': b64u(cred_id), 'rawId': b64u(cred_id), 'type': 'public-key',
       'response': {'clientDataJSON': b64u(reg_cd), 'attestationObject': b64u(ao), 'transports': ['usb']},
       'clientExtensionResults': {}}

def assertion(count):
    ch = os.urandom(32)
    cd = cdj('webauthn.get', ch)
    ad = rp_hash + bytes([0x01]) + struct.pack('>I', count)
    sig = key.sign(ad + hashlib.sha256(cd).digest(), ec.ECDSA(hashes.SHA256()))
    return {'challenge_b64url': b64u(ch), 'response': {
        'id': b64u(cred_id), 'rawId': b64u(cred_id), 'type': 'public-key',
        'response': {'clientDataJSON': b64u(cd), 'authenticatorData': b64u(ad), 'signature': b64u(sig), 'userHandle': b64u(user)},
        'clientExtensionResults': {}}}

out = {'rp_id': RP, 'origin': ORIGIN, 'user_handle_b64url': b64u(user),
       'registration': {'challenge_b64url': b64u(reg_ch), 'response': reg},
       'assertion_count_7': assertion(7), 'assertion_count_7_again': assertion(7)}
here = os.path.dirname(os.path.abspath(__file__))
for name, v in [('registration', out['registration']), ('assertion1', out['assertion_count_7']), ('assertion2', out['assertion_count_7_again'])]:
    with open(os.path.join(here, name + '.json'), 'w') as f: json.dump(v['response'], f)
    with open(os.path.join(here, name + '.challenge'), 'w') as f: f.write(v['challenge_b64url'] + '\n')
    raw = base64.urlsafe_b64decode(v['challenge_b64url'] + '=' * (-len(v['challenge_b64url']) % 4))
    with open(os.path.join(here, name + '.challenge.hex'), 'w') as f: f.write(raw.hex() + '\n')
with open(os.path.join(here, 'user_handle'), 'w') as f: f.write(out['user_handle_b64url'] + '\n')
with open(os.path.join(here, 'user_handle.hex'), 'w') as f: f.write(user.hex() + '\n')
