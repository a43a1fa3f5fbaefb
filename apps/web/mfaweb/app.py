"""The reference service: a multi-organization Flask app whose every security decision is the
toolkit's (mfakit.Toolkit). docs/web.md walks through it as the integration guide.

The app keeps application data (appdb.py) and does the HTTP: sessions, CSRF, headers, pages. It
never compares a secret, counts a failure, decides who may log in or whether a second factor is
needed: it asks the toolkit (password_verify, totp_verify, webauthn_*, recovery_use, token_verify,
login_decision) and shows the answer.
"""
from __future__ import annotations

import calendar
import functools
import hmac
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for

import mfakit
from mfakit import errors as merrors
from mfakit import server as mserver

from .appdb import AppDb, Session

log = logging.getLogger("mfaweb")

FACTORS = ("totp", "webauthn")
ROLES = ("owner", "admin", "member")
# Who may do what in an organization is the toolkit's role table (mserver.role_permissions(),
# checked by toolkit.authorize, which audits each refusal): the pages only name the permission.
SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Config:
    data_dir: str
    store_url: str
    origin: str                 # the exact origin browsers use ("http://localhost:8000")
    rp_id: str                  # WebAuthn relying-party id ("localhost")
    keyring: str                # the key ring's text
    toolkit_options: dict[str, Any]
    cookie_secure: bool
    # Data protection, run by the service itself (docs/web.md "Data protection"): every
    # maintenance_interval seconds (0: never) a backup of a SQLite store into backup_dir ("": none),
    # kept backup_retention_days, and a key maintenance run on the key ring file at keyring_path
    # ("": none): a new key when the current one is key_max_age seconds old, rewraps, retirements.
    keyring_path: str = ""
    backup_dir: str = ""
    maintenance_interval: int = 86400
    key_max_age: int = 90 * 86400
    backup_retention_days: int = 30


class CurrentToolkit:
    """The toolkit under the key ring file's current text. Key maintenance replaces the file (this
    service's own job, or `mfa server keyring maintain` from cron); every instance reads it again
    when it changed, so new secrets go under the newest key and no instance lacks a key the others
    wrote with."""

    def __init__(self, make: Callable[[str], mfakit.Toolkit], keyring: str, path: str) -> None:
        self._make, self._path = make, path
        self._stamp = self._stat()
        self._tk = make(keyring)

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._path) if self._path else None
        except FileNotFoundError:
            return None
        return None if st is None else (st.st_mtime_ns, st.st_ino)

    def refresh(self) -> None:
        stamp = self._stat()
        if stamp is None or stamp == self._stamp:
            return
        with open(self._path) as f:
            text = f.read()
        self._tk, self._stamp = self._make(text), stamp  # one assignment: requests see old or new
        log.info("key ring reloaded")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tk, name)


