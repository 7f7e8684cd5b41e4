"""Disclosure control in the trade-area summary (issue #17 item 1): a tiny area around one
customer must not show that customer's consumption, payments or arrears to a role without
``read_pii``."""

from __future__ import annotations

import io
import os
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.storage import warehouse
from gcrm.tradearea import geometry
from gcrm.tradearea import queries as tradearea

POPULATION = ("resident", "floating")


@pytest.fixture(scope="module")
def lone(demo_db):
    """``(lon, lat, customer_id)`` of a located customer with a payment."""
    con = warehouse.connect(demo_db, read_only=True)
    try:
        row = con.execute(
            "SELECT c.lon, c.lat, c.customer_id FROM dim_customer c WHERE c.lon IS NOT NULL "
            "AND c.customer_key IN (SELECT customer_key FROM fact_payment) "
            "ORDER BY c.customer_id LIMIT 1").fetchone()
    finally:
        con.close()
    return float(row[0]), float(row[1]), row[2]


def _summary(db, lon: float, lat: float, km: float, min_cell: int | None):
    con = warehouse.connect(db, read_only=True)
    try:
        area = geometry.rings(lon, lat, [km]).geometry.iloc[0]
        return tradearea.area_summary(con, area, "ring", min_cell=min_cell)
    finally:
        con.close()


def test_a_ring_around_one_customer_hides_its_numbers(demo_db, lone) -> None:
    lon, lat, cid = lone
    open_ = _summary(demo_db, lon, lat, 0.002, None)
    safe = _summary(demo_db, lon, lat, 0.002, 5)
    assert 1 <= len(open_.customer_ids) < 5 and cid in open_.customer_ids
    om, sm = open_.metrics.set_index("metric"), safe.metrics.set_index("metric")
    assert om.loc["customers", "area"] == len(open_.customer_ids)
    assert om.loc["paid", "area"] > 0  # without disclosure control the payer's money shows
    customer_metrics = [m for m in om.index if m not in POPULATION]
    assert sm.loc[customer_metrics, "area"].isna().all()
    for m in POPULATION:
        assert sm.loc[m, "area"] == om.loc[m, "area"]
    # the district is large: shown as it is
    pd.testing.assert_series_equal(sm["district"], om["district"])
    # every row of the breakdowns describes fewer than 5 customers: all hidden
    assert safe.by_class[["customers", "kwh", "paid", "arrears"]].isna().all().all()
    assert len(safe.by_channel) and safe.by_channel[["payments", "paid", "share"]].isna().all(
        ).all()
    assert safe.cells["residential_customers"].fillna(0).lt(5).all()
    assert safe.suppressed >= len(customer_metrics) + len(safe.by_class)
    assert open_.suppressed == 0


def test_a_large_area_is_shown_and_small_classes_are_suppressed(demo_db, lone) -> None:
    lon, lat, _ = lone
    open_ = _summary(demo_db, lon, lat, 3.0, None)
    safe = _summary(demo_db, lon, lat, 3.0, 5)
    pd.testing.assert_frame_equal(safe.metrics, open_.metrics)  # large: nothing hidden
    bc = open_.by_class
    small = bc["customers"].between(1, 4).to_numpy()
    assert small.any(), "the 3 km ring has a small class/tariff cell"
    shown = safe.by_class["kwh"].notna().to_numpy()
    assert not (shown & small).any()
    assert (~shown).sum() >= 2  # a lone hidden cell gets a complement (the area total is shown)
    assert (safe.by_class.loc[shown, "kwh"] == bc.loc[shown, "kwh"]).all()
    assert safe.by_class[["customer_class", "tariff"]].equals(bc[["customer_class", "tariff"]])
    assert safe.suppressed >= (~shown).sum()


def test_by_channel_counts_payers(demo_db, lone) -> None:
    from gcrm import cube

    lon, lat, _ = lone
    safe = _summary(demo_db, lon, lat, 3.0, 5)
    con = warehouse.connect(demo_db, read_only=True)
    try:
        payers = cube.query(con, ["payers"], by=["channel"],
                            where={"customer": safe.customer_ids}, months=safe.months)
    finally:
        con.close()
    both = safe.by_channel.merge(payers, on="channel")
    assert both.loc[both["payers"].between(1, 4), "paid"].isna().all()
    assert both.loc[both["paid"].notna(), "payers"].ge(5).all()
    hidden = safe.by_channel["paid"].isna().to_numpy()
    assert hidden.sum() != 1  # never a lone hidden channel beside the shown total


