"""The server toolkit (mfa_server.h): stores, TOTP enrollment and verification, recovery codes,
throttled passwords, API tokens, lock-out, policies and login decisions, allow lists, the audit
chain, key rotation and the WebAuthn factor (security keys and passkeys).

Verifications return a VerifyResult when accepted and raise the refusal otherwise (CodeMismatch,
CodeReplayed, CodeFormatError, RecoveryCodeInvalid, PasswordError, Throttled, AccountLocked,
WebAuthnError ...), with the attempt's VerifyResult as the exception's .result (failures,
retry_after, newly_locked).

Administration (docs/server.md "Organizations and accounts"): audit_query / audit_export /
audit_append, set_membership / membership / remove_membership / org_members, delete_account /
restore_account / account_status / purge, org_tokens / revoke_token, password_check_org /
password_changed / password_require_change / password_state.

Thread safety: a Toolkit may be used from several threads at once (the C handle is); it keeps its
Store alive. A Store is shared by the toolkits made from it.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Union

from . import _native as n
from ._native import byref, check, lib
from .errors import MfaError, code, raise_for
from .otp import Time, unix_time
from .webauthn import ResidentKey, UserVerification, _enum

Json = Union[str, bytes, Mapping[str, Any]]
_t = n.text_in


class Store(n.Handle):
    """A store: "memory:", "sqlite:<path>", "redis://host:port/db"."""

    _free = lib.mfa_server_store_free

    def __init__(self, url: str) -> None:
        super().__init__(n.new_handle(lib.mfa_server_store_open, url.encode()))

    @classmethod
    def open(cls, url: str) -> "Store":
        return cls(url)


def keyring_generate() -> str:
    """A new key ring file's text with one fresh key (secret: keep it out of the store)."""
    return n.owned(lib.mfa_server_keyring_generate).decode()


def keyring_rotate(keyring: str) -> str:
    """The key ring with a fresh newest key added (then Toolkit.rewrap)."""
    return n.owned(lib.mfa_server_keyring_rotate, (), n.secret_in(keyring)).decode()


def password_hash(password: str) -> str:
    """Argon2id (m=19 MiB, t=2, p=1) PHC string."""
    return n.owned(lib.mfa_server_password_hash, (), n.secret_in(password)).decode()


def password_check(password: str, user: str | None = None) -> None:
    """The default policy; PasswordError (MFA_ERR_PASSWORD_POLICY, .detail the reason) when not met."""
    check(lib.mfa_server_password_check(*n.secret_in(password), _t(user)))


def allowlist_check_ip(allowlist: str, ip: str) -> bool:
    """True when ip is in the list; NotAllowed (MFA_ERR_ALLOWLIST_SYNTAX) for a bad list or address."""
    return _allowed(lib.mfa_server_allowlist_check_ip(allowlist.encode(), ip.encode()), code("IP_NOT_ALLOWED"))


def allowlist_check_email(allowlist: str, email: str) -> bool:
    return _allowed(lib.mfa_server_allowlist_check_email(allowlist.encode(), email.encode()), code("EMAIL_DOMAIN_NOT_ALLOWED"))


def _allowed(rc: int, not_allowed: int) -> bool:
    if rc == not_allowed:
        return False
    check(rc)
    return True


# ---- Operations: backups and key maintenance (docs/server.md "Backups", "Key maintenance") ----

def backup_create(store_url: str, directory: str, retention_days: int = 30) -> dict[str, Any]:
    """A consistent online backup of a SQLite store ("sqlite:<path>") into directory, then the
    backups older than retention_days pruned: {"name", "path", "time", "bytes", "pruned"}.
    Redis and PostgreSQL stores raise Unsupported (back them up with their own tools)."""
    return n.owned_json(lib.mfa_server_backup_create, (), (store_url.encode(), directory.encode(), retention_days))  # type: ignore[no-any-return]


def backup_list(directory: str) -> list[dict[str, Any]]:
    """The backups in directory, oldest first: [{"name", "path", "time", "bytes"}]."""
    return n.owned_json(lib.mfa_server_backup_list, (), (directory.encode(),))  # type: ignore[no-any-return]


def backup_prune(directory: str, retention_days: int = 30) -> list[str]:
    """Removes the backups older than retention_days (never the newest); returns their names."""
    return n.owned_json(lib.mfa_server_backup_prune, (), (directory.encode(), retention_days))  # type: ignore[no-any-return]


