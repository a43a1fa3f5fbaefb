#!/usr/bin/python3
"""pam_mfa, google-authenticator-libpam and pam-u2f through the same pamtester scenarios, in one run:
the same valid code twice, the same code on two machines sharing nothing but the user, 16 concurrent
logins with one code, SIGKILL mid-login. Prints the table docs/pam.md records ("Compared with
google-authenticator-libpam and pam-u2f") and asserts pam_mfa's rows only: the peers' behaviour is
recorded, not judged. pam-u2f needs a security key plugged into the machine, which a CI runner has not:
its column is the authfile (a soft-token credential, parsed by the module) and the failure mode with no
device.

Usage: peers.py [--markdown]   (meson test pam_peers; exit 77 with the reason when a module is missing)
Environment: MFA_APP, PAM_MFA_MODULE (tests/meson.build sets them)."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamenv  # noqa: E402
import peers_stack as ps  # noqa: E402

SCENARIOS = ("replay", "two machines", "16 concurrent", "SIGKILL mid-login")


def accepted(ok):
    return "accepted" if ok else "refused"


def run_code_scenarios(make):
    """The four scenarios for a code module; `make(root)` gives a fresh module (its own state) each
    time. Returns {scenario: (cell text, facts for the assertions)}."""
    user = ps.login_user()
    out = {}
    with tempfile.TemporaryDirectory(prefix="mfa-peers-") as root:
        mod = make(os.path.join(root, "replay"))
        mod.enroll(user)
        ps.wait_step_start(10)
        m = mod.machine("a")
        code = mod.code()
        first, second = m.login(user, code)[0], m.login(user, code)[0]
        out["replay"] = (f"1st {accepted(first)}, 2nd {accepted(second)}", (first, second))

        mod = make(os.path.join(root, "two"))
        mod.enroll(user)
        a = mod.machine("a")
        b = mod.machine("b", copy_of=a)
        ps.wait_step_start(10)
        code = mod.code()
        on_a, on_b = a.login(user, code)[0], b.login(user, code)[0]
        out["two machines"] = (f"machine A {accepted(on_a)}, machine B {accepted(on_b)}", (on_a, on_b))

        mod = make(os.path.join(root, "concurrent"))
        mod.enroll(user)
        m = mod.machine("a")
        ps.wait_step_start(12)
        n, messages = ps.concurrent_logins([m], user, mod.code())
        why = f" ({'; '.join(messages)})" if messages else ""
        out["16 concurrent"] = (f"{n} of 16 accepted{why}", n)

        mod = make(os.path.join(root, "crash"))
        mod.enroll(user)
        m = mod.machine("a")
        ps.wait_step_start(15)
        code = mod.code()
        finished = ps.crash_rounds(m, user, code)
        intact = mod.state_intact(m)
        again = m.login(user, code)[0]
        following, said = m.login(user, mod.code(time.time() + 30))
        throttle = re.search(r"try again in (\d+) seconds", said)
        waited = ""
        if not following and throttle:
            # Killed logins that had verified count: the first accepted, the others replays, i.e.
            # failures; the throttle they earned is waited out, then a later step's code is tried.
            time.sleep(int(throttle.group(1)) + 1)
            following = m.login(user, mod.code(time.time() + 30))[0]
            waited = f" after the {throttle.group(1)} s throttle the replays earned"
        state = "" if intact is None else f"state file {'intact' if intact else 'DAMAGED'}; "
        out["SIGKILL mid-login"] = (
            f"20 kills ({finished} finished first); {state}killed code afterwards {accepted(again)}; "
            f"next code {accepted(following)}{waited}", (intact, following))
    return out


def u2f_column():
    """pam-u2f with an authfile line for a fresh P-256 credential (a random credential id and key pair,
    what pamu2fcfg writes after registering a key), and no device attached. The authfile is parsed
    when the module's debug output counts the user's key."""
    why = ps.missing(ps.PAM_U2F)
    if why:
        return None, why
    user = ps.login_user()
    host = os.uname().nodename
    with tempfile.TemporaryDirectory(prefix="mfa-u2f-") as root:
        authfile = os.path.join(root, "u2f_keys")
        with open(authfile, "w") as f:
            f.write(u2f_authfile_line(user) + "\n")
        m = ps.Machine(root, [f"auth required {ps.PAM_U2F} authfile={authfile} origin=pam://{host} "
                              f"appid=pam://{host} debug debug_file=stderr"])
        start = time.monotonic()
        ok, output = m.login(user, "")
        ms = (time.monotonic() - start) * 1000
    parsed = "Found 1 device(s) for user" in output
    no_device = "Device for this keyhandle is not present" in output
    cell = (f"login {accepted(ok)} in {ms:.0f} ms; authfile {'parsed (1 key)' if parsed else 'NOT parsed'}; "
            f"{'debug: device for this key handle not present' if no_device else 'nothing said about the device'}")
    not_run = "not run: no code to replay (a fresh challenge each login), needs a key plugged in"
    return {**{s: (not_run, None) for s in SCENARIOS}, "authfile, no device": (cell, (ok, parsed))}, []


def u2f_authfile_line(user):
    """pam-u2f 1.1's authfile format, user:keyHandle,publicKey,coseType,+presence — the credential id
    and the raw P-256 point (x || y), both base64."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return pamenv.pamu2fcfg_line(user, os.urandom(64), point[1:])