# --------------------------------------------------------------------------- the CLI
@pytest.fixture
def analyst_db(demo_db, tmp_path):
    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    db = tmp_path / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    store = connect_store(db)
    add_user(store, "ana", "analyst", "Quiet-river-2026")
    store.close()
    return db


def _cli_summary(db, lon: float, lat: float, user: str | None, part: str = "metrics"):
    args = ["tradearea", "summary", "--db", str(db), "--lon", repr(lon), "--lat", repr(lat),
            "--km", "0.002", "--part", part, "--format", "csv"]
    if user:
        args += ["--user", user]
    env = {**os.environ, "GCRM_PASSWORD": "Quiet-river-2026"}
    r = CliRunner(env=env).invoke(cli, args)
    assert r.exit_code == 0, r.output
    return pd.read_csv(io.StringIO(r.stdout))


def test_cli_summary_hides_one_customer_from_an_analyst(analyst_db, lone) -> None:
    lon, lat, _ = lone
    shown = _cli_summary(analyst_db, lon, lat, None).set_index("metric")
    hidden = _cli_summary(analyst_db, lon, lat, "ana").set_index("metric")
    assert shown.loc["paid", "area"] > 0 and 1 <= shown.loc["customers", "area"] < 5
    customer_metrics = [m for m in shown.index if m not in POPULATION]
    assert hidden.loc[customer_metrics, "area"].isna().all()  # empty in CSV
    assert np.allclose(hidden.loc[list(POPULATION), "area"], shown.loc[list(POPULATION), "area"])
    classes = _cli_summary(analyst_db, lon, lat, "ana", "classes")
    assert classes[["customers", "kwh", "paid", "arrears"]].isna().all().all()


# --------------------------------------------------------------------------- the page
def test_page_reads_less_than_min_cell(demo_db, lone, tmp_path, monkeypatch) -> None:
    import pickle

    from streamlit.testing.v1 import AppTest

    lon, lat, _ = lone
    path = tmp_path / "summary.pkl"
    path.write_bytes(pickle.dumps(_summary(demo_db, lon, lat, 0.002, 5)))
    monkeypatch.setenv("GCRM_TEST_SUMMARY", str(path))

    def page() -> None:
        import os
        import pickle
        from pathlib import Path

        import streamlit as st

        from dashboards.tradearea import views

        s = pickle.loads(Path(os.environ["GCRM_TEST_SUMMARY"]).read_bytes())
        m = s.metrics.set_index("metric")
        hidden = views.Hidden.of(s)
        views.tiles(views.TILES_2, dict(m["area"]), dict(m["district"]), dict(m["unit"]), "en",
                    hidden)
        st.dataframe(views.metrics_table(s.metrics, "en", hidden))
        views._by_class(s, "en")
        views._by_channel(s, "en")
        views._cells(s, "en")

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert [x.value for x in at.metric] == ["<5"] * len(at.metric)
    metrics = at.dataframe[0].value
    by_class, by_channel = (d.value for d in at.table[:2])  # short tables: plain HTML
    area = dict(zip(metrics["Indicator"], metrics["Area"], strict=True))
    assert area["Residents"] != "<5" and list(area.values()).count("<5") == len(area) - 2
    assert (by_class.iloc[:, 2:] == "<5").all().all()
    assert (by_channel.iloc[:, 1:] == "<5").all().all()


def test_cli_table_says_values_are_hidden(analyst_db, lone) -> None:
    lon, lat, _ = lone
    env = {**os.environ, "GCRM_PASSWORD": "Quiet-river-2026"}
    r = CliRunner(env=env).invoke(cli, [
        "tradearea", "summary", "--db", str(analyst_db), "--lon", repr(lon), "--lat", repr(lat),
        "--km", "0.002", "--user", "ana", "--part", "channels"])
    assert r.exit_code == 0, r.output
    assert "suppressed: they describe fewer than 5 customers" in r.stderr
