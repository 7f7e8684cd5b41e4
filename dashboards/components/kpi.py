"""KPI tiles: ``st.metric`` for people, plus exact values for machines.

Each tile is an ``st.metric`` labelled with its unit, whose value is scaled for reading
(万/亿 or K/M) and whose help tooltip shows the exact value. Beside the tiles,
:func:`kpi_tiles` writes one invisible element per KPI, found by the browser tests
(see ``tests/browser.py``)::

    <div class="gcrm-kpis" style="display:none">
      <span class="gcrm-kpi" data-kpi="kwh" data-value="83210.0">83210.0</span> ...
    </div>

``data-value`` is ``repr(float)``: the shortest text that reads back as the same double, so a
test can compare it exactly with a direct query. A tile whose value disclosure control hid
(a slice describing fewer than ``min_cell`` customers, for a role without ``read_pii``) reads
"<5" and its span has ``data-value="nan"`` and ``data-hidden="<5"``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import streamlit as st

from gcrm.cube import MEASURES
from gcrm.i18n import format_number, t, unit_label


@dataclass(frozen=True)
class Change:
    """A KPI against the previous period and the same period last year (from
    :func:`gcrm.cube.period_kpis`: ratios for amounts, differences in points for rates)."""

    prev_change: float
    yoy_change: float
    worse_when_up: bool = False


def _change_text(change: float, ratio: bool, lang: str) -> str | None:
    if change is None or math.isnan(change):
        return None
    if ratio:  # a rate: the change is in percentage points
        return t("kpi.points", lang, value=f"{change * 100:+.1f}")
    return f"{change:+.1%}"


def _tile_text(value: float, unit: str, lang: str) -> str:
    if unit == "%":
        return f"{value * 100:.1f}"
    return format_number(value, lang, whole=unit == "customers")


def kpi_tiles(values: Mapping[str, float], labels: Mapping[str, str], lang: str,
              changes: Mapping[str, Change] | None = None, *, hidden: Collection[str] = (),
              min_cell: int | None = None) -> None:
    """One bordered ``st.metric`` per measure in ``values`` (in order), labelled by ``labels``.

    With ``changes``, each tile shows its change against the previous period as the delta
    (red when a rise is bad, e.g. arrears) and the change against last year below it. The
    measures in ``hidden`` (values disclosure control hid with ``min_cell``) read "<5".
    """
    changes = changes or {}
    cols = st.columns(len(values))
    for col, (name, value) in zip(cols, values.items(), strict=True):
        m = MEASURES[name]
        unit = unit_label(m.unit, lang)
        label = f"{labels[name]} ({unit})" if unit else labels[name]
        ch = changes.get(name)
        delta = yoy = None
        if ch is not None:
            delta = _change_text(ch.prev_change, m.unit == "%", lang)
            yoy = _change_text(ch.yoy_change, m.unit == "%", lang)
        secret = name in hidden and min_cell is not None
        col.metric(label, f"<{min_cell}" if secret else _tile_text(value, m.unit, lang),
                   border=True,
                   delta=t("kpi.vs_prev", lang, change=delta) if delta else None,
                   delta_color="inverse" if ch is not None and ch.worse_when_up else "normal",
                   help=t("disclosure.tile_help", lang, min=min_cell) if secret else
                   t("home.exact", lang, value=f"{value:{m.fmt}} {unit}".rstrip()))
        if ch is not None:
            col.caption(t("kpi.vs_ly", lang, change=yoy) if yoy else t("kpi.no_ly", lang))
    _exact_values(values, changes, {n: f"<{min_cell}" for n in hidden if n in values})


def _exact_values(values: Mapping[str, float], changes: Mapping[str, Change],
                  hidden: Mapping[str, str]) -> None:
    """The invisible spans the browser tests read (see the module docstring)."""
    spans = "".join(
        f'<span class="gcrm-kpi" data-kpi="{html.escape(name)}" '
        f'data-value="{float(value)!r}"'
        + ("" if name not in changes else
           f' data-prev-change="{float(changes[name].prev_change)!r}"'
           f' data-yoy-change="{float(changes[name].yoy_change)!r}"')
        + ("" if name not in hidden else f' data-hidden="{html.escape(hidden[name])}"')
        + f'>{float(value)!r}</span>'
        for name, value in values.items())
    st.markdown(f'<div class="gcrm-kpis" style="display:none">{spans}</div>',
                unsafe_allow_html=True)
