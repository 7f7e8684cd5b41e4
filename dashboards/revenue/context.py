"""One run of the revenue-protection page: who is looking, the months and the drill path.

The drill path (district > feeder > 台区) lives in session state (``rev_d``, ``rev_f``,
``rev_t``) mirrored into the URL (``?rev_t=<transformer>`` opens a 台区 directly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboards.components import shell
from dashboards.components.session import Access, access
from dashboards.revenue import data
from gcrm.cube.disclosure import min_cell_for
from gcrm.i18n import t

KEYS = ("rev_d", "rev_f", "rev_t")


@dataclass
class Ctx:
    lang: str
    db: str
    version: str
    who: Access
    months: list[str] = field(default_factory=list)
    first: str = ""
    last: str = ""
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)  # losses by transformer

    def t(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    @property
    def min_cell(self) -> int | None:
        return min_cell_for(self.who)

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
    wh = shell.warehouse()
    ctx = Ctx(lang=shell.current_lang(), db=wh.path, version=wh.version, who=access())
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
    ctx.months = data.months(ctx.db, ctx.version)
    _restore()
    return ctx


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
