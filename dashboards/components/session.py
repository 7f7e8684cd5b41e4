"""Who is looking at a page: the one access helper every page's ``data.py`` uses.

:func:`access` turns the signed-in :class:`~gcrm.security.accounts.Principal` into a small,
hashable :class:`Access` (user, region scope as a tuple, the role's permissions), so pages can
pass the scope to cached wrappers (``st.cache_data`` keys on it) and ask ``who.can(...)``.
:func:`scope_list` is the one conversion from that tuple back to what the ``gcrm`` API takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: a region scope as pages keep it: region ids (hashable, a cache key) or None = everywhere
Scope = tuple[str, ...] | None


def scope_key(scope: Sequence[str] | None) -> Scope:
    """A scope as a cache key: a tuple of region ids, or None for everywhere."""
    return None if scope is None else tuple(scope)


def scope_list(scope: Sequence[str] | None) -> list[str] | None:
    """A scope as the ``gcrm`` query functions take it: a list of region ids, or None."""
    return None if scope is None else list(scope)


@dataclass(frozen=True)
class Access:
    """What the signed-in user may see and do: name, region scope and permissions."""

    user: str | None
    scope: Scope
    permissions: frozenset[str]
    role: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def read_customers(self) -> bool:
        return self.can("read_customers")

    @property
    def read_pii(self) -> bool:
        return self.can("read_pii")

    @property
    def export(self) -> bool:
        return self.can("export")

    @property
    def prepare_notice(self) -> bool:
        return self.can("prepare_notice")


def access() -> Access:
    """The current user's :class:`Access` (stops the page when nobody is signed in)."""
    from dashboards.components import auth
    from gcrm.security.roles import PERMISSIONS

    p = auth.principal()
    return Access(user=p.name, scope=scope_key(p.scope),
                  permissions=frozenset(perm for perm in PERMISSIONS if p.can(perm)),
                  role=p.role_name)


def still_signed_in() -> bool:
    """Whether the browser session is still valid (checked against the store, as the app shell
    does on every full run); a fragment rerun calls this before acting."""
    from dashboards.components import auth

    return auth.current() is not None
