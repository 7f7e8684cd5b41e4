"""What the audit page reads: the audit log in the operational store (``gcrm.security.audit``).

Each call opens a short connection to the store (:func:`dashboards.components.auth.store`);
nothing is cached, so the page always shows the log as it is now.
"""

from __future__ import annotations

from dashboards.components import auth
from gcrm.security import audit

#: actions offered in the filter even before the log holds one
ACTIONS = ("login.ok", "login.failed", "logout", "export", "query", "unmask", "user.add",
           "user.disable", "user.enable", "user.passwd")


def choices() -> tuple[list[str], list[str]]:
    """(users seen in the log, actions: the known ones and those in the log, sorted)."""
    with auth.store() as con:
        known = audit.known_actions(con)
        users = audit.known_users(con)
    return users, sorted(set(ACTIONS) | set(known))


def search(user: str | None, action: str | None, text: str | None, limit: int) -> list[dict]:
    """Log entries, newest first (:func:`gcrm.security.audit.search`)."""
    with auth.store() as con:
        return audit.search(con, user=user, action=action, text=text, limit=limit)


def verify() -> audit.Verification:
    """Check the log's hash chain (:func:`gcrm.security.audit.verify`)."""
    with auth.store() as con:
        return audit.verify(con)
