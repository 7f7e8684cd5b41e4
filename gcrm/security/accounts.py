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
        raise AccountError(f"password too short: at least {MIN_LENGTH} characters")
    if classes < 3:
        raise AccountError("password must mix at least three of: lower case, upper case, "
                           "digits, symbols")
    if name and name.lower() in password.lower():
        raise AccountError("password must not contain the user name")


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
                 actor: str | None = None) -> None:
    _get(con, name)
    check_password_policy(name, password)
    con.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                "locked_until = NULL, must_change_password = 0 WHERE name = ?",
                (_HASHER.hash(password), _now().isoformat(), name))
    con.execute("DELETE FROM sessions WHERE user = ?", (name,))
    audit.record(con, actor, "user.passwd", name)


def list_users(con: sqlite3.Connection) -> list[dict]:
    return [
        {"name": r["name"], "role": r["role"], "regions": json.loads(r["regions"]),
         "disabled": bool(r["disabled"]), "locked_until": r["locked_until"],
         "created_at": r["created_at"]}
        for r in con.execute("SELECT * FROM users ORDER BY name")
    ]


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
    if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
        audit.record(con, name, "login.failed", name, reason="locked")
        until = datetime.fromisoformat(row["locked_until"]).strftime("%H:%M UTC")
        raise AuthError(f"too many failed logins: account locked until {until}")
    try:
        _HASHER.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        failed = row["failed_logins"] + 1
        locked = (now + LOCKOUT).isoformat() if failed >= MAX_FAILED else None
        con.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                    (0 if locked else failed, locked, name))
        audit.record(con, name, "login.failed", name, reason="bad password", locked=bool(locked))
        raise AuthError("invalid user name or password") from None
    con.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,))
    audit.record(con, name, "login.ok", name)
    return Principal(name, row["role"], tuple(json.loads(row["regions"])))


def open_session(con: sqlite3.Connection, principal: Principal,
                 now: datetime | None = None) -> str:
    """A new session token (only its hash is stored)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (sha256(token.encode()).hexdigest(), principal.name, now.isoformat(),
                 (now + SESSION_TTL).isoformat()))
    return token


def resume_session(con: sqlite3.Connection, token: str,
                   now: datetime | None = None) -> Principal | None:
    """The principal of a live session, or None when unknown, expired or the user disabled."""
    now = now or _now()
    row = con.execute(
        "SELECT u.name, u.role, u.regions, u.disabled, s.expires_at FROM sessions s "
        "JOIN users u ON u.name = s.user WHERE s.token_hash = ?",
        (sha256(token.encode()).hexdigest(),)).fetchone()
    if row is None or row["disabled"] or datetime.fromisoformat(row["expires_at"]) <= now:
        return None
    return Principal(row["name"], row["role"], tuple(json.loads(row["regions"])))


def close_session(con: sqlite3.Connection, token: str) -> None:
    con.execute("DELETE FROM sessions WHERE token_hash = ?",
                (sha256(token.encode()).hexdigest(),))
