"""One run of the revenue-protection page: who is looking, the months and the drill path.

The drill path (district > feeder > 台区) lives in session state (``rev_d``, ``rev_f``,
``rev_t``) mirrored into the URL (``?rev_t=<transformer>`` opens a 台区 directly).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd
import streamlit as st

from dashboards.components import shell
from dashboards.components.context import PageContext
from dashboards.revenue import data

KEYS = ("rev_d", "rev_f", "rev_t")


@dataclass(frozen=True)
class Ctx(PageContext):
    """The run (:class:`~dashboards.components.context.PageContext`), the months with supply,
    then the months chosen (``first``, ``last``) and the losses by transformer of them."""

    months: tuple[str, ...] = ()
    first: str = ""
    last: str = ""
    areas: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    @property
    def district(self) -> str:
        return st.session_state.get("rev_d") or ""

    @property
    def feeder(self) -> str:
        return st.session_state.get("rev_f") or ""

    @property
    def area(self) -> str:
        return st.session_state.get("rev_t") or ""

    def in_drill(self, df: pd.DataFrame, district: str = "district_id",
                 feeder: str = "feeder_id") -> pd.DataFrame:
        """Rows of ``df`` within the chosen district and feeder."""
        if self.district:
            df = df[df[district] == self.district]
        if self.feeder:
            df = df[df[feeder] == self.feeder]
        return df


def start() -> Ctx:
    """Title, who is looking, the months with supply (stops with a message without any)."""
    ctx = Ctx.current()
    st.title(ctx.t("revenue.title"))
    try:
        ok = data.available(ctx.db, ctx.version)
    except Exception as exc:
        st.error(ctx.t("revenue.error", error=exc))
        st.stop()
    if not ok:
        st.info(ctx.t("revenue.no_data"))
        shell.page_done("revenue", ctx.lang)
        st.stop()
    _restore()
    return replace(ctx, months=tuple(data.months(ctx.db, ctx.version)))


def _restore() -> None:
    """Session state from the URL on arrival (a shared link opens the same 台区)."""
    for k in KEYS:
        if k not in st.session_state and st.query_params.get(k):
            st.session_state[k] = st.query_params[k]


def choose(key: str, value: str) -> None:
    """Set one level of the drill path (and clear the finer ones), in state and URL."""
    finer = KEYS[KEYS.index(key) + 1:]
    st.session_state[key] = value
    for k in finer:
        st.session_state.pop(k, None)
    for k in KEYS:
        if st.session_state.get(k):
            st.query_params[k] = st.session_state[k]
        elif k in st.query_params:
            del st.query_params[k]