def columns():
    """Runs everything: ({column name: {scenario: cell}}, pam_mfa facts, reasons something could not run)."""
    cols, facts, skipped = {}, {}, []
    redis_dir = tempfile.TemporaryDirectory(prefix="mfa-peers-redis-")
    redis, redis_why = ps.start_redis(redis_dir.name)
    try:
        dbs = iter(range(16))
        makers = [
            ("pam_mfa (SQLite per machine)", lambda root: ps.PamMfa(root, "sqlite:" + os.path.join(root, "mfa.db"))),
            ("pam_mfa (Redis, one store)", lambda root: ps.PamMfa(root, ps.redis_db(redis, next(dbs)))),
            ("google-authenticator-libpam", lambda root: ps.GoogleAuthenticator(root)),
            ("google-authenticator-libpam (no RATE_LIMIT)", lambda root: ps.GoogleAuthenticator(root, rate_limit=False)),
        ]
        for name, make in makers:
            why = make(tempfile.gettempdir()).missing()  # the constructors write nothing
            if "Redis" in name and redis_why:
                why.append(redis_why)
            if why:
                skipped += [f"{name}: {w}" for w in why]
                continue
            result = run_code_scenarios(make)
            cols[name] = {k: v[0] for k, v in result.items()}
            if name.startswith("pam_mfa"):
                facts[name] = {k: v[1] for k, v in result.items()}
    finally:
        if redis:
            redis.__exit__(None, None, None)
        redis_dir.cleanup()
    u2f, why = u2f_column()
    if u2f is None:
        skipped += [f"pam-u2f: {w}" for w in why]
    else:
        cols["pam-u2f"] = {k: v[0] for k, v in u2f.items()}
    return cols, facts, skipped


def markdown(cols):
    names = list(cols)
    rows = list(SCENARIOS) + ["authfile, no device"]
    lines = ["| scenario | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r} | " + " | ".join(cols[n].get(r, "n/a") for n in names) + " |")
    return "\n".join(lines)


def check_pam_mfa(facts):
    """pam_mfa's correct results; the failures as text (empty: all correct)."""
    bad = []
    for name, f in facts.items():
        if f["replay"] != (True, False):
            bad.append(f"{name}: replay: expected 1st accepted, 2nd refused, got {f['replay']}")
        shared = "Redis" in name
        if f["two machines"] != (True, not shared):
            bad.append(f"{name}: two machines: expected A accepted, B {'refused' if shared else 'accepted'}, "
                       f"got {f['two machines']}")
        if f["16 concurrent"] != 1:
            bad.append(f"{name}: 16 concurrent: expected exactly 1 accepted, got {f['16 concurrent']}")
        if f["SIGKILL mid-login"][1] is not True:
            bad.append(f"{name}: after the SIGKILLs the next valid code was refused")
    return bad


def main():
    cols, facts, skipped = columns()
    print(markdown(cols))
    for s in skipped:
        print("SKIPPED:", s)
    bad = check_pam_mfa(facts)
    for b in bad:
        print("FAIL:", b)
    if bad:
        return 1
    if skipped or not facts:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
