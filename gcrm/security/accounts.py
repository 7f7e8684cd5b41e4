"""Accounts: argon2 password hashes, a password policy, lockout, expiring sessions."""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gcrm.security import audit
from gcrm.security.roles import Role, role

MAX_FAILED = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=8)
MIN_LENGTH = 10
_HASHER = PasswordHasher()


class AuthError(Exception):
    """Login refused (the message is safe to show: it never says which part was wrong)."""


class AccountError(ValueError):
    """Bad account request: unknown user, weak password, duplicate name ..."""


class PasswordPolicyError(AccountError):
    """A password the policy refuses; ``rule`` names the rule (``length``, ``classes``,
    ``name``, ``reuse``) so a user interface can say it in its own language."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class CurrentPasswordError(AuthError):
    """A password change was refused because the current password was wrong."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, the role, and the regions the user may see."""

    name: str
    role_name: str
    regions: tuple[str, ...] = ()

    @property
    def role(self) -> Role:
        return role(self.role_name)

    @property
    def scope(self) -> tuple[str, ...] | None:
        """Region ids the user is limited to, or None for everywhere."""
        return self.regions if self.role.region_scoped else None

    def can(self, permission: str) -> bool:
        return permission in self.role.permissions


def _now() -> datetime:
    return datetime.now(UTC)


def check_password_policy(name: str, password: str) -> None:
    classes = sum(any(c in group for c in password) for group in (
        string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation))
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError("length",
                                  f"password too short: at least {MIN_LENGTH} characters")
    if classes < 3:
        raise PasswordPolicyError("classes", "password must mix at least three of: lower "
                                  "case, upper case, digits, symbols")
    if name and name.lower() in password.lower():
        raise PasswordPolicyError("name", "password must not contain the user name")


def generate_password() -> str:
    """A random password that meets the policy (used for one-time demo passwords)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(14)) + secrets.choice("-_.!@#")
        try:
            check_password_policy("", pw)  # no user name yet: length and classes only
            return pw
        except AccountError:
            continue


def add_user(con: sqlite3.Connection, name: str, role_name: str, password: str,
             regions: tuple[str, ...] = (), actor: str | None = None,
             must_change: bool = False) -> None:
    r = role(role_name)
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise AccountError("user name: 1-64 letters, digits, '.', '_' or '-'")
    if r.region_scoped and not regions:
        raise AccountError(f"role {role_name!r} is limited to regions: give --region ID")
    check_password_policy(name, password)
    if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise AccountError(f"user {name!r} already exists")
    now = _now().isoformat()
    con.execute("INSERT INTO users (name, role, regions, password_hash, must_change_password, "
                "created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, role_name, json.dumps(list(regions)), _HASHER.hash(password),
                 int(must_change), now, now))
    audit.record(con, actor, "user.add", name, role=role_name, regions=list(regions))


def _get(con: sqlite3.Connection, name: str) -> sqlite3.Row:
    row = con.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise AccountError(f"unknown user {name!r}")
    return row


def set_disabled(con: sqlite3.Connection, name: str, disabled: bool = True,
                 actor: str | None = None) -> None:
    _get(con, name)
    con.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
    con.execute("DELETE FROM sessions WHERE user = ?", (name,))
    audit.record(con, actor, "user.disable" if disabled else "user.enable", name)


def set_password(con: sqlite3.Connection, name: str, password: str,
                 actor: str | None = None, must_change: bool = False) -> None:
    """An administrator sets a password (unlocks, ends all sessions of the user).

    ``must_change=True`` makes it a one-time password: the dashboard then asks the user to
    choose their own before any page (see :func:`change_password`).
    """
    _get(con, name)
    check_password_policy(name, password)
    con.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                "locked_until = NULL, must_change_password = ? WHERE name = ?",
                (_HASHER.hash(password), _now().isoformat(), int(must_change), name))
    con.execute("DELETE FROM sessions WHERE user = ?", (name,))
    audit.record(con, actor, "user.passwd", name, **({"one_time": True} if must_change else {}))


def list_users(con: sqlite3.Connection) -> list[dict]:
    return [
        {"name": r["name"], "role": r["role"], "regions": json.loads(r["regions"]),
         "disabled": bool(r["disabled"]), "locked_until": r["locked_until"],
         "created_at": r["created_at"]}
        for r in con.execute("SELECT * FROM users ORDER BY name")
    ]


def _check_password(con: sqlite3.Connection, row: sqlite3.Row, password: str, now: datetime,
                    action: str, wrong: AuthError) -> None:
    """Refuse a locked account, and a wrong password: counted towards the lockout (5 lock the
    account for 15 minutes), audited as ``action``, raised as ``wrong``."""
    name = row["name"]
    if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
        audit.record(con, name, action, name, reason="locked")
        until = datetime.fromisoformat(row["locked_until"]).strftime("%H:%M UTC")
        raise AuthError(f"too many failed logins: account locked until {until}")
    try:
        _HASHER.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        failed = row["failed_logins"] + 1
        locked = (now + LOCKOUT).isoformat() if failed >= MAX_FAILED else None
        con.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                    (0 if locked else failed, locked, name))
        audit.record(con, name, action, name, reason="bad password", locked=bool(locked))
        raise wrong from None


def authenticate(con: sqlite3.Connection, name: str, password: str,
                 now: datetime | None = None) -> Principal:
    """Check a password; counts failures, locks after 5 for 15 minutes; audits every try."""
    now = now or _now()
    row = con.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        audit.record(con, name, "login.failed", name, reason="unknown user")
        raise AuthError("invalid user name or password")
    if row["disabled"]:
        audit.record(con, name, "login.failed", name, reason="disabled")
        raise AuthError("this account is disabled")
    _check_password(con, row, password, now, "login.failed",
                    AuthError("invalid user name or password"))
    con.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,))
    audit.record(con, name, "login.ok", name)
    return Principal(name, row["role"], tuple(json.loads(row["regions"])))


def must_change_password(con: sqlite3.Connection, name: str) -> bool:
    """True while ``name`` still has a one-time password (set by ``gcrm demo`` or an
    administrator with ``must_change=True``): the dashboard shows only the password form and
    the command line refuses the account until :func:`change_password` clears the flag."""
    row = con.execute("SELECT must_change_password FROM users WHERE name = ?",
                      (name,)).fetchone()
    return bool(row and row[0])


def open_session(con: sqlite3.Connection, principal: Principal,
                 now: datetime | None = None) -> str:
    """A new session token (only its hash is stored)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_token_hash(token), principal.name, now.isoformat(),
                 (now + SESSION_TTL).isoformat()))
    return token


