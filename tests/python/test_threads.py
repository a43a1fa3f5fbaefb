"""Thread safety where the C ABI has it: one Toolkit shared by 8 threads (each code accepted exactly
once, even when all threads race with the same code), one Otp verified by 8 threads, one
RelyingParty verifying logins of per-thread credentials."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mfakit

from conftest import ORIGIN, RP_ID, needs

THREADS = 8


def test_toolkit_shared_by_threads(tmp_path: Path) -> None:
    store = mfakit.Store(f"sqlite:{tmp_path / 'mfa.db'}")
    tk = mfakit.Toolkit(store, mfakit.keyring_generate(), free_failures=50, lock_after=100)
    otps = {}
    for i in range(THREADS):
        user = f"user{i}"
        o = mfakit.Otp.from_uri(tk.totp_begin(user)["uri"])
        tk.totp_confirm(user, o.generate_at(o.time_step() - 1))  # leaves the current step unused
        otps[user] = o
    barrier = threading.Barrier(THREADS)

    def own(user: str) -> tuple[int, int]:
        barrier.wait()
        accepted = replayed = 0
        code = otps[user].generate()
        for _ in range(20):
            try:
                tk.totp_verify(user, code)
                accepted += 1
            except mfakit.CodeReplayed:
                replayed += 1
        return accepted, replayed

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(own, otps))
    assert results == [(1, 19)] * THREADS

    # All threads race with one user's same code: exactly one accepts.
    o = mfakit.Otp.from_uri(tk.totp_begin("shared")["uri"])
    tk.totp_confirm("shared", o.generate_at(o.time_step() - 1))
    code = o.generate()
    race = threading.Barrier(THREADS)

    def same(_: int) -> bool:
        race.wait()
        try:
            tk.totp_verify("shared", code)
            return True
        except mfakit.CodeReplayed:
            return False

    with ThreadPoolExecutor(THREADS) as pool:
        assert sum(pool.map(same, range(THREADS))) == 1


def test_otp_shared_by_threads() -> None:
    o = mfakit.Otp(b"12345678901234567890", digits=8)

    def work(i: int) -> int:
        ok = 0
        for t in range(1000):
            at = 59 + 30 * (t + i)
            ok += o.verify_totp(o.generate(at), at=at).step == at // 30
        return ok

    with ThreadPoolExecutor(THREADS) as pool:
        assert list(pool.map(work, range(THREADS))) == [1000] * THREADS


@needs("fido2")
def test_relying_party_shared_by_threads(tmp_path: Path) -> None:
    rp = mfakit.RelyingParty(RP_ID, origins=[ORIGIN])

    def work(i: int) -> int:
        with mfakit.Device(f"soft:{tmp_path / f'tok{i}.json'}") as dev:
            ro = rp.registration_options(f"u{i}")
            made = dev.make_credential(RP_ID, ro.user_id, challenge=ro.challenge, origin=ORIGIN)
            cred = mfakit.Credential(rp.verify_registration(made.json, ro.challenge, ro.user_id).record_json)  # type: ignore[arg-type]
            for _ in range(10):
                ao = rp.authentication_options([cred.id])
                got = dev.get_assertion(RP_ID, challenge=ao.challenge, origin=ORIGIN, allow_ids=[cred.id])[0]
                rp.verify_authentication(cred, got.json, ao.challenge, ro.user_id)  # type: ignore[arg-type]
            return cred.sign_count

    with ThreadPoolExecutor(THREADS) as pool:
        counts = list(pool.map(work, range(THREADS)))
    assert all(c >= 10 for c in counts)
