"""KPI tiles: ``st.metric`` for people, plus exact values for machines.

Each tile is an ``st.metric`` labelled with its unit, whose value is scaled for reading
(万/亿 or K/M) and whose help tooltip shows the exact value. Beside the tiles,
:func:`kpi_tiles` writes one invisible element per KPI, found by the browser tests
(see ``tests/browser.py``)::

    <div class="gcrm-kpis" style="display:none">
      <span class="gcrm-kpi" data-kpi="kwh" data-value="83210.0">83210.0</span> ...
    </div>

``data-value`` is ``repr(float)``: the shortest text that reads back as the same double, so a
test can compare it exactly with a direct query.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import streamlit as st

from gcrm.cube import MEASURES
from gcrm.i18n import format_number, t, unit_label


def kpi_tiles(values: Mapping[str, float], labels: Mapping[str, str], lang: str) -> None:
    """One bordered ``st.metric`` per measure in ``values`` (in order), labelled by ``labels``."""
    cols = st.columns(len(values))
    for col, (name, value) in zip(cols, values.items(), strict=True):
        m = MEASURES[name]
        unit = unit_label(m.unit, lang)
        label = f"{labels[name]} ({unit})" if unit else labels[name]
        col.metric(label, format_number(value, lang, whole=m.unit == "customers"),
                   help=t("home.exact", lang, value=f"{value:{m.fmt}} {unit}".rstrip()),
                   border=True)
    spans = "".join(
        f'<span class="gcrm-kpi" data-kpi="{html.escape(name)}" '
        f'data-value="{float(value)!r}">{float(value)!r}</span>'
        for name, value in values.items())
    st.markdown(f'<div class="gcrm-kpis" style="display:none">{spans}</div>',
                unsafe_allow_html=True)