def backup_verify(path: str) -> dict[str, Any]:
    """integrity_check, schema and audit chain of a backup: {"entries", "audit_records",
    "audit_head", "key_ids"}; raises (BackupInvalid, AuditChainBroken ...) otherwise."""
    return n.owned_json(lib.mfa_server_backup_verify, (), (path.encode(),))  # type: ignore[no-any-return]


def backup_restore(path: str, target: str, overwrite: bool = False) -> None:
    """Verifies the backup and writes it to target atomically; an existing target only with
    overwrite (and no process may have it open)."""
    check(lib.mfa_server_backup_restore(path.encode(), target.encode(), 1 if overwrite else 0))


def keyring_maintain(store: "Store", keyring_path: str, max_age_days: int = 90, batch: int = 1000,
                     rewrap_delay: int = 3600, backup_dir: str | None = None,
                     backup_retention_days: int = 30, max_age: int | None = None) -> dict[str, Any]:
    """One cron run of automatic key rotation (rotate, rewrap a batch, retire, remove): {"current",
    "rotated", "created_recorded", "examined", "rewrapped", "rewrap_pending", "retired", "removed",
    "kept"}. The current key is replaced once it is max_age seconds old (1 s .. 36500 days) when
    given, else max_age_days. Raises KeyringBusy when another run holds the lock."""
    p = n.initialized(n.KeyMaintenance, lib.mfa_server_key_maintenance_init)
    p.max_age = max_age if max_age is not None else max_age_days * 86400
    p.batch, p.rewrap_delay, p.backup_retention_days = batch, rewrap_delay, backup_retention_days
    p.backup_dir = _t(backup_dir)
    return n.owned_json(lib.mfa_server_keyring_maintain_policy, (), (store._h, keyring_path.encode(), byref(p)))  # type: ignore[no-any-return]


def role_permissions() -> dict[str, list[str]]:
    """The toolkit's role table: {"owner": [permission ...], "admin": [...], "member": []}
    (docs/server.md "Roles and permissions")."""
    return n.owned_json(lib.mfa_server_role_permissions, (), ())  # type: ignore[no-any-return]


@dataclass(frozen=True)
class VerifyResult:
    status: int
    retry_after: int
    failures: int
    newly_locked: bool
    needs_rehash: bool
    amr: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass(frozen=True)
class Options:
    """mfa_server_options_t; None = the library's default."""
    issuer: str | None = None
    token_prefix: str | None = None
    free_failures: int | None = None
    base_delay: int | None = None
    max_delay: int | None = None
    lock_after: int | None = None
    lock_duration: int | None = None
    recovery_codes: int | None = None
    webauthn_rp_id: str | None = None
    webauthn_rp_name: str | None = None
    webauthn_origins: tuple[str, ...] = ()
    webauthn_challenge_ttl: int | None = None
    webauthn_user_verification: Any = None
    webauthn_discoverable_user_verification: Any = None

    def _native(self) -> n.ServerOptions:
        o = n.initialized(n.ServerOptions, lib.mfa_server_options_init)
        for name in ("issuer", "token_prefix", "webauthn_rp_id", "webauthn_rp_name"):
            value = getattr(self, name)
            if value is not None:
                setattr(o, name, value.encode())
        if self.webauthn_origins:
            o.webauthn_origins = " ".join(self.webauthn_origins).encode()
        for name in ("free_failures", "base_delay", "max_delay", "lock_after", "lock_duration", "recovery_codes",
                     "webauthn_challenge_ttl"):
            value = getattr(self, name)
            if value is not None:
                setattr(o, name, value)
        for name in ("webauthn_user_verification", "webauthn_discoverable_user_verification"):
            value = getattr(self, name)
            if value is not None:
                setattr(o, name, _enum(UserVerification, value))
        return o


def _result(r: n.VerifyResult) -> VerifyResult:
    amr = r.amr.decode()
    return VerifyResult(r.status, r.retry_after, r.failures, bool(r.newly_locked), bool(r.needs_rehash),
                        tuple(amr.split()) if amr else ())


