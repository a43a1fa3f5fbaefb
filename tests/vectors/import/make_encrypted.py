#!/usr/bin/env python3
"""Writes the password-protected 2FAS and andOTP fixtures next to this script from their plain twins
(2fas.2fas, andotp.json), independently of mfakit's code: Python's `cryptography` package
(Debian python3-cryptography) following the formats as the apps write them and Aegis reads them:

  2FAS (twofas/2fas-android BackupCipherImpl.kt, BackupContent.kt; Aegis TwoFASImporter.java):
    servicesEncrypted = B64(AES-256-GCM(services JSON) || tag) ":" B64(salt) ":" B64(iv),
    key = PBKDF2-HMAC-SHA256(password, salt (256 random bytes), 10000, 32); reference is the fixed
    BackupContent.Reference text sealed the same way with the same salt and its own IV.
  andOTP (Aegis AndOtpImporter.java, asmw/andOTP-decrypt):
    current: iterations (u32 big-endian) || salt (12) || iv (12) || ciphertext || tag,
             key = PBKDF2-HMAC-SHA1(password, salt, iterations, 32)
    <= 0.6.2: iv (12) || ciphertext || tag, key = SHA-256(password)

The outputs are random (salts, IVs) and committed; rerun only to change them:
  python3 tests/vectors/import/make_encrypted.py
"""
import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = b"correct horse battery"
REFERENCE = (b"tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6m"
             b"tsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidX"
             b"QCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd")
# andOTP writes 140000..160000; a smaller count keeps the tests quick (the count is read from the file).
ANDOTP_ITERATIONS = 10000


def pbkdf2(algorithm, salt, iterations):
    return PBKDF2HMAC(algorithm=algorithm, length=32, salt=salt, iterations=iterations).derive(PASSWORD)


def b64(data):
    return base64.b64encode(data).decode()


def twofas_seal(key, salt, plaintext):
    iv = os.urandom(12)
    return ":".join([b64(AESGCM(key).encrypt(iv, plaintext, None)), b64(salt), b64(iv)])


def write_2fas(name, services, reference=REFERENCE):
    plain = json.load(open(os.path.join(HERE, "2fas.2fas")))
    salt = os.urandom(256)
    key = pbkdf2(hashes.SHA256(), salt, 10000)
    backup = {k: v for k, v in plain.items() if k != "services"}
    backup["services"] = []
    backup["servicesEncrypted"] = twofas_seal(key, salt, json.dumps(services, separators=(",", ":")).encode())
    backup["reference"] = twofas_seal(key, salt, reference)
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(backup, f, indent=2)
        f.write("\n")


def write_andotp(name, entries, old):
    plaintext = entries if isinstance(entries, bytes) else json.dumps(entries).encode()
    iv = os.urandom(12)
    if old:
        header = b""
        key = hashlib.sha256(PASSWORD).digest()
    else:
        salt = os.urandom(12)
        header = struct.pack(">I", ANDOTP_ITERATIONS) + salt
        key = pbkdf2(hashes.SHA1(), salt, ANDOTP_ITERATIONS)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(header + iv + AESGCM(key).encrypt(iv, plaintext, None))


def main():
    services = json.load(open(os.path.join(HERE, "2fas.2fas")))["services"]
    entries = json.load(open(os.path.join(HERE, "andotp.json")))
    write_2fas("2fas-encrypted.2fas", services)
    write_2fas("2fas-encrypted-empty.2fas", [])
    write_andotp("andotp-encrypted.json.aes", entries, old=False)
    write_andotp("andotp-encrypted-old.json.aes", entries, old=True)
    write_andotp("andotp-encrypted-empty.json.aes", [], old=False)
    # Damaged inside the encryption: what the password opens is wrong.
    write_2fas("2fas-encrypted-bad-reference.2fas", services, reference=b"not the reference text")
    write_andotp("andotp-encrypted-old-not-json.json.aes", b'[{"secret": "JBSWY3DPEHPK3PXP", ', old=True)


if __name__ == "__main__":
    main()
