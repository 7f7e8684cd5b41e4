"""Known answers of the display helpers of the revenue and key-accounts pages."""

from __future__ import annotations

import math

import pandas as pd

from dashboards.accounts.views import readable
from dashboards.revenue.suspects import _suspect_label
from dashboards.revenue.views import legend, shown_status
from gcrm.i18n import t
from gcrm.revenue.queries import thresholds


class _Lang:
    lang = "en"

    def t(self, key: str, **kw: object) -> str:
        return t(key, "en", **kw)


def test_hidden_rows_have_no_status() -> None:
    assert shown_status("normal", math.nan) == "hidden"
    assert shown_status("normal", None) == "hidden"
    assert shown_status("high", 0.12) == "high"
    assert shown_status("normal", 0.09) == "normal"
    assert shown_status("not_computable", None) == "not_computable"


def test_legend_states_the_settings() -> None:
    th = thresholds("transformer")
    text = legend(_Lang())  # type: ignore[arg-type]
    assert f"above {th.high * 100:.1f} %" in text
    assert "< 5 %" not in text


def test_suspect_label_name_and_whole_score() -> None:
    row = pd.Series({"name": "张**", "score": 99.6})
    assert _suspect_label("2205810002438", row) == "张** (2205810002438) · 100"
    assert _suspect_label("X", pd.Series({"name": None, "score": 30.0})) == "X · 30"


def test_readable_times() -> None:
    assert readable("outage from 2026-10-07T08:30 for 90 min") == \
        "outage from 2026-10-07 08:30 for 90 min"
    assert readable("since 2026-10-07T08:30:15") == "since 2026-10-07 08:30"
    assert readable("on 2026-10-07") == "on 2026-10-07"


def test_page_contexts_share_one_frozen_context() -> None:
    from dataclasses import FrozenInstanceError

    import pytest

    from dashboards.accounts.views import View as AccountsView
    from dashboards.components.context import PageContext
    from dashboards.components.session import Access
    from dashboards.customers.views import View as CustomersView
    from dashboards.explorer.data import Context as ExplorerContext
    from dashboards.overview.context import Ctx as OverviewCtx
    from dashboards.revenue.context import Ctx as RevenueCtx
    from dashboards.tariff.views import Ctx as TariffCtx

    for cls in (AccountsView, CustomersView, ExplorerContext, OverviewCtx, RevenueCtx,
                TariffCtx):
        assert issubclass(cls, PageContext) and cls.__dataclass_params__.frozen, cls
    analyst = Access("ana", ("220502",), frozenset({"read_aggregates"}), "analyst")
    ctx = TariffCtx("zh", "db", "v1", analyst, period=("2026-01", "2026-12"))
    assert ctx.scope == ("220502",) and ctx.min_cell == 5  # aggregates only: "<5"
    assert ctx.t("tf.title") == t("tf.title", "zh")
    with pytest.raises(FrozenInstanceError):
        ctx.lang = "en"  # type: ignore[misc]
    agent = Access("agent", None, frozenset({"read_customers", "read_pii"}), "service_agent")
    assert PageContext("en", "db", "v1", agent).min_cell is None


def test_one_markdown_escaping_helper() -> None:
    """Labels shown through Markdown keep their text: '>180' (an ageing bucket) is no block
    quote, a masked name's '*' no emphasis. One helper (dashboards/components/mdtext.py) for
    every page: a second copy of the escaping in a page would drift from it."""
    from pathlib import Path

    from dashboards.accounts import views as acct_views
    from dashboards.components.mdtext import md
    from dashboards.customers import card, risk

    assert md(">180") == "\\>180"
    assert md("王*明") == "王\\*明"
    assert md("0-30") == "0\\-30"
    assert md("K_1 [x] #2") == "K\\_1 \\[x\\] \\#2"
    assert md(12.5) == "12.5"
    assert card.md is md and risk.md is md and acct_views.md is md
    root = Path(__file__).resolve().parent.parent / "dashboards"
    copies = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
              if "def md(" in p.read_text("utf-8") or 'r"\\\\\\1"' in p.read_text("utf-8")]
    assert copies == ["components/mdtext.py"]
