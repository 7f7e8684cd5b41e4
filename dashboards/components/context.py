"""One run of a page: who is looking at which warehouse, in which language.

:class:`PageContext` is what the pages' drawing functions share (language, the warehouse's
path and data version as cache keys, the signed-in user's :class:`~dashboards.components.
session.Access`), with the text helpers and the disclosure setting that follow from them. It is
frozen: a page that learns more during a run (months, a period) makes a new context with
:func:`dataclasses.replace` or keeps a subclass's fields, never edits one in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from dashboards.components.disclosure import min_cell_for
from dashboards.components.session import Access, Scope
from gcrm.i18n import t, tn


@dataclass(frozen=True)
class PageContext:
    """``lang``, the warehouse (``db`` path, data ``version``) and ``who`` is looking."""

    lang: str
    db: str
    version: str
    who: Access

    @classmethod
    def current(cls, **more: object) -> Self:
        """The context of this run: the shell's language and warehouse, the signed-in user
        (stops the page when nobody is), plus a subclass's fields ``more``."""
        from dashboards.components import session, shell

        wh = shell.warehouse()
        return cls(shell.current_lang(), wh.path, wh.version, session.access(), **more)

    @property
    def scope(self) -> Scope:
        """The user's regions (None: everywhere)."""
        return self.who.scope

    @property
    def min_cell(self) -> int | None:
        """Disclosure control for a role without ``read_pii`` (None: nothing hidden)."""
        return min_cell_for(self.who)

    def t(self, key: str, **params: object) -> str:
        """Message ``key`` in the page's language."""
        return t(key, self.lang, **params)

    def tn(self, key: str, n: object, /, **params: object) -> str:
        """Message ``key`` in the page's language, in its plural form for the count ``n``."""
        return tn(key, n, self.lang, **params)
