"""The toolkit's administration through the Python package, on every store of test_server.py
(memory, SQLite, a throwaway redis-server): the audit trail admins read (filters, pages, JSON-lines
export, application events), organization membership, account deletion with its retention, restore
and purge, an organization's API keys, and password renewal in the login decision."""
from __future__ import annotations

import json
import time
import uuid

import pytest

import mfakit

from test_server import enroll, keyring, store_url, toolkit  # noqa: F401 (fixtures)


def _names(*base: str) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    return [f"{b}-{tag}" for b in base]


def test_audit_trail(toolkit: mfakit.Toolkit) -> None:
    alice, bob, carol, acme, globex = _names("alice", "bob", "carol", "acme", "globex")
    toolkit.set_membership(alice, acme, "owner", actor="operator")
    toolkit.set_membership(bob, acme, actor=alice)
    toolkit.set_membership(carol, globex, "admin", actor="operator")
    assert toolkit.membership(bob) == {"user": bob, "org": acme, "role": "member", "since": toolkit.membership(bob)["since"]}
    assert [m["user"] for m in toolkit.org_members(acme)] == sorted([alice, bob])
    seq = toolkit.audit_append(alice, bob, "app.role_changed", "member -> admin", "198.51.100.4")
    assert seq > 0
    toolkit.audit_append(carol, None, "app.user_invited", "dave@globex.example")
    toolkit.audit_append("operator", "zed", "app.user_removed", org=acme)

    page = toolkit.audit_query(org=acme)
    assert [e["type"] for e in page["events"]] == ["app.user_removed", "app.role_changed", "membership.changed",
                                                   "membership.changed"]
    assert page["next_cursor"] is None
    assert all(acme in e["orgs"] for e in page["events"])
    assert [e["type"] for e in toolkit.audit_query(org=globex)["events"]] == ["app.user_invited", "membership.changed"]
    assert [e["subject"] for e in toolkit.audit_query(user=bob)["events"]] == [bob, bob]
    assert [e["type"] for e in toolkit.audit_query(actor=alice)["events"]] == ["app.role_changed", "membership.changed"]
    assert len(toolkit.audit_query(org=acme, event="app.*")["events"]) == 2
    assert toolkit.audit_query(org=acme, since=time.time() + 3600)["events"] == []

    # Pages of one: the same events, newest first.
    seen: list[int] = []
    cursor: str | None = None
    while True:
        p = toolkit.audit_query(org=acme, limit=1, cursor=cursor)
        seen += [e["seq"] for e in p["events"]]
        cursor = p["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["seq"] for e in page["events"]]

    lines = toolkit.audit_export(org=acme).splitlines()
    assert [json.loads(line)["seq"] for line in lines] == sorted(seen)
    records, _ = toolkit.audit_verify()
    assert records >= len(lines)

    with pytest.raises(mfakit.AuditError) as e:
        toolkit.audit_append(alice, bob, "role_changed")
    assert e.value.name == "MFA_ERR_AUDIT_EVENT_INVALID"
    with pytest.raises(mfakit.InvalidArgument):
        toolkit.audit_query(cursor="nope")
    with pytest.raises(ValueError):
        toolkit.audit_query(limit=0)
    with pytest.raises(mfakit.InvalidArgument):
        toolkit.set_membership(alice, acme, "king")

    toolkit.remove_membership(bob, actor=alice)
    assert toolkit.membership(bob) is None
    assert toolkit.audit_query(org=acme, limit=1)["events"][0]["type"] == "membership.removed"
    with pytest.raises(mfakit.MfaError) as nf:
        toolkit.remove_membership(bob)
    assert nf.value.name == "MFA_ERR_NOT_FOUND"


def test_account_deletion(toolkit: mfakit.Toolkit) -> None:
    alice, acme = _names("alice", "acme")
    o = enroll(toolkit, alice)
    token = toolkit.token_create(alice, "ci")
    toolkit.set_membership(alice, acme, "admin")
    phc = mfakit.password_hash("correct horse battery")

    toolkit.delete_account(alice, retention=3600, actor="operator")
    status = toolkit.account_status(alice)
    assert status["deleted"] and status["deleted_by"] == "operator"
    assert status["purge_after"] - status["deleted_at"] == 3600
    with pytest.raises(mfakit.AccountDeleted):
        toolkit.totp_verify(alice, o.generate())
    with pytest.raises(mfakit.AccountDeleted):
        toolkit.token_verify(token["token"])
    with pytest.raises(mfakit.AccountDeleted):
        toolkit.password_verify(alice, "correct horse battery", phc)
    with pytest.raises(mfakit.PasswordError):  # a wrong password does not reveal the deletion
        toolkit.password_verify(alice, "wrong", phc)
    with pytest.raises(mfakit.AccountDeleted):
        toolkit.delete_account(alice)
    assert toolkit.login_decision(acme, alice)["decision"] == "deny"

    toolkit.restore_account(alice, actor="operator")
    assert not toolkit.account_status(alice)["deleted"]
    assert toolkit.token_verify(token["token"])["user"] == alice

    toolkit.delete_account(alice, retention=3600)
    assert all(p["user"] != alice for p in toolkit.purge())  # still within the retention
    purged = toolkit.purge(now=time.time() + 3601)
    assert [p["user"] for p in purged if p["user"] == alice] == [alice]
    with pytest.raises(mfakit.CodeMismatch):  # the factor is gone: no account, no deletion mark either
        toolkit.totp_verify(alice, o.generate())
    with pytest.raises(mfakit.TokenError):
        toolkit.token_verify(token["token"])
    assert toolkit.membership(alice) is None
    with pytest.raises(mfakit.MfaError) as e:
        toolkit.restore_account(alice)
    assert e.value.name == "MFA_ERR_NOT_FOUND"
    kinds = [e["type"] for e in toolkit.audit_query(org=acme, event="account.*")["events"]]
    assert kinds == ["account.purged", "account.deleted", "account.restored", "account.deleted"]
    with pytest.raises(mfakit.InvalidArgument):
        toolkit.delete_account(alice, retention=-1)


def test_org_tokens(toolkit: mfakit.Toolkit) -> None:
    alice, bob, carol, acme, globex = _names("alice", "bob", "carol", "acme", "globex")
    toolkit.set_membership(alice, acme, "owner")
    toolkit.set_membership(bob, acme)
    toolkit.set_membership(carol, globex)
    ta = toolkit.token_create(alice, "deploy", "deploy")
    tb = toolkit.token_create(bob, "ci", "repo:read repo:write", expires=time.time() + 86400)
    tc = toolkit.token_create(carol, "other")
    toolkit.token_verify(tb["token"], "203.0.113.9")
    listed = {t["id"]: t for t in toolkit.list_org_tokens(acme)}
    assert set(listed) == {ta["id"], tb["id"]}
    assert listed[tb["id"]]["user"] == bob and listed[tb["id"]]["last_ip"] == "203.0.113.9"
    assert listed[tb["id"]]["last_used"] > 0 and listed[ta["id"]]["last_used"] == 0
    assert listed[tb["id"]]["scopes"] == ["repo:read", "repo:write"]

    with pytest.raises(mfakit.TokenError):
        toolkit.revoke_token(tc["id"], org=acme)  # not acme's
    toolkit.revoke_token(tb["id"], org=acme, actor=alice)
    with pytest.raises(mfakit.TokenError):
        toolkit.token_verify(tb["token"])
    toolkit.revoke_token(tc["id"])
    assert toolkit.org_tokens(globex) == []

    toolkit.set_policy(acme, {"token_max_lifetime": 30 * 86400})
    with pytest.raises(mfakit.TokenError) as e:
        toolkit.token_create(bob, "forever")
    assert e.value.name == "MFA_ERR_TOKEN_LIFETIME"
    assert toolkit.token_create(bob, "month", expires=time.time() + 29 * 86400)["id"]


def test_password_renewal(toolkit: mfakit.Toolkit) -> None:
    alice, acme = _names("alice", "acme")
    toolkit.set_policy(acme, {"password_max_age": 90 * 86400, "password_min_classes": 3})
    with pytest.raises(mfakit.PasswordError) as e:
        toolkit.password_check_org(acme, "qzvbxlmpwtrk", alice)
    assert "character classes" in e.value.detail
    toolkit.password_check_org(acme, "Qz7!vbx-Lm2p", alice)

    toolkit.password_changed(alice)
    assert toolkit.password_state(alice)["must_change"] == "none"
    assert toolkit.login_decision(acme, alice)["decision"] == "allow"
    # An application that keeps the date itself may pass it (the stored one wins when present).
    old = int(time.time()) - 91 * 86400
    bob = _names("bob")[0]
    d = toolkit.login_decision(acme, bob, {"password_changed_at": old})
    assert d["decision"] == "must_change_password" and d["password_change"] == "max_age"

    toolkit.password_require_change(alice, "compromised", actor="operator")
    d = toolkit.login_decision(acme, alice)
    assert d["decision"] == "must_change_password" and d["password_change"] == "compromised"
    toolkit.password_changed(alice)
    assert toolkit.login_decision(acme, alice)["decision"] == "allow"
    with pytest.raises(mfakit.InvalidArgument):
        toolkit.password_require_change(alice, "bored")
    with pytest.raises(mfakit.PolicyError):
        toolkit.set_policy(acme, {"password_min_classes": 5})


def test_an_organization_keeps_an_owner(toolkit: mfakit.Toolkit) -> None:
    """The last owner is neither demoted, moved to another organization, removed nor deleted; each refusal
    audited."""
    olga, dan, initech, acme = _names("olga", "dan", "initech", "acme")
    toolkit.set_membership(olga, initech, "owner", actor="operator")
    toolkit.set_membership(dan, initech, "member", actor=olga)
    with pytest.raises(mfakit.LastOwner) as e:
        toolkit.set_membership(olga, initech, "admin", actor=olga, source_ip="198.51.100.9")
    assert f"{olga} is the last owner of {initech}" in e.value.detail
    assert isinstance(e.value, mfakit.PermissionDenied)
    with pytest.raises(mfakit.LastOwner):
        toolkit.set_membership(olga, acme, "owner", actor="operator")
    with pytest.raises(mfakit.LastOwner):
        toolkit.remove_membership(olga, actor="operator")
    with pytest.raises(mfakit.LastOwner):
        toolkit.delete_account(olga, actor="operator")
    assert toolkit.membership(olga)["role"] == "owner"   # type: ignore[index]
    denied = toolkit.audit_query(org=initech, event="permission.denied")["events"]
    assert [d["subject"] for d in denied] == [olga] * 4
    assert [d["detail"].split(" refused")[0] for d in denied] == \
        ["roles.change: delete the account", "roles.change: remove", f"roles.change: move to {acme}",
         "roles.change: make admin"]
    assert denied[3]["ip"] == "198.51.100.9"
    toolkit.set_membership(dan, initech, "owner", actor=olga)
    toolkit.set_membership(olga, initech, "member", actor=dan)
    toolkit.remove_membership(olga, actor=dan)
    with pytest.raises(mfakit.LastOwner):
        toolkit.remove_membership(dan, actor=dan)


def test_roles_authorize_and_what_a_page_shows(toolkit: mfakit.Toolkit) -> None:
    """The role table and its check (a refusal audited), the stored policy, the factor state."""
    table = mfakit.server.role_permissions()
    assert table["member"] == [] and "policy.change" in table["owner"] and "policy.change" not in table["admin"]
    assert "members.manage" in table["admin"] and "otp_tokens.manage" in table["admin"]
    owner, admin, member, acme = _names("owner", "admin", "member", "acme")
    toolkit.set_membership(owner, acme, "owner", actor="operator")
    toolkit.set_membership(admin, acme, "admin", actor=owner)
    toolkit.set_membership(member, acme, "member", actor=owner)
    toolkit.authorize(owner, acme, "policy.change")
    toolkit.authorize(admin, acme, "members.manage", target=member)
    with pytest.raises(mfakit.PermissionDenied) as e:
        toolkit.authorize(member, acme, "audit.read", source_ip="198.51.100.8")
    assert "member does not have audit.read" in e.value.detail
    with pytest.raises(mfakit.PermissionDenied):
        toolkit.authorize(admin, acme, "members.manage", target=owner)   # an admin never acts on an owner
    with pytest.raises(mfakit.InvalidArgument):
        toolkit.authorize(owner, acme, "everything")
    denied = toolkit.audit_query(org=acme, event="permission.denied")["events"]
    assert [(d["actor"], d["subject"]) for d in denied] == [(admin, owner), (member, member)]
    assert denied[1]["ip"] == "198.51.100.8"

    assert toolkit.policy(acme)["require"] == "optional"
    toolkit.set_policy(acme, {"require": "everyone", "grace_period": 86400, "allowed": ["webauthn"],
                              "ip_allow": "10.0.0.0/8", "password_min_classes": 3})
    p = toolkit.policy(acme)
    assert (p["require"], p["grace_period"], p["allowed"], p["ip_allow"], p["password_min_classes"]) == \
        ("everyone", 86400, ["webauthn"], "10.0.0.0/8", 3)

    f = toolkit.factor_state(member)
    assert not f["totp"] and f["enrolled"] == [] and f["hwtoken"] is None and f["recovery_codes_left"] == 0
    enroll(toolkit, member)
    toolkit.recovery_generate(member)
    f = toolkit.factor_state(member)
    assert f["totp"] and f["otp_type"] == "totp" and f["enrolled"] == ["totp"] and f["recovery_codes_left"] == 10
    assert abs(f["totp_since"] - time.time()) < 60
