"""Data for the demand-side page: cached wrappers around :mod:`gcrm.tariff.queries`.

The same functions as ``gcrm tariff ...`` (one code path: the page's numbers are the CLI's).
Every cached function takes ``db`` and ``version`` first (a new load invalidates the cache),
the user's region scope as a tuple (part of the cache key) and the disclosure ``min_cell``.
A scenario travels as its TOML text (hashable, the cache key), parsed here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm import cube
from gcrm.tariff import queries
from gcrm.tariff.scenario import load, parse

#: the example scenarios shipped with the source (examples/tariffs)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tariffs"


def scenarios(db: str) -> dict[str, str]:
    """Scenario name -> TOML text: the examples, then the saved ones (a saved scenario of the
    same name wins). Files that do not parse are left out."""
    out: dict[str, str] = {}
    paths = sorted(EXAMPLES.glob("*.toml")) if EXAMPLES.is_dir() else []
    paths += [queries.scenario_dir(db) / f"{n}.toml" for n in queries.saved_scenarios(db)]
    for p in paths:
        try:
            out[load(p).name] = p.read_text(encoding="utf-8")
        except (ValueError, OSError):
            continue
    return out


def save(db: str, text: str) -> Path:
    """Save the scenario in ``text`` (:func:`gcrm.tariff.queries.save_scenario`)."""
    return queries.save_scenario(db, parse(text))


@st.cache_data(show_spinner=False, max_entries=64)
def months(db: str, version: str) -> list[str]:
    with connection(db) as con:
        first, last = queries.period(con)
        return [m for m in cube.months(con) if m <= last] or [first, last]


@st.cache_data(show_spinner=False, max_entries=64)
def profiles(db: str, version: str, by: tuple[str, ...], period: tuple[str, str],
             scope: Scope, min_cell: int | None) -> pd.DataFrame:
    with connection(db) as con:
        return queries.profiles(con, list(by), None, period, scope_list(scope), min_cell)


@st.cache_data(show_spinner=False, max_entries=64)
def rank(db: str, version: str, by: str, order: str, period: tuple[str, str], scope: Scope,
         min_cell: int | None) -> pd.DataFrame:
    with connection(db) as con:
        return queries.rank(con, by, order, period, scope_list(scope), min_cell)


@st.cache_data(show_spinner=False, max_entries=32)
def simulate(db: str, version: str, text: str, by: tuple[str, ...], period: tuple[str, str],
             scope: Scope, min_cell: int | None) -> queries.Simulation:
    with connection(db) as con:
        return queries.simulate(con, parse(text), list(by), period, scope_list(scope),
                                None, min_cell)


@st.cache_data(show_spinner=False, max_entries=32)
def compare(db: str, version: str, texts: tuple[str, ...], by: tuple[str, ...],
            period: tuple[str, str], scope: Scope, min_cell: int | None) -> pd.DataFrame:
    with connection(db) as con:
        return queries.compare(con, [parse(x) for x in texts], list(by), period,
                               scope_list(scope), None, min_cell)


@st.cache_data(show_spinner=False, max_entries=32)
def check(db: str, version: str, text: str, period: tuple[str, str],
          scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return queries.check(con, parse(text), "district", period, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=32)
def targets(db: str, version: str, text: str, kind: str, period: tuple[str, str],
            scope: Scope, mask: bool, limit: int) -> pd.DataFrame:
    with connection(db) as con:
        return queries.targets(con, parse(text), kind, period, scope_list(scope), mask=mask,
                               limit=limit)
