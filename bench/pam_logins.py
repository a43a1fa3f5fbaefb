#!/usr/bin/python3
"""Logins per second through pamtester (one process per login, as a login service runs the stack) and
the module's own time per authentication (bench/pam_auth_loop.c: pam_start + pam_authenticate + pam_end
in one process), for pam_mfa on SQLite, pam_mfa on Redis and google-authenticator-libpam, in one run
under pam_wrapper. Every login is a valid code of a user who has not logged in yet (a replay guard
refuses a second use, so a loop over one user would time refusals): each measurement enrolls its own
users first. Rounds are interleaved over the three stacks so a slow spell of the shared machine hits
all of them; the medians of the rounds are printed, with the ratios to google-authenticator-libpam.

Usage: bench/pam_logins.py --driver build/bench/pam_auth_loop [--logins 100] [--rounds 3]
Environment: MFA_APP (mfa), PAM_MFA_MODULE (pam_mfa.so); redis-server on PATH for the Redis stack.
docs/performance.md ("PAM module") records a run."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pam"))
import peers_stack as ps  # noqa: E402


class Stack:
    """One module configuration: enroll(users) makes them able to log in once; machine is its service."""

    def __init__(self, name, root):
        self.name = name
        self.root = root


class GoogleAuthenticatorStack(Stack):
    def __init__(self, root):
        super().__init__("google-authenticator-libpam", root)
        self.ga = ps.GoogleAuthenticator(root)
        self.machine = ps.Machine(root, [f"auth required {ps.GOOGLE_AUTHENTICATOR} secret={root}/${{USER}} "
                                         f"user={ps.login_user()}"])

    def missing(self):
        return self.ga.missing()

    def enroll(self, users):
        for u in users:
            path = os.path.join(self.root, u)
            with open(path, "w") as f:
                f.write(self.ga.file_text())
            os.chmod(path, 0o600)
        return {u: self.ga.secret for u in users}


class PamMfaStack(Stack):
    def __init__(self, name, root, store_url):
        super().__init__(name, root)
        self.mfa = ps.PamMfa(root, store_url)
        self.machine = None

    def missing(self):
        return self.mfa.missing()

    def enroll(self, users):
        secrets = {}
        for u in users:
            self.mfa.enroll(u)
            secrets[u] = self.mfa.secret
        if self.machine is None:
            self.machine = self.mfa.machine("host")
        return secrets


def codes_now(secrets):
    """Each user's current code; sleeps into a fresh step first when the step is nearly over, so that
    every code is still inside the modules' ±1 window when its login comes."""
    ps.wait_step_start(10)
    return {u: ps.totp(s) for u, s in secrets.items()}


def through_pamtester(stack, codes):
    start = time.monotonic()
    accepted = sum(stack.machine.login(u, c)[0] for u, c in codes.items())
    seconds = time.monotonic() - start
    return {"logins": len(codes), "accepted": accepted, "per_second": len(codes) / seconds}


def through_driver(stack, codes, driver):
    path = os.path.join(stack.root, "codes.txt")
    with open(path, "w") as f:
        f.writelines(f"{u} {c}\n" for u, c in codes.items())
    r = subprocess.run([driver, stack.machine.name, path], capture_output=True, text=True, env=stack.machine.environ(),
                       timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"{driver} ({stack.name}): {r.stderr.strip()}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--driver", required=True, help="build/bench/pam_auth_loop")
    ap.add_argument("--logins", type=int, default=100, help="logins per measurement (default 100)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = ap.parse_args()
    if args.logins < 1 or args.rounds < 1:
        ap.error("--logins and --rounds must be at least 1")
    with tempfile.TemporaryDirectory(prefix="mfa-pam-bench-") as root:
        redis, why = ps.start_redis(root)
        if why:
            sys.exit(f"pam_logins: {why}")
        try:
            stacks = [PamMfaStack("pam_mfa (SQLite)", os.path.join(root, "sqlite"), "sqlite:" + os.path.join(root, "sqlite", "mfa.db")),
                      PamMfaStack("pam_mfa (Redis)", os.path.join(root, "redis-store"), redis.url),
                      GoogleAuthenticatorStack(os.path.join(root, "ga"))]
            for s in stacks:
                os.makedirs(s.root, exist_ok=True)
                why = s.missing()
                if why:
                    sys.exit(f"pam_logins: {s.name}: {'; '.join(why)}")
            results = {s.name: {"pamtester": [], "driver": []} for s in stacks}
            for r in range(args.rounds):
                for s in stacks:
                    for kind in ("pamtester", "driver"):
                        users = [f"bench{r}{kind[0]}{i}" for i in range(args.logins)]
                        codes = codes_now(s.enroll(users))
                        res = through_pamtester(s, codes) if kind == "pamtester" else through_driver(s, codes, args.driver)
                        if res["accepted"] != res["logins"]:
                            sys.exit(f"pam_logins: {s.name} {kind}: {res['accepted']} of {res['logins']} valid codes accepted")
                        results[s.name][kind].append(res)
        finally:
            redis.__exit__(None, None, None)
    base = stacks[-1].name
    med = {n: {"pamtester": statistics.median(x["per_second"] for x in v["pamtester"]),
               "driver_us": statistics.median(x["median_us"] for x in v["driver"])} for n, v in results.items()}
    print(f"{args.rounds} rounds x {args.logins} logins per stack and kind; medians of the rounds")
    print("| stack | logins/s through pamtester | x GA | time per authentication (pam_auth_loop, median) | x GA |")
    print("|---|---|---|---|---|")
    for n, m in med.items():
        print(f"| {n} | {m['pamtester']:.1f} | {m['pamtester'] / med[base]['pamtester']:.2f} | "
              f"{m['driver_us'] / 1000:.2f} ms | {m['driver_us'] / med[base]['driver_us']:.2f} |")


if __name__ == "__main__":
    main()