class Toolkit(n.Handle):
    """The server toolkit over a store (mfa_server_t)."""

    _free = lib.mfa_server_free

    def __init__(self, store: Store, keyring: str, options: Options | None = None, **kw: Any) -> None:
        """keyring: the key ring file's text (keyring_generate). options, or Options fields as keywords."""
        opts = options or Options(**kw)
        native = opts._native()
        self.store = store  # the C handle references the store: keep it alive as long as this
        super().__init__(n.new_handle(lib.mfa_server_new, store._h, *n.secret_in(keyring), byref(native)))

    def _verify(self, fn: Callable[..., int], *args: Any) -> VerifyResult:
        r = n.VerifyResult()
        r.struct_size = ctypes.sizeof(r)
        rc = fn(self._h, byref(r), *args)
        result = _result(r)
        if rc:
            raise_for(rc, result)
        return result

    def _json(self, fn: Callable[..., int], *args: Any) -> Any:
        return n.owned_json(fn, (self._h,), args)

    # ---- TOTP ----
    def totp_begin(self, user: str, account_name: str | None = None, source_ip: str | None = None) -> dict[str, Any]:
        """Starts an enrollment: {"secret", "uri", "qr_svg", "qr_png_data_uri", "expires_at"} (secret:
        show it once)."""
        return self._json(lib.mfa_server_totp_begin, user.encode(), _t(account_name), _t(source_ip))  # type: ignore[no-any-return]

    def totp_confirm(self, user: str, code: str, source_ip: str | None = None) -> VerifyResult:
        return self._verify(lib.mfa_server_totp_confirm, user.encode(), code.encode(), _t(source_ip))

    def totp_verify(self, user: str, code: str, source_ip: str | None = None) -> VerifyResult:
        return self._verify(lib.mfa_server_totp_verify, user.encode(), code.encode(), _t(source_ip))

    def totp_remove(self, user: str, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_totp_remove(self._h, user.encode(), _t(actor), _t(source_ip)))

    # ---- recovery codes ----
    def recovery_generate(self, user: str, source_ip: str | None = None) -> list[str]:
        """New recovery codes (replacing the old ones): show them once."""
        return self._json(lib.mfa_server_recovery_generate, user.encode(), _t(source_ip))  # type: ignore[no-any-return]

    def recovery_use(self, user: str, code: str, source_ip: str | None = None) -> VerifyResult:
        return self._verify(lib.mfa_server_recovery_use, user.encode(), *n.secret_in(code), _t(source_ip))

    def recovery_remaining(self, user: str) -> int:
        count = ctypes.c_size_t()
        check(lib.mfa_server_recovery_remaining(self._h, byref(count), user.encode()))
        return count.value

    # ---- passwords ----
    def password_verify(self, user: str, password: str, phc: str | None,
                        source_ip: str | None = None) -> VerifyResult:
        """Throttled password check; phc None for an unknown user (a dummy hash is verified). On
        success .needs_rehash says to store password_hash(password)."""
        return self._verify(lib.mfa_server_password_verify, user.encode(), *n.secret_in(password), _t(phc), _t(source_ip))

    # ---- API tokens ----
    def token_create(self, user: str, name: str, scopes: str | None = None, expires: Time | None = None,
                     source_ip: str | None = None) -> dict[str, Any]:
        """{"token" (show once), "id"}."""
        return self._json(lib.mfa_server_token_create, user.encode(), name.encode(), _t(scopes),  # type: ignore[no-any-return]
                          0 if expires is None else unix_time(expires), _t(source_ip))

    def token_verify(self, token: str, source_ip: str | None = None) -> dict[str, Any]:
        """{"id","user","name","scopes","created","expires","last_used"}; TokenError otherwise."""
        return self._json(lib.mfa_server_token_verify, *n.secret_in(token), _t(source_ip))  # type: ignore[no-any-return]

    def token_list(self, user: str) -> list[dict[str, Any]]:
        return self._json(lib.mfa_server_token_list, user.encode())  # type: ignore[no-any-return]

    def token_revoke(self, user: str, token_id: str, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_token_revoke(self._h, user.encode(), token_id.encode(), _t(actor), _t(source_ip)))

    # ---- lock-out ----
    def lock_status(self, user: str) -> dict[str, Any]:
        """{"user", "locked", "retry_after", "password_failures", "second_factor_failures"}."""
        return self._json(lib.mfa_server_lock_status, user.encode())  # type: ignore[no-any-return]

    def unlock(self, user: str, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_unlock(self._h, user.encode(), _t(actor), _t(source_ip)))

    # ---- audit ----
    def audit_verify(self, expect_head: str | None = None) -> tuple[int, str]:
        """Verifies the audit chain: (records, head hash). expect_head "<records>:<hash>" (an anchor
        kept outside the store) also checks the log still extends it (AuditError otherwise)."""
        records = ctypes.c_uint64()
        if expect_head is None:
            head = n.out_text(lib.mfa_server_audit_verify, (self._h, byref(records)), cap=65)
        else:
            head = n.out_text(lib.mfa_server_audit_verify_expect, (self._h, expect_head.encode(), byref(records)),
                              cap=65)
        return records.value, head

    # ---- policy ----
    def set_policy(self, org: str, policy: Json, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_set_policy(self._h, org.encode(), n.json_in(policy), _t(actor), _t(source_ip)))

    def login_decision(self, org: str, user: str, state: Json | None = None) -> dict[str, Any]:
        """{"decision", "reason", "may_skip", "enroll_deadline", "accepted"} for a login in its state
        ({"roles", "enrolled", "joined_at", "email", "source_ip", "second_factor_verified"})."""
        return self._json(lib.mfa_server_login_decision, org.encode(), user.encode(),  # type: ignore[no-any-return]
                          n.json_in(state if state is not None else {}))

    # ---- keys ----
    def rewrap(self) -> int:
        """Re-encrypts stored secrets under the newest key; returns how many moved."""
        moved = ctypes.c_size_t()
        check(lib.mfa_server_rewrap(self._h, byref(moved)))
        return moved.value

    # ---- WebAuthn factor ----
    def webauthn_register_begin(self, user: str, display_name: str | None = None,
                                resident_key: Any = ResidentKey.PREFERRED,
                                source_ip: str | None = None) -> dict[str, Any]:
        """{"options": PublicKeyCredentialCreationOptionsJSON, "expires_at"}."""
        return self._json(lib.mfa_server_webauthn_register_begin, user.encode(), _t(display_name),  # type: ignore[no-any-return]
                          _enum(ResidentKey, resident_key), _t(source_ip))

    def webauthn_register_finish(self, user: str, response: Json, name: str | None = None,
                                 source_ip: str | None = None) -> dict[str, Any]:
        """The stored key ({"id","name","aaguid","alg","sign_count",...})."""
        return self._json(lib.mfa_server_webauthn_register_finish, user.encode(), n.json_in(response),  # type: ignore[no-any-return]
                          _t(name), _t(source_ip))

    def webauthn_login_begin(self, user: str, source_ip: str | None = None) -> dict[str, Any]:
        return self._json(lib.mfa_server_webauthn_login_begin, user.encode(), _t(source_ip))  # type: ignore[no-any-return]

    def webauthn_login_finish(self, user: str, response: Json, source_ip: str | None = None) -> VerifyResult:
        return self._verify(lib.mfa_server_webauthn_login_finish, user.encode(), n.json_in(response), _t(source_ip))

    def webauthn_login_begin_discoverable(self, source_ip: str | None = None) -> dict[str, Any]:
        """Options for a usernameless (passkey) login."""
        return self._json(lib.mfa_server_webauthn_login_begin_discoverable, _t(source_ip))  # type: ignore[no-any-return]

    def webauthn_login_finish_discoverable(self, response: Json,
                                           source_ip: str | None = None) -> tuple[str, VerifyResult]:
        """(the account's user name, the result) of a usernameless login."""
        r = n.VerifyResult()
        r.struct_size = ctypes.sizeof(r)
        user = ctypes.c_void_p()
        rc = lib.mfa_server_webauthn_login_finish_discoverable(self._h, byref(r), byref(user), n.json_in(response),
                                                               _t(source_ip))
        name = n.take_text(user)
        result = _result(r)
        if rc:
            raise_for(rc, result)
        return name, result

    def webauthn_list(self, user: str) -> list[dict[str, Any]]:
        return self._json(lib.mfa_server_webauthn_list, user.encode())  # type: ignore[no-any-return]

    def webauthn_remove(self, user: str, key_id: str, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_webauthn_remove(self._h, user.encode(), key_id.encode(), _t(actor), _t(source_ip)))

    # ---- administration: the audit trail ----
    def _query(self, org: str | None, user: str | None, actor: str | None, event: str | None,
               since: Time | None, until: Time | None, limit: int | None, cursor: str | None) -> n.AuditQuery:
        q = n.initialized(n.AuditQuery, lib.mfa_server_audit_filter_init)
        q.org, q.subject, q.actor, q.type, q.cursor = _t(org), _t(user), _t(actor), _t(event), _t(cursor)
        q.since = 0 if since is None else unix_time(since)
        q.until = 0 if until is None else unix_time(until)
        if limit is not None:
            if limit < 1:
                raise ValueError("limit must be 1..1000")
            q.limit = limit
        return q

    def audit_query(self, org: str | None = None, user: str | None = None, actor: str | None = None,
                    event: str | None = None, since: Time | None = None, until: Time | None = None,
                    limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
        """A page of audit events, newest first: {"events": [{"seq","ts","time","type","actor","subject",
        "ip","detail","orgs"}], "next_cursor": str | None}. user is the subject; event an exact type or
        a prefix ending in "*"; since/until: [since, until); pass next_cursor back for the next page."""
        q = self._query(org, user, actor, event, since, until, limit, cursor)
        return self._json(lib.mfa_server_audit_query, byref(q))  # type: ignore[no-any-return]

    def audit_export(self, org: str | None = None, user: str | None = None, actor: str | None = None,
                     event: str | None = None, since: Time | None = None, until: Time | None = None) -> str:
        """The matching records oldest first as JSON lines (each the canonical text the chain hashes)."""
        q = self._query(org, user, actor, event, since, until, None, None)
        return n.owned(lib.mfa_server_audit_export, (self._h,), (byref(q),)).decode()

    def audit_append(self, actor: str, subject: str | None, event: str, detail: str | None = None,
                     source_ip: str | None = None, org: str | None = None) -> int:
        """Appends an application event ("app.role_changed" ...) to the hash chain; returns its sequence
        number. AuditError (MFA_ERR_AUDIT_EVENT_INVALID) for a type outside app.[a-z0-9_.-]."""
        seq = ctypes.c_uint64()
        check(lib.mfa_server_audit_append(self._h, byref(seq), actor.encode(), _t(subject), event.encode(),
                                          _t(detail), _t(source_ip), _t(org)))
        return seq.value

    def audit_reindex(self) -> int:
        """Restores missing organization index entries; returns how many were missing."""
        added = ctypes.c_size_t()
        check(lib.mfa_server_audit_reindex(self._h, byref(added)))
        return added.value

    # ---- administration: organizations ----
    def set_membership(self, user: str, org: str, role: str = "member", actor: str | None = None,
                       source_ip: str | None = None) -> None:
        """Puts user in org as "owner", "admin" or "member" (moving them out of another org); audited.
        Raises LastOwner when user is the only owner of their organization and would stop being one."""
        check(lib.mfa_server_membership_set(self._h, user.encode(), org.encode(), role.encode(), _t(actor),
                                            _t(source_ip)))

    def membership(self, user: str) -> dict[str, Any] | None:
        """{"user","org","role","since"}, or None when the user is in no organization."""
        try:
            return self._json(lib.mfa_server_membership_get, user.encode())  # type: ignore[no-any-return]
        except MfaError as e:
            if e.code == code("NOT_FOUND"):
                return None
            raise

    def remove_membership(self, user: str, actor: str | None = None, source_ip: str | None = None) -> None:
        """Raises LastOwner for the only owner of the organization (make another member owner first)."""
        check(lib.mfa_server_membership_remove(self._h, user.encode(), _t(actor), _t(source_ip)))

    def org_members(self, org: str) -> list[dict[str, Any]]:
        return self._json(lib.mfa_server_org_members, org.encode())  # type: ignore[no-any-return]

    # ---- administration: accounts ----
    def delete_account(self, user: str, retention: int = 0, actor: str | None = None,
                       source_ip: str | None = None) -> None:
        """Disables every factor and token of user at once (AccountDeleted from then on) and keeps the
        data for retention seconds (0 = 30 days) until purge()."""
        check(lib.mfa_server_account_delete(self._h, user.encode(), retention, _t(actor), _t(source_ip)))

    def restore_account(self, user: str, actor: str | None = None, source_ip: str | None = None) -> None:
        check(lib.mfa_server_account_restore(self._h, user.encode(), _t(actor), _t(source_ip)))

    def account_status(self, user: str) -> dict[str, Any]:
        """{"user","deleted","deleted_at","purge_after","deleted_by"}."""
        return self._json(lib.mfa_server_account_status, user.encode())  # type: ignore[no-any-return]

    def purge(self, now: Time | None = None, actor: str | None = None) -> list[dict[str, Any]]:
        """Removes the deleted accounts whose retention ended: [{"user","deleted_at","keys"}]."""
        return self._json(lib.mfa_server_purge, 0 if now is None else unix_time(now),  # type: ignore[no-any-return]
                          _t(actor))

    # ---- administration: API tokens of an organization ----
    def org_tokens(self, org: str) -> list[dict[str, Any]]:
        """Every token of org's members, newest first (with "user" the owner, "last_used", "last_ip")."""
        return self._json(lib.mfa_server_org_tokens, org.encode())  # type: ignore[no-any-return]

    list_org_tokens = org_tokens

    def revoke_token(self, token_id: str, org: str | None = None, actor: str | None = None,
                     source_ip: str | None = None) -> None:
        """Revokes a token by id; with org, only one owned by a member of org (TokenError otherwise)."""
        check(lib.mfa_server_token_revoke_id(self._h, token_id.encode(), _t(org), _t(actor), _t(source_ip)))

    # ---- administration: password renewal ----
    def password_check_org(self, org: str, password: str, user: str | None = None) -> None:
        """The organization's password policy; PasswordError (.detail the reason) when not met."""
        check(lib.mfa_server_password_check_org(self._h, org.encode(), *n.secret_in(password), _t(user)))

    def password_changed(self, user: str, actor: str | None = None, source_ip: str | None = None) -> None:
        """Records that user's password was just set (clears a forced change)."""
        check(lib.mfa_server_password_changed(self._h, user.encode(), _t(actor), _t(source_ip)))

    def password_require_change(self, user: str, reason: str = "reset", actor: str | None = None,
                                source_ip: str | None = None) -> None:
        """Forces a change at the next login; reason "reset" or "compromised"."""
        check(lib.mfa_server_password_require_change(self._h, user.encode(), reason.encode(), _t(actor),
                                                     _t(source_ip)))

    def password_state(self, user: str) -> dict[str, Any]:
        """{"changed_at", "must_change": "none" | "reset" | "compromised"}."""
        return self._json(lib.mfa_server_password_state, user.encode())  # type: ignore[no-any-return]

    # ---- what a service shows, and who may administer ----
    def policy(self, org: str) -> dict[str, Any]:
        """The organization's stored policy (the default when none was set), as set_policy takes it."""
        return self._json(lib.mfa_server_policy_get, org.encode())  # type: ignore[no-any-return]

    def factor_state(self, user: str) -> dict[str, Any]:
        """The user's factors, no secret: {"totp", "totp_since", "hwtoken", "otp_type", "totp_pending",
        "security_keys", "passkeys", "recovery_codes_left", "enrolled"}."""
        return self._json(lib.mfa_server_factor_state, user.encode())  # type: ignore[no-any-return]

    def authorize(self, actor: str, org: str, permission: str, target: str | None = None,
                  source_ip: str | None = None) -> None:
        """Raises PermissionDenied (audited permission.denied) unless actor's role in org has the
        permission ("policy.change", "members.manage" ... role_permissions()); with target, also unless
        target is a member of org the actor's role may act on (an admin never acts on an owner)."""
        check(lib.mfa_server_authorize(self._h, actor.encode(), org.encode(), permission.encode(), _t(target),
                                       _t(source_ip)))

    # ---- Hardware OTP tokens (docs/server.md "Hardware OTP tokens") ----
    # Every organization has its own inventory: org names the one a call sees (another one's token
    # is not found to it); None is an operator's view of every token.
    def otp_tokens_import(self, org: str, pskc: bytes | str, key: bytes | None = None, passphrase: str | bytes | None = None,
                          actor: str | None = None, source_ip: str | None = None) -> list[dict[str, Any]]:
        """Imports every token of a PSKC file (RFC 6030) as unassigned tokens of org: key for a
        pre-shared-key container, passphrase for a PBKDF2 one. All or nothing (HwTokenError for a
        serial stored already in any organization, PskcError ...)."""
        data = pskc.encode() if isinstance(pskc, str) else pskc
        pw = passphrase.encode() if isinstance(passphrase, str) else passphrase
        return self._json(lib.mfa_server_otp_tokens_import, org.encode(), data, len(data),  # type: ignore[no-any-return]
                          key, len(key) if key else 0, pw, len(pw) if pw else 0, _t(actor), _t(source_ip))

    def otp_tokens_list(self, org: str | None = None) -> list[dict[str, Any]]:
        """The tokens of org ("org" is None in a token imported before tokens had an organization)."""
        return self._json(lib.mfa_server_otp_tokens_list, _t(org))  # type: ignore[no-any-return]

    def otp_tokens_assign(self, serial: str, user: str, org: str | None = None, actor: str | None = None,
                          source_ip: str | None = None) -> None:
        """The token becomes the user's OTP factor (totp_verify then checks its codes). Raises
        HwTokenError (MFA_ERR_HWTOKEN_ORG) when user is not a member of the token's organization."""
        check(lib.mfa_server_otp_tokens_assign(self._h, _t(org), serial.encode(), user.encode(), _t(actor), _t(source_ip)))

    def otp_tokens_unassign(self, serial: str, org: str | None = None, actor: str | None = None,
                            source_ip: str | None = None) -> None:
        check(lib.mfa_server_otp_tokens_unassign(self._h, _t(org), serial.encode(), _t(actor), _t(source_ip)))

    def otp_tokens_retire(self, serial: str, org: str | None = None, actor: str | None = None,
                          source_ip: str | None = None) -> None:
        check(lib.mfa_server_otp_tokens_retire(self._h, _t(org), serial.encode(), _t(actor), _t(source_ip)))

    def otp_tokens_adopt(self, serial: str, org: str, actor: str | None = None, source_ip: str | None = None) -> None:
        """Gives a token of no organization (imported before tokens had one) to org, once."""
        check(lib.mfa_server_otp_tokens_adopt(self._h, serial.encode(), org.encode(), _t(actor), _t(source_ip)))

    def otp_tokens_resync(self, user: str, code1: str, code2: str, source_ip: str | None = None) -> VerifyResult:
        """HOTP resynchronisation with two consecutive codes (raises CodeMismatch ... otherwise)."""
        return self._verify(lib.mfa_server_otp_tokens_resync, user.encode(), code1.encode(), code2.encode(), _t(source_ip))

    # ---- Migration (docs/pam.md "Migration") ----
    def import_google_authenticator(self, user: str, file: str | bytes, actor: str | None = None,
                                    source_ip: str | None = None) -> dict[str, Any]:
        """Imports a ~/.google_authenticator file's text as the user's TOTP factor (an HOTP one for
        an HOTP_COUNTER file, from its counter with its WINDOW_SIZE) and its scratch codes as
        recovery codes: {"user", "totp_imported", "recovery_codes", "notes"}. A user who has an OTP
        factor keeps it ("totp_imported": False). Raises MfaError (name MFA_ERR_PARSE, the detail
        naming the line) for a file that does not parse; nothing is imported then."""
        data = file.encode() if isinstance(file, str) else file
        return self._json(lib.mfa_server_import_google_authenticator, user.encode(), data, len(data),  # type: ignore[no-any-return]
                          _t(actor), _t(source_ip))

    def import_pam_u2f(self, mappings: str | bytes, user: str | None = None, appid: str | None = None,
                       actor: str | None = None, source_ip: str | None = None) -> dict[str, Any]:
        """Imports pam-u2f's u2f_keys / authfile= mappings as security keys ("pam-u2f key N"): every
        user's last line, or only user's (MfaError MFA_ERR_NOT_FOUND when it has none). The toolkit's
        webauthn_rp_id must be pam-u2f's origin=; appid: pam-u2f's appid=, old-format keys under
        another one than the rp id are skipped. {"users": [{"user", "line", "keys_imported",
        "notes"}], "keys_imported"}. MFA_ERR_PARSE names the line, the credential and the field."""
        data = mappings.encode() if isinstance(mappings, str) else mappings
        o = n.initialized(n.U2fImportOptions, lib.mfa_server_u2f_import_options_init)
        o.user, o.appid = _t(user), _t(appid)
        return self._json(lib.mfa_server_import_pam_u2f, data, len(data), byref(o),  # type: ignore[no-any-return]
                          _t(actor), _t(source_ip))