@dataclass(frozen=True)
class SessionStatus:
    """A live session: who, until when, and whether the password must be changed first."""

    principal: Principal
    expires_at: datetime
    must_change_password: bool


def session_status(con: sqlite3.Connection, token: str,
                   now: datetime | None = None) -> SessionStatus | None:
    """The live session of ``token``, or None when unknown (never opened or revoked), expired
    or the user disabled."""
    now = now or _now()
    row = con.execute(
        "SELECT u.name, u.role, u.regions, u.disabled, u.must_change_password, s.expires_at "
        "FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_hash = ?",
        (_token_hash(token),)).fetchone()
    if row is None or row["disabled"]:
        return None
    expires = datetime.fromisoformat(row["expires_at"])
    if expires <= now:
        return None
    who = Principal(row["name"], row["role"], tuple(json.loads(row["regions"])))
    return SessionStatus(who, expires, bool(row["must_change_password"]))


def resume_session(con: sqlite3.Connection, token: str,
                   now: datetime | None = None) -> Principal | None:
    """The principal of a live session, or None when unknown, expired or the user disabled."""
    status = session_status(con, token, now)
    return status.principal if status else None


def close_session(con: sqlite3.Connection, token: str) -> None:
    con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def _token_hash(token: str) -> str:
    return sha256(token.encode()).hexdigest()


def change_password(con: sqlite3.Connection, name: str, current: str, new: str,
                    keep_token: str | None = None, now: datetime | None = None) -> int:
    """The user changes their own password; returns how many other sessions were ended.

    The current password is checked like a login (a wrong one counts towards the lockout and
    is audited as ``passwd.failed``); the new one must differ from it and meet the policy.
    On success the must-change flag clears, the failure count resets, every session of the
    user except ``keep_token`` (the one making the change) ends, and ``user.passwd`` is
    audited with the user as actor.

    Raises
    ------
    CurrentPasswordError
        The current password is wrong.
    AuthError
        The account is disabled or locked.
    PasswordPolicyError
        The new password is refused (``rule`` says why).
    """
    now = now or _now()
    row = _get(con, name)
    if row["disabled"]:
        raise AuthError("this account is disabled")
    _check_password(con, row, current, now, "passwd.failed",
                    CurrentPasswordError("the current password is wrong"))
    if new == current:
        raise PasswordPolicyError("reuse", "the new password must differ from the current one")
    check_password_policy(name, new)
    keep = _token_hash(keep_token) if keep_token else ""
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, "
                    "failed_logins = 0, locked_until = NULL, must_change_password = 0 "
                    "WHERE name = ?", (_HASHER.hash(new), now.isoformat(), name))
        ended = con.execute("DELETE FROM sessions WHERE user = ? AND token_hash != ?",
                            (name, keep)).rowcount
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    audit.record(con, name, "user.passwd", name, self_service=True,
                 was_required=bool(row["must_change_password"]), sessions_ended=ended)
    return ended
