"""Home: KPI tiles for the last 12 months and a map of customers by district."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboards.components import auth, data, maps, shell
from dashboards.components.kpi import kpi_tiles
from gcrm.cube import MEASURES, CubeError
from gcrm.i18n import format_quantity, t, unit_label

KPIS = ("customers", "kwh", "amount", "paid", "arrears")
TABLE = ("customers", "kwh", "amount")

lang = shell.current_lang()
wh = shell.warehouse()
db, version = wh.path, wh.version
scope = auth.principal().scope  # region scope: totals are the scope's totals

st.title(t("home.title", lang))
try:
    months = data.month_range(db, version, 12, scope=scope)
except CubeError:
    st.info(t("app.no_data", lang))
    st.stop()
st.caption(t("home.period", lang, start=months[0], end=months[1]))

# ---------------------------------------------------------------- KPI tiles
kpi = data.cube_query(db, version, KPIS, months=months, scope=scope)
labels = {"customers": t("kpi.customers", lang), "kwh": t("kpi.kwh", lang),
          "amount": t("kpi.amount", lang), "paid": t("kpi.paid", lang),
          "arrears": t("kpi.arrears", lang)}
kpi_tiles({m: float(kpi[m].iloc[0]) if len(kpi) else 0.0 for m in KPIS}, labels, lang)

# ---------------------------------------------------------------- map
by_district = data.cube_query(db, version, TABLE, by=("district",), months=months,
                              order_by="-customers", scope=scope)
geo = data.regions_geojson(db, version, "district", scope=scope)
names = {f["properties"]["region_id"]: f["properties"]["name"] for f in geo["features"]}

located = by_district[by_district["district"].notna()].copy()
located["rank"] = located["customers"].rank(method="min", ascending=False).astype(int)
stats = located.set_index("district")

st.subheader(t("home.map.title", lang))
if not geo["features"]:
    st.info(t("home.map.no_regions", lang))
else:
    classes = maps.classify(stats["customers"].tolist())
    unit = MEASURES["customers"].unit
    total = len(stats)
    features = []
    for f in geo["features"]:
        props = dict(f["properties"])
        rid = props["region_id"]
        value = float(stats.at[rid, "customers"]) if rid in stats.index else math.nan
        props["fill"] = list(classes.color(value))
        props["value_text"] = (format_quantity(value, unit, lang) if not math.isnan(value)
                               else t("home.map.no_data", lang))
        props["rank_text"] = (t("home.map.rank", lang, rank=int(stats.at[rid, "rank"]),
                                total=total) if rid in stats.index else "")
        features.append({**f, "properties": props})
    fc = {"type": "FeatureCollection", "features": features}
    tooltip = (f"<b>{{name}}</b><br/>{MEASURES['customers'].label(lang)}: {{value_text}}"
               "<br/>{rank_text}")
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        st.pydeck_chart(maps.choropleth(fc, tooltip), height=520, key="home_map")
    with legend_col:
        no_data = t("home.map.no_data", lang) if len(stats) < len(features) else None
        st.markdown(maps.legend_html(classes, t("home.map.legend", lang), no_data=no_data),
                    unsafe_allow_html=True)

# ---------------------------------------------------------------- ranked table
st.subheader(t("home.table.title", lang))


def _col(measure: str) -> str:
    unit = unit_label(MEASURES[measure].unit, lang)
    return f"{MEASURES[measure].label(lang)} ({unit})" if unit else MEASURES[measure].label(lang)


# unlocated customers (empty district) last: they are counted, but have no rank
by_district = pd.concat([by_district[by_district["district"].notna()],
                         by_district[by_district["district"].isna()]], ignore_index=True)
table = pd.DataFrame({
    t("home.table.rank", lang): [int(r) if not pd.isna(r) else None
                                 for r in by_district["district"].map(stats["rank"])],
    t("home.table.name", lang): [names.get(d, d) if isinstance(d, str)
                                 else t("home.unlocated", lang)
                                 for d in by_district["district"]],
    **{_col(m): by_district[m].round(0).to_numpy() for m in TABLE},
})
table[t("home.table.rank", lang)] = table[t("home.table.rank", lang)].astype("Int64")
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={_col(m): st.column_config.NumberColumn(format="localized")
                   for m in TABLE},
)
shell.page_done("home", lang)
