#!/usr/bin/python3
"""pam_mfa.so through a real PAM stack, unprivileged: pamtester under pam_wrapper (tests/pam/pamenv.py)
against a SQLite store and key ring prepared with `mfa server`. Each test logs in as the current user
(the files the module imports must be theirs). Skipped (77) without pamtester or libpam-wrapper."""
import json
import os
import subprocess
import tempfile
import time
import unittest

import mfa_unittest
import pamenv
from loopback_port import loopback_port

MODULE = os.environ.get("PAM_MFA_MODULE", "")
MFA = os.environ.get("MFA_APP", "")
USER = pamenv.current_user()
NO_FIDO2 = None if os.environ.get("PAM_MFA_FIDO2", "1") == "1" else "built without the FIDO2 client (-Dfido2)"
WHY_NOT = pamenv.missing() or (None if os.path.exists(MODULE) else "PAM_MFA_MODULE does not name pam_mfa.so")


@unittest.skipIf(WHY_NOT, WHY_NOT or "")
class PamMfa(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.env = pamenv.PamEnv(self.dir, MODULE)
        self.store = pamenv.Store(self.dir, MFA)
        self.enroll_dir = os.path.join(self.dir, "enroll")
        os.mkdir(self.enroll_dir, 0o700)
        self.secret = pamenv.random_secret()

    def tearDown(self):
        self.tmp.cleanup()

    def base(self, *extra):
        return " ".join([self.store.options(), f"enroll_dir={self.enroll_dir}", *extra])

    def mfa_service(self, *extra, name="mfa", then_permit=False):
        lines = ["auth required {module} " + self.base(*extra)]
        if then_permit:
            lines.append("auth required pam_permit.so")
        lines.append("account required pam_permit.so")
        self.env.service(name, *lines)
        return name

    def write_enrollment(self, secret=None, user=USER, mode=0o600):
        path = os.path.join(self.enroll_dir, USER + ".json")
        doc = {"v": 1, "user": user, "created": int(time.time()),
               "totp": {"secret": secret or self.secret, "alg": "SHA1", "digits": 6, "period": 30}}
        pamenv.write_private(path, json.dumps(doc))
        os.chmod(path, mode)
        return path

    def login(self, service, *answers, **kw):
        return self.env.authenticate(service, USER, answers, **kw)

    def code(self, offset=0, secret=None):
        return pamenv.totp(secret or self.secret, offset=offset)

    def test_valid_code_imports_the_enrollment_once(self):
        path = self.write_enrollment()
        before = os.stat(path)
        svc = self.mfa_service()
        pamenv.wait_for_fresh_step()
        first = r = self.login(svc, self.code())
        self.assertTrue(r.ok, r.output)
        self.assertIn("Verification code", r.output)
        self.assertNotIn(self.secret, r.stdout + r.stderr)
        after = os.stat(path)
        self.assertEqual((before.st_mtime_ns, before.st_size, before.st_ino), (after.st_mtime_ns, after.st_size, after.st_ino),
                         "the module must never rewrite the enrollment file")
        # Replaced by another secret after the import: ignored (the store's factor stays).
        other = pamenv.random_secret()
        self.write_enrollment(other)
        r = self.login(svc, pamenv.totp(other, offset=1))
        self.assertFalse(r.ok, r.output)
        r = self.login(svc, self.code(offset=1))
        self.assertTrue(r.ok, "the imported factor is still the one: " + r.output)
        self.assertIn(f"user {USER}: TOTP factor imported from {path}", "\n".join(r.syslog) + "\n".join(first.syslog))

    def test_wrong_code(self):
        self.write_enrollment()
        svc = self.mfa_service()
        good = self.code()
        wrong = str((int(good) + 1) % 1000000).zfill(6)
        r = self.login(svc, wrong)
        self.assertFalse(r.ok, r.output)
        self.assertIn(f"user {USER}: wrong TOTP code (otp_code_mismatch), failure 1", r.syslog)
        self.assertNotIn(wrong, "\n".join(r.syslog), "a code is never logged")
        r = self.login(svc, "not-a-code")
        self.assertFalse(r.ok, r.output)
        lock = json.loads(self.store.server("lock", USER).stdout)
        self.assertEqual(lock["second_factor_failures"], 2, lock)

    def test_replay_is_refused(self):
        self.write_enrollment()
        svc = self.mfa_service()
        pamenv.wait_for_fresh_step()
        code = self.code()
        self.assertTrue(self.login(svc, code).ok)
        r = self.login(svc, code)
        self.assertFalse(r.ok, "the same code twice: " + r.output)
        # An older step than the one accepted is a replay too.
        self.assertFalse(self.login(svc, self.code(offset=-1)).ok)

    def test_tries_reprompts_within_one_login(self):
        self.write_enrollment()
        svc = self.mfa_service("tries=2")
        pamenv.wait_for_fresh_step()
        r = self.login(svc, "000000" if self.code() != "000000" else "111111", self.code())
        self.assertTrue(r.ok, r.output)
        self.assertEqual(r.output.count("Verification code"), 2, r.output)

    def test_lockout_and_release(self):
        self.write_enrollment()
        svc = self.mfa_service("free_failures=2", "lock_after=3", "delay=0")
        pamenv.wait_for_fresh_step(margin=8)
        good = self.code()
        wrong = str((int(good) + 500000) % 1000000).zfill(6)
        for _ in range(3):
            self.assertFalse(self.login(svc, wrong).ok)
        r = self.login(svc, good)
        self.assertFalse(r.ok, "locked: even the right code is refused: " + r.output)
        self.assertIn("locked", r.output)
        lock = json.loads(self.store.server("lock", USER).stdout)
        self.assertEqual(lock["second_factor_failures"], 3, "the refused right code was not counted: " + str(lock))
        self.store.server("lock", USER, "--unlock")
        r = self.login(svc, good)
        self.assertTrue(r.ok, "released by `mfa server lock --unlock`: " + r.output)

    def test_timed_lock_expires(self):
        self.write_enrollment()
        svc = self.mfa_service("free_failures=1", "lock_after=2", "delay=0", "lock_duration=2")
        pamenv.wait_for_fresh_step(margin=10)
        good = self.code()
        wrong = str((int(good) + 1) % 1000000).zfill(6)
        self.assertFalse(self.login(svc, wrong).ok)
        self.assertFalse(self.login(svc, wrong).ok)
        self.assertFalse(self.login(svc, good).ok)
        time.sleep(3)
        r = self.login(svc, good)
        self.assertTrue(r.ok, "the lock of lock_duration=2 is over: " + r.output)

    def test_nullok(self):
        strict = self.mfa_service(name="strict", then_permit=True)
        r = self.login(strict, "123456")
        self.assertFalse(r.ok, "no factor and no nullok: refused: " + r.output)
        self.assertIn("Verification code", r.output, "a user without a factor is asked like everyone else")
        u2f_name = self.mfa_service("nouserok", name="u2f_name", then_permit=True)
        self.assertTrue(self.login(u2f_name).ok, "pam-u2f's nouserok is nullok")
        lenient = self.mfa_service("nullok", name="lenient", then_permit=True)
        r = self.login(lenient)
        self.assertTrue(r.ok, r.output)
        self.assertNotIn("Verification code", r.output)
        # nullok does not help an enrolled user with a wrong code.
        self.write_enrollment()
        self.assertFalse(self.login(lenient, "000000" if self.code() != "000000" else "111111").ok)

    def test_grace_period_from_the_org_policy(self):
        now = int(time.time())
        self.store.server("policy", "set", "acme", "--policy",
                          json.dumps({"require": "everyone", "grace_period": 86400, "effective_since": now}))
        svc = self.mfa_service("org=acme", name="grace", then_permit=True)
        r = self.login(svc)
        self.assertTrue(r.ok, "within the grace period: " + r.output)
        self.assertIn("mfa pam enroll", r.output)
        self.store.server("policy", "set", "beta", "--policy",
                          json.dumps({"require": "everyone", "grace_period": 0, "effective_since": now - 10}))
        svc = self.mfa_service("org=beta", name="nograce", then_permit=True)
        r = self.login(svc)
        self.assertFalse(r.ok, "the grace period is over: " + r.output)
        self.write_enrollment()
        pamenv.wait_for_fresh_step()
        self.assertTrue(self.login(svc, self.code()).ok, "enrolled: the code is asked and accepted")

    def test_recovery_code_once(self):
        self.write_enrollment()
        svc = self.mfa_service()
        codes = json.loads(self.store.server("recovery-codes", USER).stdout)["codes"]
        r = self.login(svc, codes[0])
        self.assertTrue(r.ok, r.output)
        self.assertIn("left", r.output)
        self.assertFalse(self.login(svc, codes[0]).ok, "a recovery code works once")
        only_totp = self.mfa_service("factors=totp", name="only_totp")
        self.assertFalse(self.login(only_totp, codes[1]).ok, "factors=totp refuses recovery codes")
        self.assertTrue(self.login(svc, codes[1]).ok)

    def test_google_authenticator_migration(self):
        ga = os.path.join(self.dir, "ga", USER)
        os.makedirs(os.path.dirname(ga))
        pamenv.write_private(ga, "\n".join([self.secret, '" RATE_LIMIT 3 30 1764650000', '" WINDOW_SIZE 3',
                                            '" DISALLOW_REUSE', '" TOTP_AUTH', "12345678", "87654321"]) + "\n")
        svc = self.mfa_service("migrate=google_authenticator", f"secret={self.dir}/ga/${{USER}}", "noenroll")
        pamenv.wait_for_fresh_step()
        r = self.login(svc, self.code())
        self.assertTrue(r.ok, r.output)
        self.assertTrue(self.login(svc, "12345678").ok, "a scratch code is a recovery code")
        self.assertFalse(self.login(svc, "12345678").ok, "used once")
        with open(ga) as f:
            self.assertIn("12345678", f.read(), "the google_authenticator file is never rewritten")
        # Imported once: a new secret in the file later changes nothing.
        other = pamenv.random_secret()
        pamenv.write_private(ga, other + '\n" TOTP_AUTH\n')
        self.assertFalse(self.login(svc, pamenv.totp(other)).ok)
        self.assertTrue(self.login(svc, "87654321").ok)

    def test_google_authenticator_hotp_migration(self):
        ga = os.path.join(self.dir, "ga", USER)
        os.makedirs(os.path.dirname(ga))
        text = "\n".join([self.secret, '" HOTP_COUNTER 7', '" WINDOW_SIZE 3', "12345678"]) + "\n"
        pamenv.write_private(ga, text)
        before = os.stat(ga)
        svc = self.mfa_service("migrate=google_authenticator", f"secret={self.dir}/ga/${{USER}}", "noenroll")

        def code(counter):
            return pamenv.hotp(self.secret, counter)

        r = self.login(svc, code(7))
        self.assertTrue(r.ok, "the file's counter logs in at the first login, which imports it: " + r.output)
        self.assertTrue(any(f"imported {ga}" in line for line in r.syslog), r.syslog)
        self.assertFalse(self.login(svc, code(7)).ok, "the same code again")
        self.assertFalse(self.login(svc, code(12)).ok, "beyond the window (8, 9, 10)")
        r = self.login(svc, code(10))
        self.assertTrue(r.ok, "a code within the window ahead resyncs: " + r.output)
        self.assertFalse(self.login(svc, code(9)).ok, "behind the resynced counter")
        self.assertTrue(self.login(svc, code(11)).ok)
        self.assertTrue(self.login(svc, "12345678").ok, "the scratch code is a recovery code")
        after = os.stat(ga)
        self.assertEqual((before.st_mtime_ns, before.st_size, before.st_ino), (after.st_mtime_ns, after.st_size, after.st_ino),
                         "the google_authenticator file is never rewritten (google-authenticator moves its counter there)")
        with open(ga) as f:
            self.assertEqual(f.read(), text)

    def test_google_authenticator_file_must_be_private(self):
        ga = os.path.join(self.dir, "ga_open")
        pamenv.write_private(ga, self.secret + '\n" TOTP_AUTH\n')
        os.chmod(ga, 0o644)
        svc = self.mfa_service("migrate=google_authenticator", f"secret={ga}", "noenroll")
        self.assertFalse(self.login(svc, self.code()).ok, "a file others can read is not imported")
        os.chmod(ga, 0o600)
        pamenv.wait_for_fresh_step()
        self.assertTrue(self.login(svc, self.code()).ok, "once fixed, the next login imports it")

    def test_fleet_import_through_mfa_server(self):
        ga = pamenv.write_private(os.path.join(self.dir, "alice.ga"), self.secret + '\n" TOTP_AUTH\n" WINDOW_SIZE 17\n11223344\n')
        out = json.loads(self.store.server("import-google-authenticator", USER, ga).stdout)
        self.assertTrue(out["totp_imported"], out)
        self.assertEqual(out["recovery_codes"], 1)
        self.assertTrue(any("WINDOW_SIZE" in n for n in out["notes"]), out)
        again = self.store.server("import-google-authenticator", USER, ga, check=False)
        self.assertEqual(again.returncode, 1, again.stdout + again.stderr)
        self.assertFalse(json.loads(again.stdout)["totp_imported"])
        bad = pamenv.write_private(os.path.join(self.dir, "bad.ga"), self.secret + '\n" NO_SUCH\n')
        r = self.store.server("import-google-authenticator", USER + "2", bad, check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("line 2", r.stderr)
        svc = self.mfa_service("noenroll")
        pamenv.wait_for_fresh_step()
        self.assertTrue(self.login(svc, self.code()).ok)
        self.assertTrue(self.login(svc, "11223344").ok)

    def test_enrollment_file_checks(self):
        self.write_enrollment(mode=0o644)
        svc = self.mfa_service()
        pamenv.wait_for_fresh_step()
        self.assertFalse(self.login(svc, self.code()).ok, "a world-readable enrollment file is not imported")
        self.write_enrollment(user="root" if USER != "root" else "nobody")
        self.assertFalse(self.login(svc, self.code()).ok, "an enrollment file naming another user is not imported")
        noenroll = self.mfa_service("noenroll", name="noenroll")
        self.write_enrollment()
        self.assertFalse(self.login(noenroll, self.code()).ok, "noenroll: never imported")
        self.assertTrue(self.login(svc, self.code()).ok)

    def test_store_down(self):
        port = loopback_port()  # nothing listens there
        down = f"store=redis://127.0.0.1:{port}/0 keyring={self.store.keyring}"
        self.env.service("closed", "auth required {module} " + down, "auth required pam_permit.so")
        r = self.login("closed", "123456")
        self.assertFalse(r.ok, "fail=closed (the default) refuses: " + r.output)
        self.assertTrue(any("store unavailable" in line and "fail=closed" in line for line in r.syslog), r.syslog)
        self.env.service("open", "auth required {module} fail=open " + down, "auth required pam_permit.so")
        r = self.login("open")
        self.assertTrue(r.ok, "fail=open steps aside: " + r.output)
        self.assertNotIn("Verification code", r.output)

    def test_bad_configuration_fails_closed(self):
        for args in ["no_such_option", "factors=totp,magic", "fail=sometimes", "store=ftp://x", "tries=0",
                     "try_first_pass use_first_pass", "lock_after=3 free_failures=3"]:
            self.env.service("bad", "auth required {module} " + self.base(args), "auth required pam_permit.so")
            r = self.login("bad", "123456")
            self.assertFalse(r.ok, f"{args}: {r.output}")
            self.assertTrue(any(line.startswith("configuration: option") for line in r.syslog), f"{args}: {r.syslog}")
            self.assertNotIn("Verification code", r.output, args)

    def test_first_pass_options(self):
        self.write_enrollment()
        pamenv.wait_for_fresh_step()
        # forward_pass: one prompt for password and code; the code is checked, the password goes on.
        self.env.service("fwd", "auth required {module} forward_pass " + self.base(), "auth required pam_permit.so")
        r = self.login("fwd", "hunter2" + self.code())
        self.assertTrue(r.ok, r.output)
        self.assertIn("Password & Verification code", r.output)
        # use_first_pass with nothing before it: no prompt, refused.
        self.env.service("ufp", "auth required {module} use_first_pass " + self.base(), "auth required pam_permit.so")
        r = self.login("ufp")
        self.assertFalse(r.ok, r.output)
        self.assertNotIn("Verification code", r.output)
        # try_first_pass with nothing before it: falls back to the prompt.
        self.env.service("tfp", "auth required {module} try_first_pass " + self.base(), "auth required pam_permit.so")
        r = self.login("tfp", self.code(offset=1))
        self.assertTrue(r.ok, r.output)

    @unittest.skipUnless(pamenv.REDIS_SERVER, "redis-server is not installed (Debian redis-server)")
    def test_fleet_on_redis_shares_replay_guard_and_failures(self):
        with pamenv.RedisServer(self.dir) as redis:
            fleet = pamenv.Store(self.dir, MFA, url=redis.url, keyring=self.store.keyring)
            ga = pamenv.write_private(os.path.join(self.dir, "fleet.ga"), self.secret + '\n" TOTP_AUTH\n')
            fleet.server("import-google-authenticator", USER, ga)
            opts = f"store={redis.url} keyring={self.store.keyring} noenroll"
            self.env.service("host_a", "auth required {module} " + opts)
            self.env.service("host_b", "auth required {module} " + opts)
            pamenv.wait_for_fresh_step()
            code = self.code()
            self.assertTrue(self.login("host_a", code).ok)
            r = self.login("host_b", code)
            self.assertFalse(r.ok, "a code accepted on one machine is refused on the other: " + r.output)
            self.assertTrue(any("replayed" in line for line in r.syslog), r.syslog)
            wrong = str((int(code) + 1) % 1000000).zfill(6)
            self.assertFalse(self.login("host_a", wrong).ok)
            self.assertFalse(self.login("host_b", wrong).ok)
            lock = json.loads(fleet.server("lock", USER).stdout)
            self.assertEqual(lock["second_factor_failures"], 3, "the replay and two wrong codes, counted across hosts")

    @unittest.skipIf(NO_FIDO2, NO_FIDO2 or "")
    def test_security_key_through_the_soft_token(self):
        path = os.path.join(self.enroll_dir, USER + ".json")
        state = os.path.join(self.dir, "token")
        key_opts = "factors=key,totp,recovery rp_id=pam://test cue"
        with pamenv.SoftKey(MFA, state) as key:
            r = subprocess.run([MFA, "pam", "enroll", "--file", path, "--key", key.device, "--no-totp", "--rp-id", "pam://test"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            svc = self.mfa_service(key_opts, f"device={key.device}", name="key")
            r = self.login(svc)
            self.assertTrue(r.ok, "the key (user presence) logs in: " + r.output)
            self.assertIn("Touch your security key", r.output)
            self.assertNotIn("Verification code", r.output, "a key-only user is not asked for a code")
            self.assertTrue(self.login(svc).ok, "again: the signature counter went up")
        with pamenv.SoftKey(MFA, state, presence="deny") as key:
            svc = self.mfa_service(key_opts, f"device={key.device}", name="deny")
            r = self.login(svc)
            self.assertFalse(r.ok, "no user presence: refused " + r.output)
            self.assertTrue(any(line.startswith(f"user {USER}: security key") for line in r.syslog), r.syslog)
        with pamenv.SoftKey(MFA, os.path.join(self.dir, "other-token")) as other:
            svc = self.mfa_service(key_opts, f"device={other.device}", name="wrong")
            r = self.login(svc)
            self.assertFalse(r.ok, "another key: refused " + r.output)
            self.assertTrue(any(line.startswith(f"user {USER}: security key") for line in r.syslog), r.syslog)

    @unittest.skipIf(NO_FIDO2, NO_FIDO2 or "")
    def test_security_key_with_pin_and_key_first(self):
        path = os.path.join(self.enroll_dir, USER + ".json")
        pin = pamenv.write_private(os.path.join(self.dir, "pin"), "4321\n")
        with pamenv.SoftKey(MFA, os.path.join(self.dir, "token")) as key:
            r = subprocess.run([MFA, "token", "--device", key.device, "pin", "set", "--new-pin-file", pin],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            pamenv.wait_for_fresh_step(margin=5)
            rc, secret, out, err = self.enroll(path, lambda s: [pamenv.totp(s)],
                                               "--key", key.device, "--pin-file", pin, "--rp-id", "pam://test")
            self.assertEqual(rc, 0, out + err)
            svc = self.mfa_service("factors=key,totp rp_id=pam://test pin key_first", f"device={key.device}", name="pin")
            r = self.login(svc, "4321")
            self.assertTrue(r.ok, "key with its PIN: " + r.output)
            self.assertIn("Security key PIN", r.output)
            r = self.login(svc, "0000", pamenv.totp(secret, offset=1))
            self.assertTrue(r.ok, "a wrong PIN fails the key; key_first then asks for the code: " + r.output)
            self.assertIn("Verification code", r.output)

    def register_with_pam_u2f_format(self, key, rp_id, options="+presence", old=False):
        """A credential made on the key for rp_id, as pamu2fcfg would register it, and its mapping
        line exactly as pamu2fcfg prints it (pam-u2f 1.1's format, or with old=True the format
        before 1.1). pamu2fcfg itself finds devices only by enumerating hidraw, so it cannot reach
        the soft token on its pty: `mfa token register` makes the credential."""
        r = subprocess.run([MFA, "token", "--device", key.device, "register", "--rp-id", rp_id, "--user", USER],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        cred_id, public_key, cose_type = pamenv.registered_credential(r.stdout)
        if old:
            return pamenv.old_pam_u2f_line(USER, cred_id, public_key)
        return pamenv.pamu2fcfg_line(USER, cred_id, public_key, cose_type, options)

    @unittest.skipIf(NO_FIDO2, NO_FIDO2 or "")
    def test_pam_u2f_migration_through_the_soft_token(self):
        # A per-user u2f_keys; pam-u2f's origin= names the relying party the key was registered for.
        keys = os.path.join(self.dir, "Yubico", "u2f_keys")
        os.makedirs(os.path.dirname(keys))
        with pamenv.SoftKey(MFA, os.path.join(self.dir, "token")) as key:
            line = self.register_with_pam_u2f_format(key, "pam://test")
            self.assertRegex(line, rf"^{USER}:[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]{{88}},es256,\+presence$")
            with open(keys, "w") as f:
                f.write(line + "\n")
            os.chmod(keys, 0o644)  # public data: pam-u2f lets others read it, not write it
            svc = self.mfa_service("factors=key,totp,recovery origin=pam://test migrate=pam_u2f noenroll cue",
                                   f"authfile={keys}",
                                   f"device={key.device}", name="u2f")
            r = self.login(svc)
            self.assertTrue(r.ok, "the pam-u2f key logs in without a new registration: " + r.output)
            self.assertIn("Touch your security key", r.output)
            self.assertTrue(any("imported" in line and "(1 security keys)" in line for line in r.syslog), r.syslog)
            self.assertTrue(self.login(svc).ok, "again: the counter went up")
            listed = json.loads(self.store.server("webauthn", "list", USER, "--json").stdout)
            self.assertEqual(len(listed), 1, listed)
            # Imported once: a key added to the file later is not (the store is the truth now).
            with open(keys, "a") as f:
                f.write(self.register_with_pam_u2f_format(key, "pam://test") + "\n")
            self.assertTrue(self.login(svc).ok)
            self.assertEqual(len(json.loads(self.store.server("webauthn", "list", USER, "--json").stdout)), 1)
        with pamenv.SoftKey(MFA, os.path.join(self.dir, "other-token")) as other:
            svc = self.mfa_service("factors=key origin=pam://test migrate=pam_u2f noenroll", f"authfile={keys}",
                                   f"device={other.device}", name="u2f_wrong")
            self.assertFalse(self.login(svc).ok, "a key not in the mapping: refused")

    @unittest.skipIf(NO_FIDO2, NO_FIDO2 or "")
    def test_pam_u2f_central_authfile_old_format(self):
        authfile = os.path.join(self.dir, "u2f_mappings")
        with pamenv.SoftKey(MFA, os.path.join(self.dir, "token")) as key:
            old = self.register_with_pam_u2f_format(key, "pam://fleet", old=True)
            with open(authfile, "w") as f:
                f.write("someone-else:not,a,valid,line,at,all\n" + old + "\n")
            os.chmod(authfile, 0o666)
            svc = self.mfa_service("factors=key origin=pam://fleet appid=pam://fleet migrate=pam_u2f noenroll",
                                   f"authfile={authfile}", f"device={key.device}", name="central")
            r = self.login(svc)
            self.assertFalse(r.ok, "a mapping file others can write is not imported")
            self.assertTrue(any("writable by others" in line for line in r.syslog), r.syslog)
            os.chmod(authfile, 0o644)
            r = self.login(svc)
            self.assertTrue(r.ok, "the old-format key (appid) logs in; another user's bad line is not ours: " + r.output)
            other_appid = self.mfa_service("factors=key origin=pam://fleet appid=pam://elsewhere migrate=pam_u2f noenroll",
                                           f"authfile={authfile}", f"device={key.device}", name="appid")
            self.assertTrue(self.login(other_appid).ok, "imported already: the store has the key")
        # The fleet command: the whole file, every user's last line; the bad line is an error there.
        r = self.store.server("import-pam-u2f", authfile, check=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("line 1", r.stderr)
        with open(authfile, "w") as f:
            f.write(old + "\n")
        r = self.store.server("import-pam-u2f", authfile, check=False)
        self.assertEqual(r.returncode, 1, "nothing new: " + r.stdout + r.stderr)
        self.assertIn("already registered", r.stdout)

    def enroll(self, path, answer, *extra):
        """`mfa pam enroll --file PATH --no-qr`, answering the proof prompts with answer(secret)."""
        p = subprocess.Popen([MFA, "pam", "enroll", "--file", path, "--no-qr", "--issuer", "test", *extra], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        secret = None
        for line in p.stdout:
            if line.startswith("Secret: "):
                secret = line.split()[1]
                break
        self.assertIsNotNone(secret)
        out, err = p.communicate("".join(a + "\n" for a in answer(secret)), timeout=60)
        return p.returncode, secret, out, err

    def test_mfa_pam_enroll_then_login(self):
        path = os.path.join(self.enroll_dir, USER + ".json")
        rc, _, out, err = self.enroll(path, lambda s: ["000000" if pamenv.totp(s) != "000000" else "111111"] * 3)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("does not match", err)
        self.assertFalse(os.path.exists(path), "no proof, nothing written")
        pamenv.wait_for_fresh_step(margin=5)
        rc, secret, out, err = self.enroll(path, lambda s: [pamenv.totp(s)])
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            doc = json.load(f)
        self.assertEqual((doc["user"], doc["totp"]["secret"]), (USER, secret))
        again = subprocess.run([MFA, "pam", "enroll", "--file", path, "--no-qr"], capture_output=True, text=True,
                               input="", timeout=60)
        self.assertEqual(again.returncode, 2, "an existing file is not replaced without --force")
        svc = self.mfa_service()
        r = self.login(svc, pamenv.totp(secret, offset=1))
        self.assertTrue(r.ok, "the enrolled secret logs in (the proof code's step is not the login's): " + r.output)


if __name__ == "__main__":
    mfa_unittest.main()
