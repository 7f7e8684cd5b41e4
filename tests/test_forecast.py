"""Forecasts: known answers on series with a known trend and season, coherence at every
level, scope, disclosure, bad input (warehouses built from code)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.forecast import festival, hierarchy, models
from tests.forecast_data import LEVELS, MONTHS, known_db_fixture, truth  # noqa: F401


@pytest.fixture(scope="module")
def con(known_db: Path):
    from gcrm.storage import warehouse

    c = warehouse.connect(known_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def by_district_class(con) -> pd.DataFrame:
    from gcrm.forecast import queries

    return queries.forecast(con, "kwh", ["district", "customer_class"], horizon=6)


def test_known_trend_and_season(by_district_class: pd.DataFrame) -> None:
    t = np.arange(len(MONTHS), len(MONTHS) + 6)
    for (d, c), g in by_district_class.groupby(["district", "customer_class"]):
        expected = truth(d, c, t)
        assert g["month"].tolist()[0] == "2026-01"
        np.testing.assert_allclose(g["forecast"].to_numpy(), expected, rtol=0.03)
        assert (g["lo"] <= g["forecast"]).all() and (g["forecast"] <= g["hi"]).all()
        assert (g["backtest_mase"] < 1).all()  # beats last year's same month: the trend


def test_levels_add_up(con, by_district_class: pd.DataFrame) -> None:
    from gcrm.forecast import queries

    total = queries.forecast(con, "kwh", [], horizon=6)
    by_district = queries.forecast(con, "kwh", ["district"], horizon=6)
    for finer in (by_district_class, by_district):
        summed = finer.groupby("month")["forecast"].sum()
        np.testing.assert_allclose(summed.to_numpy(), total["forecast"].to_numpy(), rtol=1e-9)
    assert list(total.columns[:5]) == ["month", "forecast", "lo", "hi", "model"]


def test_scope_covers_only_the_managers_districts(con) -> None:
    from gcrm.forecast import queries

    mine = queries.forecast(con, "kwh", ["district"], horizon=3, scope=["D2"])
    assert set(mine["district"]) == {"D2"}
    total = queries.forecast(con, "kwh", [], horizon=3, scope=["D2"])
    np.testing.assert_allclose(total["forecast"].to_numpy(), mine["forecast"].to_numpy())


def test_small_series_suppressed_for_roles_without_pii(con) -> None:
    from gcrm.forecast import queries

    df = queries.forecast(con, "customers", ["district", "customer_class"], horizon=2,
                          min_cell=7)  # 6 customers a cell: every cell hidden
    assert df["forecast"].isna().all() and df.attrs["suppressed"] == 4
    shown = queries.forecast(con, "customers", ["district"], horizon=2, min_cell=7)
    np.testing.assert_allclose(shown["forecast"].to_numpy(), 12.0, rtol=1e-6)


def test_intermittent_and_new_series_never_negative() -> None:
    from gcrm.forecast import predict

    ds = pd.date_range("2023-01-01", periods=24, freq="MS")
    y_new = np.r_[np.zeros(18), [5.0, 40, 2, 60, 0, 80]]  # a new district, erratic
    hist = pd.DataFrame({"city": "C", "district": ["a"] * 24 + ["b"] * 24,
                         "customer_class": "industrial", "ds": list(ds) * 2,
                         "y": np.r_[np.full(24, 100.0), y_new]})
    r = predict.forecast(hist, hierarchy.chains_for([]), predict.Options(horizon=12))
    assert (r.forecasts[["forecast", "lo", "hi"]].to_numpy() >= 0).all()
    assert np.isfinite(r.forecasts["forecast"]).all()


def test_festival_share_moves_between_january_and_february() -> None:
    share = festival.festival_share(pd.to_datetime(["2025-01-01", "2025-02-01",
                                                    "2026-01-01", "2026-02-01"]))
    assert share[0] > 0.4 and share[1] > 0.4  # 29 Jan 2025: split
    assert share[2] == 0 and share[3] > 0.8  # 17 Feb 2026: February
    assert models.plan(14, 12, 3) == models.Backtest(1, 1, 1)
    assert models.plan(13, 12, 3) is None


@pytest.mark.parametrize("args, message", [
    (["--horizon", "0"], "--horizon"),
    (["--measure", "kwh_per_customer"], "cannot forecast measure"),
    (["--measure", "nope"], "unknown measure"),
    (["--by", "feeder"], "cannot forecast by feeder"),
    (["--train-to", "2022-09"], "too little history"),
    (["--train-to", "2023-13"], "malformed --train-to"),
])
def test_cli_bad_input_exit_2(known_db: Path, args: list[str], message: str) -> None:
    from gcrm.cli import cli

    base = ["forecast", "--db", str(known_db)]
    if "--measure" not in args:
        base += ["--measure", "kwh"]
    r = CliRunner().invoke(cli, [*base, *args])
    assert r.exit_code == 2, r.output
    assert message in r.output


def test_cli_backtest_and_evaluate(known_db: Path) -> None:
    from gcrm.cli import cli

    r = CliRunner().invoke(cli, ["forecast", "--db", str(known_db), "--measure", "kwh",
                                 "--by", "customer_class", "--horizon", "3", "--train-to",
                                 "2025-06", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert {x["month"] for x in rows} == {"2025-07", "2025-08", "2025-09"}
    r = CliRunner().invoke(cli, ["forecast", "--db", str(known_db), "--measure", "kwh",
                                 "--evaluate", "--horizon", "6"])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(__import__("io").StringIO(r.output))
    assert set(table["level"]) >= {"total", "city x district x customer_class"}
    assert (table["relative_to_snaive"] < 1).all()  # a trend: better than last year


def test_target_markets_link_growing_districts_to_their_hall(con) -> None:
    from gcrm.forecast import growth, queries

    entry = queries.entry_points(con)
    assert entry == {"D1": "SP-D1-bank", "D2": "SP-D2-hall"}  # a hall before self-service
    by_d = queries.market(con, "kwh", ["district"])
    top = growth.targets(by_d, entry)
    # the known answer (tests/forecast_data.truth, next 12 months vs last 12): D2 +62,792 kWh
    # (+3.8 %); D1 +23,335 (+0.7 %: residential +1 %/month outweighs industrial, 4x larger,
    # -0.4 %/month); both grow, D2 most
    assert top["district"].tolist() == ["D2", "D1"]
    assert top["service_point"].tolist() == ["SP-D2-hall", "SP-D1-bank"]
    next_12 = by_d.set_index("district")["next_12"]
    np.testing.assert_allclose(next_12[["D2", "D1"]], [1_697_110, 3_550_989], rtol=0.01)
    np.testing.assert_allclose(top["change"].iloc[0], 62_792, rtol=0.1)


@pytest.mark.parametrize(("selection", "reconcile"), [("ensemble", "wls_struct"),
                                                      ("median", "bottom_up"),
                                                      ("AutoETS", "bottom_up")])
def test_selection_and_reconciliation_options(selection: str, reconcile: str) -> None:
    from gcrm.forecast import predict

    months = pd.date_range("2020-01-01", periods=40, freq="MS")
    t = np.arange(40)
    rows = [pd.DataFrame({"district": d, "customer_class": "residential", "ds": months,
                          "y": lvl * (1 + 0.2 * np.cos(2 * np.pi * t / 12)) + 10 * t})
            for d, lvl in (("A", 1000.0), ("B", 3000.0))]
    hist = pd.concat(rows).assign(city="C")
    chains = hierarchy.chains_for(["district"])
    opts = predict.Options(horizon=6, selection=selection, reconcile=reconcile,
                           models=("SeasonalNaive", "AutoETS", "MSTL"))
    res = predict.forecast(hist, chains, opts)
    forced = models.COMBINED.get(selection, selection)
    assert (res.quality["model"] == forced).all()
    if selection in models.COMBINED:  # really the members' mean / median, not a fallback
        members = res.base[["AutoETS", "MSTL"]]
        np.testing.assert_allclose(res.base[forced], members.mean(axis=1))
        np.testing.assert_allclose(res.base[predict.CHOSEN], res.base[forced])
    assert res.method == reconcile
    total = res.forecasts[res.forecasts["unique_id"] == "s0"]["forecast"].to_numpy()
    t = np.arange(40, 46)
    expected = 4000 * (1 + 0.2 * np.cos(2 * np.pi * t / 12)) + 20 * t
    np.testing.assert_allclose(total, expected, rtol=0.05)
    with pytest.raises(ValueError, match="selection"):
        predict.check(predict.Options(selection="best-of-three"))


def test_ensemble_without_two_members_is_refused(known_db: Path, monkeypatch) -> None:
    """``forecast_selection=ensemble`` with one combinable model used to fall back silently
    to a single model; it is refused with a message naming both settings (exit 2)."""
    from gcrm.cli import cli

    monkeypatch.setenv("GCRM_FORECAST_SELECTION", "ensemble")
    monkeypatch.setenv("GCRM_FORECAST_MODELS", "SeasonalNaive,AutoETS")
    r = CliRunner().invoke(cli, ["forecast", "--db", str(known_db), "--measure", "kwh"])
    assert r.exit_code == 2, r.output
    assert "'ensemble' combines at least two of" in r.output
    assert "forecast_models" in r.output
