"""Disclosure control on the pages (issue #17 item 1): a role without ``read_pii`` sees the cube
through ``min_cell`` in the Cube Explorer and the overview, and a hidden value reads "<5".

No browser here (see tests/test_browser_explorer.py for the page itself): the page helpers,
the explorer's data layer over the demo warehouse, and the components that draw "<5".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboards.components import disclosure, maps
from dashboards.components.session import Access
from dashboards.explorer import data as ex
from dashboards.explorer.state import View
from gcrm import cube
from gcrm.cube.disclosure import DisclosureError
from gcrm.storage import warehouse
from tests.browser import busiest_district

ANALYST = Access("ana", None, frozenset({"read_aggregates", "export"}), "analyst")
ADMIN = Access("boss", None, frozenset({"read_aggregates", "read_customers", "read_pii",
                                        "export"}), "admin")


# --------------------------------------------------------------------------- who and how
def test_min_cell_applies_to_roles_without_pii(monkeypatch) -> None:
    assert disclosure.min_cell_for(ADMIN) is None
    assert disclosure.min_cell_for(ANALYST) == 5
    monkeypatch.setenv("GCRM_MIN_CELL", "10")
    assert disclosure.min_cell_for(ANALYST) == 10
    assert disclosure.below(10) == "<10"
    assert disclosure.note(3, 10, "en").startswith("3 cells are hidden: they describe fewer "
                                                   "than 10 customers")
    assert disclosure.note(1, 5, "en").startswith("1 cell is hidden: it describes")


def test_hidden_rows_need_the_cubes_word() -> None:
    df = pd.DataFrame({"d": ["a", "b", "c"], "kwh": [1.0, np.nan, np.nan],
                       "rate": [0.5, np.nan, 0.2]})
    assert not disclosure.hidden_rows(df, ["kwh", "rate"]).any()  # nothing was suppressed
    df.attrs["suppressed"] = 1
    assert disclosure.hidden_rows(df, ["kwh", "rate"]).tolist() == [False, True, False]


def test_table_text_reads_less_than_min_cell_only_in_hidden_cells() -> None:
    df = pd.DataFrame({"name": ["x", "y", "z"], "kwh": [1234.5, np.nan, np.nan],
                       "share": [0.5, np.nan, 0.25]})
    out = disclosure.as_text(df, {"kwh": ",.0f", "share": ".1%"},
                             {"kwh": np.array([False, True, False]),
                              "share": np.array([False, True, False])}, "<5")
    assert out.to_dict("list") == {"name": ["x", "y", "z"], "kwh": ["1,234", "<5", ""],
                                   "share": ["50.0%", "<5", "25.0%"]}
    assert df["kwh"].isna().sum() == 2  # the frame itself is untouched


def test_map_fill_and_legend_of_hidden_regions() -> None:
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"region_id": rid}}
        for rid in ("a", "b", "c")]}
    fc, _ = maps.fill_regions(geo, {"a": 10.0, "b": 20.0}, lambda v: f"{v:.0f}", "no data",
                              hidden={"c"}, hidden_text="<5")
    props = {f["properties"]["region_id"]: f["properties"] for f in fc["features"]}
    assert props["c"]["fill"] == list(maps.SUPPRESSED) and props["c"]["value_text"] == "<5"
    assert props["a"]["value_text"] == "10" and props["a"]["fill"] != list(maps.SUPPRESSED)
    # the suppressed fill is no colour class of any ramp, and not "no data"
    ramps = {c for ramp in maps.RAMPS.values() for c in ramp} | set(maps.RAMP)
    assert maps.SUPPRESSED not in ramps and maps.SUPPRESSED != maps.NO_DATA
    legend = maps.legend_html(maps.classify([10.0, 20.0]), "kWh", hidden="Hidden (<5)")
    assert "Hidden (&lt;5)" in legend and "rgb(176,170,160)" in legend
    plain, _ = maps.fill_regions(geo, {"a": 10.0}, str, "no data")  # unchanged without hidden
    assert [f["properties"]["value_text"] for f in plain["features"]] == \
        ["10.0", "no data", "no data"]


def test_kpi_tiles_read_less_than_min_cell() -> None:
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        from dashboards.components.kpi import kpi_tiles

        kpi_tiles({"kwh": float("nan"), "customers": 3.0}, {"kwh": "kWh", "customers": "C"},
                  "en", hidden=["kwh"], min_cell=5)

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["<5", "3"]
    spans = "".join(m.value for m in at.markdown)
    assert 'data-kpi="kwh" data-value="nan" data-hidden="&lt;5"' in spans
    assert 'data-kpi="customers" data-value="3.0">' in spans


def test_overview_counts_in_tooltips_read_less_than_min_cell() -> None:
    from dashboards.components.session import Access
    from dashboards.overview.context import Ctx

    analyst = Access("ana", None, frozenset({"read_aggregates"}), "analyst")  # min_cell 5
    agent = Access("agent", None, frozenset({"read_customers", "read_pii"}), "service_agent")
    ctx = Ctx("en", "db", "v", analyst, {}, ("2026-01", "2026-12"), ["2026-01"])
    assert ctx.min_cell == 5
    assert ctx.tn("ov.feeder_tip", 2).startswith("<5 customers")
    assert ctx.tn("ov.feeder_tip", 7).startswith("7 customers")
    assert ctx.tn("ov.bin_tip", 1) == "<5 customers"
    everyone = Ctx("en", "db", "v", agent, {}, ("2026-01", "2026-12"), ["2026-01"])
    assert everyone.tn("ov.bin_tip", 1) == "1 customer"
    assert ctx.hidden_text == "<5"


# --------------------------------------------------------------------------- the explorer
def test_personal_dimensions_leave_the_view() -> None:
    view = View.from_params({"measures": "kwh", "rows": "customer,month",
                             "f.customer": "C1", "f.district": "220502"})
    safe, refused = view.without(["customer"])
    assert refused == ["customer"]
    assert safe.rows == ("month",) and safe.where == {"district": ["220502"]}
    assert view.without(["channel"]) == (view, [])
    col, refused = View.from_params({"rows": "district", "col": "customer"}).without(
        ["customer"])
    assert col.column is None and refused == ["customer"]


def _ctx(db: Path, who: Access) -> ex.Context:
    con = warehouse.connect(db, read_only=True)
    try:
        months = cube.months(con)
        version = warehouse.get_meta(con, "data_version", "0") or "0"
    finally:
        con.close()
    ctx = ex.Context("en", str(db), version, who, months, {})
    assert ctx.min_cell == disclosure.min_cell_for(who)  # disclosure follows the user
    return ctx


def _cube(db: Path, *args, **kwargs) -> pd.DataFrame:
    con = warehouse.connect(db, read_only=True)
    try:
        return cube.query(con, *args, **kwargs)
    finally:
        con.close()


def test_explorer_result_of_an_analyst_is_the_protected_cube(demo_db: Path) -> None:
    d = busiest_district(demo_db)
    view = View(("kwh", "customers"), ("grid",), filters=(("district", (d,)),))
    res = ex.explore(_ctx(demo_db, ANALYST), view)
    want = _cube(demo_db, ["kwh", "customers"], by=["grid"], where={"district": [d]},
                 min_cell=5)
    assert res.frame.to_csv(index=False) == want.to_csv(index=False)
    assert res.hidden.tolist() == want["kwh"].isna().tolist() and res.hidden.any()
    assert not res.totals_hidden
    admin = ex.explore(_ctx(demo_db, ADMIN), view)
    assert not admin.hidden.any() and admin.frame["kwh"].notna().all()
    # a slice of one small cell: its totals (the KPI tiles) are hidden too
    small = want.loc[res.hidden, "grid"].iloc[0]
    one = ex.explore(_ctx(demo_db, ANALYST),
                     View(("kwh",), ("month",), filters=(("grid", (small,)),)))
    assert one.totals_hidden and one.frame["kwh"].isna().all()


def test_explorer_ranks_hidden_cells_last_for_an_analyst(demo_db: Path) -> None:
    """The cube ranks before it hides; the page ranks the protected result instead, so a
    top-N never holds a hidden cell ahead of a shown one."""
    d = busiest_district(demo_db)
    view = View(("kwh",), ("grid",), filters=(("district", (d,)),), sort="-kwh", top=40)
    res = ex.explore(_ctx(demo_db, ANALYST), view)
    shown = _cube(demo_db, ["kwh"], by=["grid"], where={"district": [d]}, min_cell=5)
    shown = shown.dropna(subset=["kwh"]).sort_values("kwh", ascending=False)
    n = min(40, len(shown))
    assert res.frame["grid"].head(n).tolist() == shown["grid"].head(n).tolist()
    assert res.hidden.tolist() == sorted(res.hidden.tolist())


def test_explorer_pivot_keeps_hidden_cells_missing(demo_db: Path) -> None:
    """The pivot sums a cell's values: a hidden (NaN) cell must not become 0."""
    d = busiest_district(demo_db)
    view = View(("kwh",), ("grid",), "customer_class", filters=(("district", (d,)),))
    ctx = _ctx(demo_db, ANALYST)
    res = ex.explore(ctx, view)
    assert res.hidden.any()
    _, parts, hidden = ex.pivot_parts(ctx, view, res, ["kwh"])
    n_hidden = sum(int(h.sum()) for h in hidden.values())
    assert n_hidden == int(res.hidden.sum())
    for k, arr in parts.items():
        assert np.isnan(arr[hidden[k]]).all()
        assert not (arr == 0).any()


def test_explorer_refuses_the_customer_dimension_to_an_analyst(demo_db: Path) -> None:
    ctx = _ctx(demo_db, ANALYST)
    assert "customer" not in ctx.dims and "grid" in ctx.dims
    assert "customer" in _ctx(demo_db, ADMIN).dims
    with pytest.raises(DisclosureError):
        ex.explore(ctx, View(("kwh",), ("customer",)))
