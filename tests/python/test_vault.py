"""The encrypted vault from Python: create, open, accounts, codes, HOTP, save, passphrase change,
imports, the writer lock and wrong passphrases."""
from __future__ import annotations

from pathlib import Path

import pytest

import mfakit
from mfakit import Vault
from mfakit.otp import IssuerPolicy
from mfakit.vault import ImportFormat

KDF = {"memory_kib": 19456, "passes": 2}  # the smallest accepted: fast tests
URI = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8"
HOTP = "otpauth://hotp/Example:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&counter=0"


def test_vault_life_cycle(tmp_path: Path) -> None:
    path = tmp_path / "vault.mfa"
    with Vault.create(path, "correct horse", **KDF) as v:
        alice = v.add_uri(URI)
        bob = v.add_uri(HOTP)
        assert len(alice) == 32 and v.ids() == [alice, bob] and len(v) == 2
        assert v.code(alice, 59) == ("94287082", 1)
        with pytest.raises(mfakit.VaultError) as e:
            v.add_uri(URI)
        assert e.value.name == "MFA_ERR_VAULT_DUPLICATE"
        assert v.hotp_next(bob) == "755224"
        v.save()
        with pytest.raises(mfakit.VaultError) as e:  # the writer lock is held, also after a wait
            Vault.open(path, "correct horse", writable=True, wait_ms=200)
        assert e.value.name == "MFA_ERR_VAULT_LOCKED"
    with pytest.raises(mfakit.VaultError) as e:
        Vault.open(path, b"wrong")
    assert e.value.name == "MFA_ERR_VAULT_WRONG_PASSPHRASE"
    with Vault.open(path, bytearray(b"correct horse"), writable=True) as v:
        listing = v.list()
        assert [(a["issuer"], a["name"], a["type"]) for a in listing] == [("Example", "alice", "totp"),
                                                                          ("Example", "bob", "hotp")]
        assert "secret" not in listing[0]
        assert v.hotp_next(listing[1]["id"]) == "287082"  # the counter was saved
        with pytest.raises(mfakit.InvalidArgument):
            v.code(listing[1]["id"])
        v.remove(listing[0]["id"])
        with pytest.raises(mfakit.MfaError) as e2:
            v.remove(listing[0]["id"])
        assert e2.value.name == "MFA_ERR_NOT_FOUND"
        v.passwd("new passphrase", **KDF)
        v.save()
    with Vault.open(path, "new passphrase") as v:
        assert len(v) == 1
        with pytest.raises(mfakit.VaultError) as e:
            v.save()
        assert e.value.name == "MFA_ERR_VAULT_READ_ONLY"
    with pytest.raises(mfakit.VaultError) as e:
        Vault.create(path, "x", **KDF)
    assert e.value.name == "MFA_ERR_VAULT_EXISTS"
    with pytest.raises(mfakit.VaultError) as e:
        Vault.open(tmp_path / "none.mfa", "x")
    assert e.value.name == "MFA_ERR_VAULT_MISSING"
    with pytest.raises(mfakit.VaultError) as e:
        Vault.create(tmp_path / "weak.mfa", "x", memory_kib=1024, passes=1)
    assert e.value.name == "MFA_ERR_VAULT_KDF_PARAMS"


def test_import(tmp_path: Path) -> None:
    with Vault.create(tmp_path / "v.mfa", "pw", **KDF) as v:
        report = v.import_export((URI + "\n" + HOTP + "\n").encode(), ImportFormat.URI_LIST)
        assert report["format"] and len(report["imported"]) == 2
        again = v.import_export((URI + "\n").encode())
        assert again["imported"] == [] and len(again["duplicates"]) == 1
        with pytest.raises(mfakit.MfaError) as e:
            v.import_export(b"otpauth://totp/x?secret=!!\n", ImportFormat.URI_LIST)
        assert e.value.detail
        assert len(v) == 2


def test_import_options(tmp_path: Path) -> None:
    """skip_invalid and issuer_policy: the MFA_VAULT_IMPORT_* option bits."""
    mismatch = "otpauth://totp/Label:carol?secret=JBSWY3DPEHPK3PXP&issuer=Param"
    bad = "otpauth://totp/x?secret=!!"
    with Vault.create(tmp_path / "v.mfa", "pw", **KDF) as v:
        with pytest.raises(mfakit.UriError) as e:
            v.import_export((mismatch + "\n").encode(), ImportFormat.URI_LIST)
        assert e.value.name == "MFA_ERR_URI_ISSUER_MISMATCH" and "line 1" in e.value.detail
        report = v.import_export((bad + "\n" + mismatch + "\n").encode(), ImportFormat.URI_LIST,
                                 skip_invalid=True, issuer_policy=IssuerPolicy.PREFER_LABEL)
        assert len(report["imported"]) == 1 and report["invalid"][0].startswith("line 1")
        assert [a["issuer"] for a in v.list()] == ["Label"]
    with Vault.create(tmp_path / "w.mfa", "pw", **KDF) as w:
        w.import_export((mismatch + "\n").encode(), ImportFormat.URI_LIST, issuer_policy=IssuerPolicy.PREFER_PARAM)
        assert [a["issuer"] for a in w.list()] == ["Param"]
