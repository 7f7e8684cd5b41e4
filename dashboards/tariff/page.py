"""Demand-side management: peak/valley profiles and a tariff what-if (docs/tariff.md, "The
page").

Every number comes from the functions ``gcrm tariff ...`` calls (through the cached wrappers
of :mod:`dashboards.tariff.data`), within the signed-in user's region scope and disclosure
control. Sections: :mod:`dashboards.tariff.views` (profiles, ranking, what-if, policy) and
:mod:`~dashboards.tariff.editor` (scenario, comparison, campaign lists).
"""

from __future__ import annotations

from dashboards.components import shell
from dashboards.tariff import editor, views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    ctx = views.start()
    views.profiles(ctx)
    views.ranking(ctx)
    chosen = editor.choose(ctx)
    if chosen is not None:
        views.whatif(ctx, *chosen)
        views.policy(ctx, *chosen)
        editor.targets(ctx, *chosen)
    editor.compare(ctx)
    shell.page_done("tariff", ctx.lang)
