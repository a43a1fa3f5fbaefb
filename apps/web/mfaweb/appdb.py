"""The service's own data, in a small SQLite file next to the toolkit's store (docs/web.md).

What lives here is application data, never a security decision: organizations and their names,
user profiles (display name, the Argon2id PHC the toolkit made and verifies), pending invitations,
and the server-side sessions. Memberships with their role, second factors, failure counters,
lock-outs, API tokens, policies, deleted accounts and the audit chain live in the toolkit's store.

Several instances of the service share this file (one host; SQLite's WAL and busy timeout make
that safe) while the toolkit's state can be on Redis: docs/web.md says how to scale past one host.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS orgs (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    email TEXT PRIMARY KEY,              -- the toolkit's user name: one account per address
    display_name TEXT NOT NULL,
    password_phc TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invitations (
    org TEXT NOT NULL REFERENCES orgs(slug),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    invited_by TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (org, email)
);
-- Display copies of the toolkit's policy and TOTP state, from before the toolkit had getters
-- (policy, factor_state): dropped, the pages read the toolkit.
DROP TABLE IF EXISTS policy_view;
DROP TABLE IF EXISTS totp_view;
-- Server-side sessions: the cookie holds a random id, the table its SHA-256 (a copy of the
-- table does not let anyone in), so that logging out, a role change or a deletion ends a session.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    email TEXT,
    org TEXT,
    stage TEXT NOT NULL CHECK (stage IN ('anon', 'pending', 'full')),
    amr TEXT NOT NULL DEFAULT '[]',
    csrf TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_email ON sessions(email);
"""

SESSION_IDLE = 30 * 60          # seconds without a request before a session ends
SESSION_ABSOLUTE = 12 * 3600    # and its longest life


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class Session:
    id: str            # the cookie's value (only in memory)
    email: str | None
    org: str | None
    stage: str
    amr: list[str]
    csrf: str
    data: dict[str, Any]
    created: int


class AppDb:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._conn().executescript(SCHEMA)  # idempotent (IF NOT EXISTS); it commits by itself

    def _conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA foreign_keys=ON")
            c.execute("PRAGMA busy_timeout=5000")
            self._local.conn = c
        return c

    def q(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return self._conn().execute(sql, args).fetchall()

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        return self._conn().execute(sql, args).fetchone()

    # ---- organizations, users ----
    def create_org(self, slug: str, name: str) -> None:
        self._conn().execute("INSERT INTO orgs VALUES (?, ?, ?)", (slug, name, int(time.time())))

    def create_user(self, email: str, display_name: str, phc: str) -> None:
        self._conn().execute("INSERT INTO users VALUES (?, ?, ?, ?)", (email, display_name, phc, int(time.time())))

    def user(self, email: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE email = ?", email)

    def user_delete(self, email: str) -> None:
        """After the toolkit purged the account: its profile and sessions go too."""
        self._conn().execute("DELETE FROM sessions WHERE email = ?", (email,))
        self._conn().execute("DELETE FROM users WHERE email = ?", (email,))

    def display_names(self, emails: list[str]) -> dict[str, str]:
        rows = self.q(f"SELECT email, display_name FROM users WHERE email IN ({','.join('?' * len(emails))})", *emails)
        return {r["email"]: r["display_name"] for r in rows}

    def set_password(self, email: str, phc: str) -> None:
        self._conn().execute("UPDATE users SET password_phc = ? WHERE email = ?", (phc, email))

    def org(self, slug: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM orgs WHERE slug = ?", slug)

    def invite(self, org: str, email: str, role: str, by: str) -> None:
        self._conn().execute("INSERT OR REPLACE INTO invitations VALUES (?, ?, ?, ?, ?)",
                             (org, email, role, by, int(time.time())))

    def invitation_done(self, org: str, email: str) -> None:
        self._conn().execute("DELETE FROM invitations WHERE org = ? AND email = ?", (org, email))

    def invitations(self, org: str) -> list[sqlite3.Row]:
        return self.q("SELECT * FROM invitations WHERE org = ? ORDER BY created", org)

    def invitation_for(self, email: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM invitations WHERE email = ? ORDER BY created LIMIT 1", email)

    # ---- sessions ----
    def session_new(self, email: str | None = None, org: str | None = None, stage: str = "anon",
                    amr: list[str] | None = None, data: dict[str, Any] | None = None) -> Session:
        sid = secrets.token_urlsafe(32)
        now = int(time.time())
        s = Session(sid, email, org, stage, amr or [], secrets.token_urlsafe(32), data or {}, now)
        self._conn().execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (_hash(sid), email, org, stage, json.dumps(s.amr), s.csrf, json.dumps(s.data), now, now))
        return s

    def session_get(self, sid: str) -> Session | None:
        row = self.one("SELECT * FROM sessions WHERE id_hash = ?", _hash(sid))
        if row is None:
            return None
        now = int(time.time())
        if now - row["last_seen"] > SESSION_IDLE or now - row["created"] > SESSION_ABSOLUTE:
            self.session_delete(sid)
            return None
        self._conn().execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (now, _hash(sid)))
        return Session(sid, row["email"], row["org"], row["stage"], json.loads(row["amr"]), row["csrf"],
                       json.loads(row["data"]), row["created"])

    def session_save(self, s: Session) -> None:
        self._conn().execute("UPDATE sessions SET email = ?, org = ?, stage = ?, amr = ?, data = ? WHERE id_hash = ?",
                             (s.email, s.org, s.stage, json.dumps(s.amr), json.dumps(s.data), _hash(s.id)))

    def session_delete(self, sid: str) -> None:
        self._conn().execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(sid),))

    def sessions_end_for(self, email: str) -> None:
        """Ends every session of a user (a deleted account, a removed member)."""
        self._conn().execute("DELETE FROM sessions WHERE email = ?", (email,))

    def sessions_prune(self) -> None:
        now = int(time.time())
        self._conn().execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                             (now - SESSION_IDLE, now - SESSION_ABSOLUTE))
