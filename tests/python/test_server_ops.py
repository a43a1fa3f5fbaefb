"""Operations through the Python package: backups of a SQLite store (create, list, verify, restore,
prune, the refusal of Redis and PostgreSQL URLs), one cron run of key maintenance, and hardware OTP
tokens imported from the RFC 6030 figures (plain, pre-shared key, PBKDF2), assigned, verified,
resynchronised, unassigned and retired, with bad input."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import mfakit
from mfakit import errors, server

from conftest import SOURCE_ROOT, needs

VECTORS = SOURCE_ROOT / "tests" / "vectors" / "pskc"
RFC_KEY = bytes.fromhex("12345678901234567890123456789012")
# RFC 4226 Appendix D, 8 digits (the figures' ResponseFormat Length).
HOTP8 = ["84755224", "94287082", "37359152", "26969429", "40338314", "68254676", "18287922", "82162583",
         "73399871", "45520489"]


def vector(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def test_backup_roundtrip(tmp_path: Path) -> None:
    url = f"sqlite:{tmp_path / 'mfa.db'}"
    store = server.Store(url)
    tk = server.Toolkit(store, mfakit.keyring_generate())
    tk.totp_begin("alice")
    made = server.backup_create(url, str(tmp_path / "backups"))
    assert made["name"].startswith("mfa-backup-") and made["pruned"] == []
    assert os.stat(made["path"]).st_mode & 0o777 == 0o600
    listed = server.backup_list(str(tmp_path / "backups"))
    assert [b["name"] for b in listed] == [made["name"]]
    checked = server.backup_verify(made["path"])
    assert checked["audit_records"] >= 1 and checked["key_ids"] == [1]
    target = tmp_path / "restored.db"
    server.backup_restore(made["path"], str(target))
    with pytest.raises(errors.BackupError) as e:
        server.backup_restore(made["path"], str(target))
    assert e.value.name == "MFA_ERR_BACKUP_TARGET_EXISTS"
    server.backup_restore(made["path"], str(target), overwrite=True)
    assert server.backup_prune(str(tmp_path / "backups"), 30) == []


def test_backup_refuses_other_stores_and_bad_files(tmp_path: Path) -> None:
    for url, tool in (("redis://127.0.0.1:6379/0", "BGSAVE"), ("postgresql://u@h/db", "pg_dump")):
        with pytest.raises(errors.MfaError) as e:
            server.backup_create(url, str(tmp_path))
        assert e.value.name == "MFA_ERR_UNSUPPORTED" and tool in str(e.value)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(errors.MfaError):
        server.backup_verify(str(junk))
    with pytest.raises(errors.InvalidArgument):
        server.backup_prune(str(tmp_path), 40000)


def test_keyring_maintain(tmp_path: Path) -> None:
    ring = tmp_path / "ring"
    ring.write_text(mfakit.keyring_generate())
    store = server.Store(f"sqlite:{tmp_path / 'mfa.db'}")
    first = server.keyring_maintain(store, str(ring), max_age_days=30, batch=10)
    assert first["current"] == 1 and not first["rotated"] and first["removed"] == []
    again = server.keyring_maintain(store, str(ring), max_age_days=30, batch=10)
    assert again["current"] == 1 and not again["rotated"]
    with pytest.raises(errors.InvalidArgument):
        server.keyring_maintain(store, str(ring), batch=200000)
    with pytest.raises(errors.MfaError) as e:
        server.keyring_maintain(store, str(tmp_path / "missing-ring"))
    assert e.value.name == "MFA_ERR_IO" and "missing-ring" in str(e.value)
    # The rotation age in seconds: a key a second old is replaced; old secrets still decrypt (the ring keeps it).
    time.sleep(1.1)
    rotated = server.keyring_maintain(store, str(ring), max_age=1, batch=10)
    assert rotated["rotated"] and rotated["current"] == 2
    with pytest.raises(errors.InvalidArgument):
        server.keyring_maintain(store, str(ring), max_age=0)


@needs("pskc")
def test_otp_tokens(tmp_path: Path) -> None:
    tk = server.Toolkit(server.Store("memory:"), mfakit.keyring_generate())
    tk.set_membership("alice", "acme", "owner")
    got = tk.otp_tokens_import("acme", vector("rfc6030-figure6.pskc"), key=RFC_KEY, actor="ops")
    assert [t["serial"] for t in got] == ["987654321"]
    assert got[0]["type"] == "hotp" and got[0]["digits"] == 8 and got[0]["state"] == "unassigned"
    assert got[0]["org"] == "acme"
    with pytest.raises(errors.HwTokenError):
        tk.otp_tokens_import("acme", vector("rfc6030-figure3.pskc"))  # the same serial, plain
    assert len(tk.otp_tokens_list("acme")) == 1
    tk.otp_tokens_assign("987654321", "alice", org="acme")
    assert tk.totp_verify("alice", HOTP8[0]).ok
    with pytest.raises(errors.CodeMismatch):
        tk.totp_verify("alice", HOTP8[0])
    assert tk.otp_tokens_resync("alice", HOTP8[6], HOTP8[7]).ok
    assert tk.totp_verify("alice", HOTP8[8]).ok
    tk.otp_tokens_unassign("987654321", org="acme")
    with pytest.raises(errors.HwTokenError):
        tk.otp_tokens_unassign("987654321", org="acme")
    tk.otp_tokens_retire("987654321", org="acme")
    assert tk.otp_tokens_list("acme")[0]["state"] == "retired"
    # PBKDF2 (RFC 6030 Figure 7 is the same serial: a second toolkit)
    tk2 = server.Toolkit(server.Store("memory:"), mfakit.keyring_generate())
    assert tk2.otp_tokens_import("acme", vector("rfc6030-figure7.pskc"), passphrase="qwerty")[0]["serial"] == "987654321"


@needs("pskc")
def test_otp_tokens_per_organization() -> None:
    """Each organization has its own inventory; another organization's token is not found, and a
    token goes only to a member of its organization."""
    tk = server.Toolkit(server.Store("memory:"), mfakit.keyring_generate())
    tk.set_membership("alice", "acme", "owner")
    tk.set_membership("gus", "globex", "owner")
    tk.otp_tokens_import("acme", vector("rfc6030-figure6.pskc"), key=RFC_KEY)
    assert tk.otp_tokens_list("globex") == []
    assert [t["org"] for t in tk.otp_tokens_list()] == ["acme"]   # an operator's view
    with pytest.raises(errors.MfaError) as e:
        tk.otp_tokens_assign("987654321", "gus", org="globex")
    assert e.value.name == "MFA_ERR_NOT_FOUND" and "in globex" in e.value.detail
    with pytest.raises(errors.HwTokenError) as h:
        tk.otp_tokens_assign("987654321", "gus", org="acme")
    assert h.value.name == "MFA_ERR_HWTOKEN_ORG" and "gus is not a member of it" in h.value.detail
    with pytest.raises(errors.MfaError):
        tk.otp_tokens_retire("987654321", org="globex")
    with pytest.raises(errors.HwTokenError):
        tk.otp_tokens_adopt("987654321", "globex")   # it has an organization
    tk.otp_tokens_assign("987654321", "alice", org="acme")
    assert tk.factor_state("alice")["hwtoken"] == "987654321"
    with pytest.raises(errors.InvalidArgument):
        tk.otp_tokens_import("", vector("rfc6030-figure3.pskc"))


@needs("pskc")
def test_otp_tokens_bad_input() -> None:
    tk = server.Toolkit(server.Store("memory:"), mfakit.keyring_generate())
    with pytest.raises(errors.PskcError) as e:
        tk.otp_tokens_import("acme", vector("rfc6030-figure6.pskc"), key=bytes(16))
    assert e.value.name in ("MFA_ERR_PSKC_DECRYPT", "MFA_ERR_PSKC_MAC")
    with pytest.raises(errors.PskcError) as e:
        tk.otp_tokens_import("acme", vector("bad-mac.pskc"), key=RFC_KEY)
    assert e.value.name == "MFA_ERR_PSKC_MAC"
    with pytest.raises(errors.PskcError) as e:
        tk.otp_tokens_import("acme", vector("bad-algorithm.pskc"))
    assert e.value.name == "MFA_ERR_PSKC_ALGORITHM"
    with pytest.raises(errors.PskcError):
        tk.otp_tokens_import("acme", b"<not-pskc/>")
    with pytest.raises(errors.MfaError):
        tk.otp_tokens_assign("nope", "alice", org="acme")
    assert tk.otp_tokens_list("acme") == []