def create_app(cfg: Config) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024   # a WebAuthn response is at most 256 KiB
    db = AppDb(f"{cfg.data_dir}/app.db")
    store = mfakit.Store(cfg.store_url)
    toolkit = CurrentToolkit(
        lambda ring: mfakit.Toolkit(store, ring, issuer="mfakit web", webauthn_rp_id=cfg.rp_id,
                                    webauthn_rp_name="mfakit web", webauthn_origins=(cfg.origin,),
                                    **cfg.toolkit_options),
        cfg.keyring, cfg.keyring_path)
    app.extensions["mfaweb"] = {"db": db, "toolkit": toolkit, "config": cfg}
    cookie_name = "__Host-mfaweb" if cfg.cookie_secure else "mfaweb"

    # ---------------------------------------------------------------- request plumbing
    def client_ip() -> str:
        # The service listens on the address the client connects to; behind a reverse proxy,
        # take the address the proxy sets (and only from the proxy): docs/web.md.
        return request.remote_addr or ""

    def session() -> Session:
        s: Session | None = g.get("session")
        if s is None:
            sid = request.cookies.get(cookie_name)
            s = db.session_get(sid) if sid else None
            if s is None:
                s = db.session_new()
                g.new_cookie = s.id
            g.session = s
        return s

    def replace_session(email: str, org: str, stage: str, amr: list[str], data: dict[str, Any] | None = None) -> Session:
        """A new session id at every change of privilege (no fixation)."""
        old = g.get("session")
        if old is not None:
            db.session_delete(old.id)
        s = db.session_new(email, org, stage, amr, data)
        g.session, g.new_cookie = s, s.id
        return s

    def end_session() -> None:
        s = session()
        db.session_delete(s.id)
        g.session = db.session_new()
        g.new_cookie = g.session.id

    last_purge = [0.0]

    @app.before_request
    def purge_job() -> None:
        """Once an hour per process: the toolkit removes the deleted accounts whose retention ended
        (`mfa server purge` from cron does the same); this service then drops their profile."""
        if time.monotonic() - last_purge[0] < 3600 and last_purge[0]:
            return
        last_purge[0] = time.monotonic()
        for gone in toolkit.purge(actor="mfaweb"):
            db.user_delete(gone["user"])
            log.info("purged a deleted account")

    maintenance: dict[str, Any] = {"at": 0.0, "last": None}
    maintenance_lock = threading.Lock()

    def run_maintenance() -> dict[str, Any]:
        """A backup (SQLite stores), then one key maintenance run; both audited. Redis and
        PostgreSQL stores are backed up with their own tools (docs/server.md "Backups")."""
        report: dict[str, Any] = {"time": int(time.time()), "backup": None, "keys": None, "errors": []}
        if cfg.backup_dir and cfg.store_url.startswith("sqlite:"):
            try:
                b = mserver.backup_create(cfg.store_url, cfg.backup_dir, cfg.backup_retention_days)
                report["backup"] = b
                toolkit.audit_append("mfaweb", None, "app.backup_created",
                                     f"{b['name']} ({b['bytes']} bytes); pruned {len(b['pruned'])}")
            except mfakit.MfaError as e:
                report["errors"].append(f"backup: {e.message} {e.detail}".strip())
        if cfg.keyring_path:
            try:
                k = mserver.keyring_maintain(store, cfg.keyring_path, max_age=cfg.key_max_age,
                                             backup_dir=cfg.backup_dir or None,
                                             backup_retention_days=cfg.backup_retention_days)
                report["keys"] = k
                toolkit.refresh()
                toolkit.audit_append("mfaweb", None, "app.key_maintenance",
                                     f"current key {k['current']}; rotated {str(k['rotated']).lower()}; "
                                     f"rewrapped {k['rewrapped']}; retired {len(k['retired'])}; removed {len(k['removed'])}")
            except mfakit.MfaError as e:  # KeyringBusy: another instance's run holds the lock
                report["errors"].append(f"key maintenance: {e.message} {e.detail}".strip())
        for err in report["errors"]:
            log.warning("maintenance: %s", err)
        return report

    @app.before_request
    def maintenance_job() -> None:
        """The key ring as its file says now; and once per maintenance_interval per process, the
        data-protection run (a cron job running `mfa server backup create` and `mfa server keyring
        maintain` does the same for a service that does not run it itself)."""
        toolkit.refresh()
        if cfg.maintenance_interval <= 0:
            return
        if maintenance["at"] and time.monotonic() - maintenance["at"] < cfg.maintenance_interval:
            return
        if not maintenance_lock.acquire(blocking=False):
            return
        maintenance["at"] = time.monotonic()

        def run() -> None:
            # In the background: no request waits for a backup, a key rotation or a rewrap batch.
            try:
                maintenance["last"] = run_maintenance()
            finally:
                maintenance_lock.release()

        threading.Thread(target=run, name="mfaweb-maintenance", daemon=True).start()

    @app.before_request
    def csrf_check() -> None:
        g.started = time.monotonic()
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
            return
        # The API authenticates with a bearer token and reads no cookie; every other POST carries
        # the session's token (a form field or, from fetch, a header), compared in constant time.
        sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
        if not hmac.compare_digest(sent.encode(), session().csrf.encode()):
            abort(403, "the form expired or came from another site: reload the page")
        origin = request.headers.get("Origin")
        if origin is not None and origin != cfg.origin:
            abort(403, "cross-origin request")

    @app.after_request
    def headers(resp: Response) -> Response:
        new = g.get("new_cookie")
        if new:
            resp.set_cookie(cookie_name, new, httponly=True, secure=cfg.cookie_secure, samesite="Lax", path="/")
        h = resp.headers
        h["Content-Security-Policy"] = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"  # "no-referrer" makes Chromium send "Origin: null" on form posts
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), publickey-credentials-get=(self), publickey-credentials-create=(self)"
        if cfg.cookie_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"
        # One line per request: method, path (never the query string or a body), status, who.
        s = g.get("session")
        log.info("%s %s %s %s %.0fms", request.method, request.path, resp.status_code,
                 (s.email if s and s.email else "-"), (time.monotonic() - g.get("started", time.monotonic())) * 1000)
        return resp

    permission_table = mserver.role_permissions()

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        s = session()
        org = db.org(s.org) if s.org else None
        role = member_role(s) if s.stage == "full" else None
        # Which links and forms to show: the toolkit's table for this role (each action is still
        # authorized by the toolkit when it is asked for).
        return {"sess": s, "csrf": s.csrf, "current_org": org, "role": role,
                "perms": set(permission_table.get(role or "", [])), "fmt_time": fmt_time, "fmt_left": fmt_left,
                "fmt_duration": fmt_duration}

    def membership(email: str, org: str | None = None) -> dict[str, Any] | None:
        """The toolkit's membership of the user (in org, when given): {"org", "role", "since"}."""
        m = toolkit.membership(email)
        return m if m is not None and (org is None or m["org"] == org) else None

    def member_role(s: Session) -> str | None:
        m = membership(s.email, s.org) if s.org and s.email else None
        return None if m is None else str(m["role"])

    def state_for(email: str, org: str, second_factor_verified: bool) -> dict[str, Any]:
        m = membership(email, org)
        return {"roles": [m["role"]] if m else [], "joined_at": m["since"] if m else 0, "email": email,
                "source_ip": client_ip(), "second_factor_verified": second_factor_verified}

    def audit(event: str, subject: str | None, detail: str | None = None, actor: str | None = None,
              org: str | None = None) -> None:
        """An application event in the toolkit's hash chain (app.*), in the organization's log."""
        s = g.get("session")
        toolkit.audit_append(actor or (s.email if s and s.email else subject or "-"), subject, event, detail,
                             client_ip(), org or (s.org if s else None))

    def decide(email: str, org: str, second_factor_verified: bool) -> dict[str, Any]:
        """The toolkit's login decision for this request (allow lists, requirement, grace, lock)."""
        decision: dict[str, Any] = toolkit.login_decision(org, email, state_for(email, org, second_factor_verified))
        return decision

    def verified_second(amr: list[str]) -> bool:
        return "mfa" in amr

    # ---------------------------------------------------------------- access
    def authorize(permission: str, target: str | None = None) -> None:
        """The toolkit's answer to "may this session's user do that in its organization" (and to
        that member, when target is given); a refusal is audited by the toolkit and ends here in 403."""
        s = session()
        assert s.email and s.org
        try:
            toolkit.authorize(s.email, s.org, permission, target, client_ip())
        except mfakit.PermissionDenied as e:
            abort(403, f"Not allowed: {e.detail}")

    def login_required(*, enroll_ok: bool = False, permission: str | None = None) -> Callable[..., Any]:
        """A logged-in member of the session's organization, with the toolkit's decision re-asked on
        every request: a policy made stricter (2FA now mandatory, an IP allow list) applies to
        sessions already open. enroll_ok: a page that enrolls a factor, open to a user who must.
        permission: an organization action the toolkit must authorize (toolkit.authorize)."""
        def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def inner(*a: Any, **kw: Any) -> Any:
                s = session()
                if s.stage != "full" or not s.email or not s.org or membership(s.email, s.org) is None:
                    if request.is_json:
                        return jsonify(error="not logged in"), 401
                    return redirect(url_for("login"))
                d = decide(s.email, s.org, verified_second(s.amr))
                g.decision = d
                if d["decision"] == "deny":
                    end_session()
                    return render_template("message.html", title="Access refused", message=d["reason"]), 403
                if d["decision"] == "must_verify":
                    # A factor exists now that this session never proved (enrolled elsewhere).
                    s.stage = "pending"
                    s.data = {"accepted": d["accepted"]}
                    db.session_save(s)
                    return redirect(url_for("login_second"))
                if (d["decision"] == "must_enroll" and not d["may_skip"]
                        or d["decision"] == "must_change_password") and not enroll_ok:
                    return redirect(url_for("security"))
                if permission is not None:
                    authorize(permission)
                return view(*a, **kw)
            return inner
        return wrap

    def fail(message: str, status: int = 400) -> tuple[str, int]:
        return render_template("message.html", title="Not done", message=message), status

    # ---------------------------------------------------------------- pages: sign-up and login
    @app.get("/")
    def index() -> Any:
        s = session()
        if s.stage == "full":
            return redirect(url_for("home"))
        return redirect(url_for("login"))

    @app.route("/signup", methods=["GET", "POST"])
    def signup() -> Any:
        if request.method != "POST":  # GET and HEAD
            return render_template("signup.html")
        email = request.form.get("email", "").strip().lower()
        display = request.form.get("display_name", "").strip()[:128] or email
        password = request.form.get("password", "")
        org_name = request.form.get("org_name", "").strip()[:128]
        if not re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,190}", email):
            return render_template("signup.html", error="Enter an email address.", form=request.form), 400
        invitation = db.invitation_for(email)
        try:
            # An invited address meets its organization's rules (say 3 of 4 character classes).
            if invitation is not None:
                toolkit.password_check_org(invitation["org"], password, email)
            else:
                mserver.password_check(password, email)
        except mfakit.PasswordError as e:
            return render_template("signup.html", error=f"Password refused: {e.detail}", form=request.form), 400
        if db.user(email) is not None or toolkit.membership(email) is not None:
            # One account per address; the same answer as a success would reveal it exists, so a
            # real service would mail the address instead (docs/web.md).
            return render_template("signup.html", error="An account with this address exists: log in.", form=request.form), 409
        if invitation is not None:
            d = toolkit.login_decision(invitation["org"], email,
                                       {"email": email, "source_ip": client_ip(), "roles": [invitation["role"]]})
            if d["decision"] == "deny":
                return render_template("signup.html", error=f"Refused by the organization: {d['reason']}.", form=request.form), 403
            org = invitation["org"]
            db.create_user(email, display, mfakit.password_hash(password))
            toolkit.set_membership(email, org, invitation["role"], actor=invitation["invited_by"], source_ip=client_ip())
            db.invitation_done(org, email)
        else:
            if not org_name:
                return render_template("signup.html", error="Name your organization (or ask for an invitation).",
                                       form=request.form), 400
            org = SLUG.sub("-", org_name.lower()).strip("-")[:48] or "org"
            base, n = org, 1
            while db.org(org) is not None:
                n += 1
                org = f"{base}-{n}"
            db.create_org(org, org_name)
            db.create_user(email, display, mfakit.password_hash(password))
            toolkit.set_membership(email, org, "owner", actor=email, source_ip=client_ip())
            audit("app.org_created", email, f"name {org_name}", actor=email, org=org)
        toolkit.password_changed(email, actor=email, source_ip=client_ip())
        log.info("signup %s into %s", email, org)
        return finish_first_factor(email, org, ["pwd"])

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method != "POST":  # GET and HEAD
            return render_template("login.html")
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        user = db.user(email) if email else None
        try:
            r = toolkit.password_verify(email or "-", password, user["password_phc"] if user else None, client_ip())
        except mfakit.AccountLocked as e:
            return render_template("login.html", locked=True, retry_after=e.retry_after, email=email), 423
        except mfakit.Throttled as e:
            return render_template("login.html", retry_after=e.retry_after, email=email,
                                   error="Too many failed attempts."), 429
        except mfakit.AccountDeleted:
            return render_template("login.html", error="This account was deleted. An administrator of its "
                                   "organization can restore it within the retention period.", email=email), 403
        except mfakit.PasswordError as e:
            wait = e.result.retry_after if e.result else 0
            if e.result and e.result.newly_locked:
                return render_template("login.html", locked=True, retry_after=wait, email=email), 423
            return render_template("login.html", error="Wrong email or password.", retry_after=wait, email=email), 401
        if user is None:  # cannot happen: the toolkit refuses an unknown user (dummy hash)
            abort(401)
        if r.needs_rehash:
            db.set_password(email, mfakit.password_hash(password))
        db.sessions_prune()
        m = membership(email)
        if m is None:
            return fail("This account belongs to no organization.", 403)
        return finish_first_factor(email, str(m["org"]), ["pwd"])

    def finish_first_factor(email: str, org: str, amr: list[str]) -> Any:
        d = decide(email, org, False)
        if d["decision"] == "deny":
            end_session()
            return render_template("message.html", title="Access refused", message=d["reason"]), 403
        if d["decision"] == "must_verify":
            replace_session(email, org, "pending", amr, {"accepted": d["accepted"]})
            return redirect(url_for("login_second"))
        replace_session(email, org, "full", amr)
        audit("app.login", email, " ".join(amr), actor=email, org=org)
        return redirect(url_for("security") if d["decision"] in ("must_enroll", "must_change_password")
                        else url_for("home"))

    def pending() -> Session:
        s = session()
        if s.stage != "pending" or not s.email:
            abort(redirect(url_for("login")))
        return s

    def second_factor_done(s: Session, amr: tuple[str, ...]) -> Any:
        assert s.email and s.org
        combined = sorted(set(s.amr) | set(amr) | {"mfa"})
        replace_session(s.email, s.org, "full", combined)
        audit("app.login", s.email, " ".join(combined), actor=s.email, org=s.org)
        if request.is_json:
            return jsonify(ok=True, next=url_for("home"))
        return redirect(url_for("home"))

    def refused(e: mfakit.MfaError, what: str) -> tuple[str, int] | Any:
        wait = e.result.retry_after if getattr(e, "result", None) else 0
        if isinstance(e, mfakit.AccountLocked) or (e.result and e.result.newly_locked):
            msg, status = "Account locked after too many failed attempts.", 423
        elif isinstance(e, mfakit.Throttled):
            msg, status = "Too many failed attempts.", 429
        elif isinstance(e, mfakit.CodeReplayed):
            msg, status = "That code was used already: wait for the next one.", 401
        else:
            msg, status = what, 401
        if request.is_json:
            return jsonify(error=msg, retry_after=wait), status
        return render_template("second.html", error=msg, retry_after=wait, locked=status == 423,
                               accepted=session().data.get("accepted", [])), status

    @app.get("/login/second")
    def login_second() -> Any:
        s = pending()
        return render_template("second.html", accepted=s.data.get("accepted", []))

    @app.post("/login/totp")
    def login_totp() -> Any:
        s = pending()
        assert s.email
        try:
            r = toolkit.totp_verify(s.email, request.form.get("code", "").strip(), client_ip())
        except (mfakit.OtpError, mfakit.Throttled, mfakit.AccountLocked, mfakit.FactorError) as e:
            return refused(e, "Wrong code.")
        return second_factor_done(s, r.amr)

    @app.post("/login/recovery")
    def login_recovery() -> Any:
        s = pending()
        assert s.email
        try:
            r = toolkit.recovery_use(s.email, request.form.get("code", "").strip(), client_ip())
        except (mfakit.RecoveryCodeInvalid, mfakit.Throttled, mfakit.AccountLocked) as e:
            return refused(e, "Not a valid recovery code.")
        return second_factor_done(s, r.amr + ("rec",))

    @app.post("/login/webauthn/begin")
    def login_webauthn_begin() -> Any:
        s = pending()
        assert s.email
        try:
            return jsonify(toolkit.webauthn_login_begin(s.email, client_ip())["options"])
        except mfakit.MfaError as e:
            return jsonify(error=e.message), 400

    @app.post("/login/webauthn/finish")
    def login_webauthn_finish() -> Any:
        s = pending()
        assert s.email
        try:
            r = toolkit.webauthn_login_finish(s.email, request.get_data(as_text=True), client_ip())
        except (mfakit.WebAuthnError, mfakit.Throttled, mfakit.AccountLocked, mfakit.EncodingError) as e:
            return refused(e, "The security key was not accepted.")
        return second_factor_done(s, r.amr)

    @app.post("/login/passkey/begin")
    def passkey_begin() -> Any:
        return jsonify(toolkit.webauthn_login_begin_discoverable(client_ip())["options"])

    @app.post("/login/passkey/finish")
    def passkey_finish() -> Any:
        try:
            email, r = toolkit.webauthn_login_finish_discoverable(request.get_data(as_text=True), client_ip())
        except (mfakit.WebAuthnError, mfakit.Throttled, mfakit.AccountLocked, mfakit.EncodingError) as e:
            wait = e.result.retry_after if e.result else 0
            return jsonify(error="This passkey was not accepted.", retry_after=wait), 401
        m = membership(email)
        if m is None:
            return jsonify(error="This account belongs to no organization."), 403
        org = str(m["org"])
        # The passkey verified the user (UV): it is both factors. The toolkit still decides
        # whether this login may happen (allow lists, lock).
        d = decide(email, org, True)
        if d["decision"] == "deny":
            return jsonify(error=d["reason"]), 403
        amr = sorted(set(r.amr) | {"mfa"})
        replace_session(email, org, "full", amr)
        audit("app.login", email, " ".join(amr), actor=email, org=org)
        return jsonify(ok=True, next=url_for("home"))

    @app.post("/logout")
    def logout() -> Any:
        end_session()
        return redirect(url_for("login"))

    # ---------------------------------------------------------------- the user's pages
    @app.get("/home")
    @login_required()
    def home() -> Any:
        s = session()
        assert s.email
        return render_template("home.html", user=db.user(s.email), decision=g.decision)

    @app.get("/security")
    @login_required(enroll_ok=True)
    def security() -> Any:
        s = session()
        assert s.email and s.org
        return render_template("security.html", decision=g.decision, keys=toolkit.webauthn_list(s.email),
                               factors=toolkit.factor_state(s.email), tokens=toolkit.token_list(s.email),
                               allowed=allowed_factors(s.org))

    @app.post("/security/totp/begin")
    @login_required(enroll_ok=True)
    def totp_begin() -> Any:
        s = session()
        assert s.email
        e = toolkit.totp_begin(s.email, account_name=s.email, source_ip=client_ip())
        return render_template("totp_enroll.html", qr=e["qr_png_data_uri"], secret=e["secret"], expires_at=e["expires_at"])

    @app.post("/security/totp/confirm")
    @login_required(enroll_ok=True)
    def totp_confirm() -> Any:
        s = session()
        assert s.email and s.org
        try:
            toolkit.totp_confirm(s.email, request.form.get("code", "").strip(), client_ip())
        except (mfakit.OtpError, mfakit.Throttled, mfakit.AccountLocked, mfakit.FactorError) as e:
            wait = e.result.retry_after if e.result else 0
            msg = "That code did not match: start again and try the next code." if isinstance(e, mfakit.OtpError) else e.message
            return render_template("message.html", title="TOTP not enrolled", message=msg, retry_after=wait,
                                   back=url_for("security")), 400
        # The confirmation checked a code: this session has proved the new factor.
        replace_session(s.email, s.org, "full", sorted(set(s.amr) | {"otp", "mfa"}))
        codes = toolkit.recovery_generate(s.email, client_ip())
        return render_template("recovery_codes.html", codes=codes, first=True)

    @app.post("/security/totp/remove")
    @login_required()
    def totp_remove() -> Any:
        s = session()
        assert s.email
        toolkit.totp_remove(s.email, actor=s.email, source_ip=client_ip())
        return redirect(url_for("security"))

    @app.post("/security/recovery/new")
    @login_required()
    def recovery_new() -> Any:
        s = session()
        assert s.email
        return render_template("recovery_codes.html", codes=toolkit.recovery_generate(s.email, client_ip()), first=False)

    @app.post("/security/webauthn/begin")
    @login_required(enroll_ok=True)
    def webauthn_register_begin() -> Any:
        s = session()
        assert s.email
        user = db.user(s.email)
        kind = (request.get_json(silent=True) or {}).get("kind", "security_key")
        # A passkey must be discoverable (usernameless login); a security key need not be.
        begin = toolkit.webauthn_register_begin(s.email, user["display_name"] if user else s.email,
                                                resident_key="required" if kind == "passkey" else "discouraged",
                                                source_ip=client_ip())
        return jsonify(begin["options"])

    @app.post("/security/webauthn/finish")
    @login_required(enroll_ok=True)
    def webauthn_register_finish() -> Any:
        s = session()
        assert s.email and s.org
        name = (request.args.get("name") or "security key").strip()[:64]
        try:
            key = toolkit.webauthn_register_finish(s.email, request.get_data(as_text=True), name=name,
                                                   source_ip=client_ip())
        except (mfakit.WebAuthnError, mfakit.EncodingError, mfakit.FactorError) as e:
            return jsonify(error=f"{e.message} ({e.detail})" if e.detail else e.message), 400
        # The ceremony proved possession of the new key: this session has a second factor.
        first_factor = "mfa" not in s.amr
        replace_session(s.email, s.org, "full", sorted(set(s.amr) | {"hwk", "mfa"}))
        out: dict[str, Any] = {"id": key["id"], "name": key["name"], "next": url_for("security")}
        if first_factor and toolkit.recovery_remaining(s.email) == 0:
            g.session.data = {"show_recovery": True}
            db.session_save(g.session)
            out["next"] = url_for("recovery_first")
        return jsonify(out)

    @app.get("/security/recovery/first")
    @login_required()
    def recovery_first() -> Any:
        """Recovery codes right after a first security key, shown once (the flag is consumed)."""
        s = session()
        assert s.email
        if not s.data.pop("show_recovery", False):
            return redirect(url_for("security"))
        db.session_save(s)
        return render_template("recovery_codes.html", codes=toolkit.recovery_generate(s.email, client_ip()), first=True)

    @app.post("/security/webauthn/remove")
    @login_required()
    def webauthn_remove() -> Any:
        s = session()
        assert s.email
        try:
            toolkit.webauthn_remove(s.email, request.form.get("id", ""), actor=s.email, source_ip=client_ip())
        except mfakit.MfaError as e:
            return fail(e.message)
        return redirect(url_for("security"))

    @app.post("/security/password")
    @login_required(enroll_ok=True)
    def password_change() -> Any:
        s = session()
        assert s.email
        user = db.user(s.email)
        try:
            toolkit.password_verify(s.email, request.form.get("current", ""), user["password_phc"] if user else None,
                                    client_ip())
        except (mfakit.PasswordError, mfakit.Throttled, mfakit.AccountLocked) as e:
            return fail(f"Current password not accepted: {e.message}", 401)
        new = request.form.get("new", "")
        assert s.org
        try:
            toolkit.password_check_org(s.org, new, s.email)
        except mfakit.PasswordError as e:
            return fail(f"New password refused: {e.detail}")
        db.set_password(s.email, mfakit.password_hash(new))
        toolkit.password_changed(s.email, actor=s.email, source_ip=client_ip())
        return render_template("message.html", title="Password changed", message="Your password was changed.",
                               back=url_for("security"))

    @app.post("/security/delete")
    @login_required()
    def account_delete() -> Any:
        """Deletes the account (the toolkit disables its factors, tokens and logins at once and keeps
        its data for the retention period); this service ends its sessions."""
        s = session()
        assert s.email and s.org
        user = db.user(s.email)
        try:
            toolkit.password_verify(s.email, request.form.get("current", ""), user["password_phc"] if user else None,
                                    client_ip())
        except (mfakit.PasswordError, mfakit.Throttled, mfakit.AccountLocked) as e:
            return fail(f"Password not accepted: {e.message}", 401)
        toolkit.delete_account(s.email, actor=s.email, source_ip=client_ip())
        status = toolkit.account_status(s.email)
        db.sessions_end_for(s.email)
        g.session = db.session_new()
        g.new_cookie = g.session.id
        return render_template("message.html", title="Account deleted",
                               message="Your account is deleted. An administrator of your organization can restore it "
                                       f"until {fmt_time(status.get('purge_after'))}; then it is gone for good.")

    @app.post("/security/tokens")
    @login_required()
    def token_create() -> Any:
        s = session()
        assert s.email
        name = request.form.get("name", "").strip()[:64] or "API key"
        scopes = " ".join(request.form.get("scopes", "").split()) or None
        days = request.form.get("days", "").strip()
        expires = int(time.time()) + int(days) * 86400 if days.isdigit() and int(days) > 0 else None
        try:
            t = toolkit.token_create(s.email, name, scopes, expires, client_ip())
        except mfakit.MfaError as e:
            return fail(e.detail or e.message)
        return render_template("token_created.html", token=t["token"], name=name)

    @app.post("/security/tokens/revoke")
    @login_required()
    def token_revoke_own() -> Any:
        s = session()
        assert s.email
        toolkit.token_revoke(s.email, request.form.get("id", ""), actor=s.email, source_ip=client_ip())
        return redirect(url_for("security"))

    # ---------------------------------------------------------------- the organization's pages
    def allowed_factors(org: str) -> list[str]:
        """Which enrollments to offer (display: the toolkit's decision names what it accepts)."""
        d = g.get("decision")
        if d and d["decision"] == "must_enroll":
            return list(d["accepted"])
        return list(toolkit.policy(org)["allowed"])

    def org_members(org: str) -> list[dict[str, Any]]:
        ms = toolkit.org_members(org)
        names = db.display_names([m["user"] for m in ms]) if ms else {}
        return [m | {"display_name": names.get(m["user"], m["user"])} for m in ms]

    @app.get("/org")
    @login_required(permission="members.manage")
    def org_page() -> Any:
        s = session()
        assert s.org
        members = [m | {"lock": toolkit.lock_status(m["user"]), "account": toolkit.account_status(m["user"]),
                        "password": toolkit.password_state(m["user"])} for m in org_members(s.org)]
        return render_template("org.html", members=members, invitations=db.invitations(s.org), policy=toolkit.policy(s.org),
                               tokens=toolkit.org_tokens(s.org), roles=ROLES, factors=FACTORS)

    def days(field: str) -> int:
        try:
            return int(float(request.form.get(field, "0") or 0) * 86400)
        except ValueError:
            abort(400, f"{field}: a number of days")

    @app.post("/org/policy")
    @login_required(permission="policy.change")
    def org_policy() -> Any:
        s = session()
        assert s.org and s.email
        f = request.form

        def allow_list(field: str) -> str:
            return ",".join(x.strip() for x in f.get(field, "").replace("\n", ",").split(",") if x.strip())

        classes = f.get("password_min_classes", "0")
        policy = {"require": f.get("require", "optional"),
                  "roles": [r for r in f.getlist("roles") if r in ROLES],
                  "grace_period": days("grace_days"),
                  "effective_since": int(time.time()),
                  "allowed": [x for x in f.getlist("allowed") if x in FACTORS],
                  "ip_allow": allow_list("ip_allow"),
                  "email_allow": allow_list("email_allow"),
                  "password_min_classes": int(classes) if classes.isdigit() else -1,
                  "password_max_age": days("password_max_age_days"),
                  "token_max_lifetime": days("token_max_lifetime_days")}
        try:
            toolkit.set_policy(s.org, policy, actor=s.email, source_ip=client_ip())
        except (mfakit.PolicyError, mfakit.NotAllowed) as e:
            return fail(f"Policy refused: {e.detail or e.message}")
        return redirect(url_for("org_page"))

    def form_member(permission: str = "members.manage", field: str = "email") -> tuple[Session, str]:
        """The session and the member a form names, once the toolkit authorized the action on them
        (a member of the organization, not of a higher role than the actor's)."""
        s = session()
        email = request.form.get(field, "")
        if not s.org or not s.email or not email:
            abort(404)
        authorize(permission, email)
        return s, email

    @app.post("/org/members/role")
    @login_required(permission="roles.change")
    def org_role() -> Any:
        s, email = form_member("roles.change")
        assert s.org
        role = request.form.get("role", "")
        if role not in ROLES:
            return fail("No such role.")
        try:
            toolkit.set_membership(email, s.org, role, actor=s.email, source_ip=client_ip())   # audited
        except mfakit.LastOwner as e:   # the toolkit keeps an owner in every organization (audited)
            return fail(f"Role not changed: {e.detail}.", 409)
        return redirect(url_for("org_page"))

    @app.post("/org/members/remove")
    @login_required(permission="members.manage")
    def org_remove() -> Any:
        s, email = form_member()
        if email == s.email:
            return fail("Leave the organization by deleting your account, or ask another owner.")
        try:
            toolkit.remove_membership(email, actor=s.email, source_ip=client_ip())   # audited
        except mfakit.LastOwner as e:
            return fail(f"Not removed: {e.detail}.", 409)
        db.sessions_end_for(email)
        return redirect(url_for("org_page"))

    @app.post("/org/members/invite")
    @login_required(permission="members.manage")
    def org_invite() -> Any:
        s = session()
        assert s.org and s.email
        email = request.form.get("email", "").strip().lower()
        role = request.form.get("role", "member")
        if role not in ("admin", "member") or not re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,190}", email):
            return fail("An invitation needs an email address and the role admin or member.")
        db.invite(s.org, email, role, s.email)
        audit("app.user_invited", email, f"role {role}")
        return redirect(url_for("org_page"))

    @app.post("/org/members/unlock")
    @login_required(permission="members.manage")
    def org_unlock() -> Any:
        s, email = form_member()
        toolkit.unlock(email, actor=s.email, source_ip=client_ip())
        return redirect(url_for("org_page"))

    @app.post("/org/members/password-reset")
    @login_required(permission="members.manage")
    def org_password_reset() -> Any:
        s, email = form_member()
        toolkit.password_require_change(email, "reset", actor=s.email, source_ip=client_ip())
        return redirect(url_for("org_page"))

    @app.post("/org/members/delete")
    @login_required(permission="members.manage")
    def org_delete_account() -> Any:
        s, email = form_member()
        if email == s.email:
            return fail("Delete your own account from your security page.")
        toolkit.delete_account(email, actor=s.email, source_ip=client_ip())
        db.sessions_end_for(email)
        return redirect(url_for("org_page"))

    @app.post("/org/members/restore")
    @login_required(permission="members.manage")
    def org_restore_account() -> Any:
        s, email = form_member()
        try:
            toolkit.restore_account(email, actor=s.email, source_ip=client_ip())
        except mfakit.MfaError as e:
            return fail(f"Not restored: {e.detail or e.message}")
        return redirect(url_for("org_page"))

    @app.post("/org/tokens/revoke")
    @login_required(permission="api_keys.manage")
    def org_token_revoke() -> Any:
        s = session()
        try:
            # Only a token of a member of this organization: the toolkit checks it.
            toolkit.revoke_token(request.form.get("id", ""), org=s.org, actor=s.email, source_ip=client_ip())
        except mfakit.TokenError:
            abort(404)
        return redirect(url_for("org_page"))

    # ---------------------------------------------------------------- hardware OTP tokens
    def otp_token(serial: str) -> dict[str, Any]:
        for t in toolkit.otp_tokens_list(session().org):
            if t["serial"] == serial:
                return t  # type: ignore[no-any-return]
        abort(404, "no hardware token with that serial number")

    def otp_token_target(t: dict[str, Any]) -> None:
        """An action on a token: on its user, when it is assigned (the toolkit checks that user is a
        member of this organization the actor may act on)."""
        authorize("otp_tokens.manage", t["user"] if t["state"] == "assigned" else None)

    @app.get("/org/otp-tokens")
    @login_required(permission="otp_tokens.manage")
    def org_otp_tokens() -> Any:
        """The organization's hardware OTP tokens (its own inventory, imported from the vendors'
        PSKC files: the toolkit lists no other organization's), and its members who could get one."""
        s = session()
        assert s.org
        members = {m["user"]: m for m in org_members(s.org)}
        tokens = toolkit.otp_tokens_list(s.org)
        free = [m for u, m in members.items() if not toolkit.factor_state(u)["totp"]]
        return render_template("otp_tokens.html", tokens=tokens, free_members=free)

    @app.post("/org/otp-tokens/import")
    @login_required(permission="otp_tokens.manage")
    def org_otp_tokens_import() -> Any:
        s = session()
        f = request.files.get("pskc")
        data = f.read() if f else b""
        if not data:
            return fail("Choose the PSKC file the token vendor sent.")
        key_hex = "".join(request.form.get("key", "").split())
        try:
            key = bytes.fromhex(key_hex) if key_hex else None
        except ValueError:
            return fail("The pre-shared key is hexadecimal (32, 48 or 64 digits).")
        passphrase = request.form.get("passphrase") or None
        try:
            assert s.org
            got = toolkit.otp_tokens_import(s.org, data, key=key, passphrase=passphrase, actor=s.email, source_ip=client_ip())
        except mfakit.MfaError as e:   # PskcError, HwTokenError, Unsupported: the toolkit says which
            return fail(f"Not imported: {e.message}{': ' + e.detail if e.detail else ''}")
        log.info("imported %d hardware tokens", len(got))
        return redirect(url_for("org_otp_tokens"))

    @app.post("/org/otp-tokens/assign")
    @login_required(permission="otp_tokens.manage")
    def org_otp_tokens_assign() -> Any:
        s, email = form_member("otp_tokens.manage")
        try:
            toolkit.otp_tokens_assign(request.form.get("serial", ""), email, org=s.org, actor=s.email,
                                      source_ip=client_ip())
        except mfakit.MfaError as e:   # HwTokenError (assigned, retired, the user has an OTP factor), not found
            return fail(f"Not assigned: {e.detail or e.message}")
        return redirect(url_for("org_otp_tokens"))

    @app.post("/org/otp-tokens/unassign")
    @login_required(permission="otp_tokens.manage")
    def org_otp_tokens_unassign() -> Any:
        s = session()
        t = otp_token(request.form.get("serial", ""))
        otp_token_target(t)
        try:
            toolkit.otp_tokens_unassign(t["serial"], org=s.org, actor=s.email, source_ip=client_ip())
        except merrors.HwTokenError as e:
            return fail(f"Not unassigned: {e.detail or e.message}")
        return redirect(url_for("org_otp_tokens"))

    @app.post("/org/otp-tokens/retire")
    @login_required(permission="otp_tokens.manage")
    def org_otp_tokens_retire() -> Any:
        s = session()
        t = otp_token(request.form.get("serial", ""))
        otp_token_target(t)
        toolkit.otp_tokens_retire(t["serial"], org=s.org, actor=s.email, source_ip=client_ip())
        return redirect(url_for("org_otp_tokens"))

    def audit_filters() -> dict[str, Any]:
        a = request.args

        def day(field: str, end: bool = False) -> int | None:
            v = a.get(field, "")
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                return None
            t = int(calendar.timegm(time.strptime(v, "%Y-%m-%d")))
            return t + 86400 if end else t

        return {"user": a.get("user") or None, "actor": a.get("actor") or None, "event": a.get("type") or None,
                "since": day("since"), "until": day("until", end=True)}

    @app.get("/org/audit")
    @login_required(permission="audit.read")
    def org_audit() -> Any:
        s = session()
        try:
            records, head = toolkit.audit_verify()
            chain = {"ok": True, "records": records, "head": head}
        except mfakit.AuditError as e:
            chain = {"ok": False, "error": f"{e.message} {e.detail}".strip()}
        f = audit_filters()
        try:
            page = toolkit.audit_query(org=s.org, limit=50, cursor=request.args.get("cursor") or None, **f)
        except mfakit.MfaError as e:
            return fail(f"Audit query refused: {e.detail or e.message}")
        args = {k: v for k, v in request.args.items() if k != "cursor" and v}
        return render_template("audit.html", chain=chain, events=page["events"], next_cursor=page.get("next_cursor"),
                               args=args)

    @app.get("/org/data")
    @login_required(permission="data_protection.read")
    def org_data() -> Any:
        """Data protection: the service's backups and key ring, as the toolkit reports them."""
        backups: list[dict[str, Any]] = []
        verified: dict[str, Any] | None = None
        problem = None
        if cfg.backup_dir and os.path.isdir(cfg.backup_dir):
            backups = list(reversed(mserver.backup_list(cfg.backup_dir)))
            if backups:
                try:
                    verified = mserver.backup_verify(backups[0]["path"])
                except mfakit.MfaError as e:
                    problem = f"{e.message} {e.detail}".strip()
        return render_template("data.html", backups=backups, verified=verified, problem=problem,
                               last=maintenance["last"], cfg=cfg, sqlite=cfg.store_url.startswith("sqlite:"))

    @app.get("/org/audit/export")
    @login_required(permission="audit.read")
    def org_audit_export() -> Any:
        s = session()
        text = toolkit.audit_export(org=s.org, **audit_filters())
        return Response(text, mimetype="application/x-ndjson",
                        headers={"Content-Disposition": f'attachment; filename="audit-{s.org}.jsonl"'})

    # ---------------------------------------------------------------- the API
    @app.get("/api/v1/me")
    def api_me() -> Any:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return jsonify(error="send Authorization: Bearer <API key>"), 401, {"WWW-Authenticate": "Bearer"}
        try:
            t = toolkit.token_verify(auth[7:].strip(), client_ip())
        except (mfakit.TokenError, mfakit.AccountDeleted):
            return jsonify(error="invalid API key"), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        m = membership(t["user"])
        if m is None:
            return jsonify(error="the key's owner belongs to no organization"), 403
        org = str(m["org"])
        # The organization's allow lists apply to API calls too: the toolkit decides.
        d = toolkit.login_decision(org, t["user"], state_for(t["user"], org, True))
        if d["decision"] == "deny":
            return jsonify(error=d["reason"]), 403
        return jsonify(user=t["user"], org=org, role=m["role"], key=t["name"], scopes=t.get("scopes", []))

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(413)
    def http_error(e: Any) -> Any:
        if request.path.startswith("/api/") or request.is_json:
            return jsonify(error=e.description), e.code
        return render_template("message.html", title=e.name, message=e.description), e.code

    return app


def fmt_time(t: int | None) -> str:
    if not t:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(t)))


def fmt_duration(seconds: int) -> str:
    """A policy's length of time as people say it: 90 days, 12 hours, 30 seconds."""
    for unit, n in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= n and seconds % n == 0:
            return f"{seconds // n} {unit}{'s' if seconds != n else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def fmt_left(seconds: int | None) -> str:
    s = int(seconds or 0)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    if s >= 60:
        return f"{s // 60} min {s % 60} s"
    return f"{s} s"
