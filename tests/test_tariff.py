"""Demand-side management (issue #20): known-answer tests of the bill and elasticity kernels on
hand-made customers, the scenario schema, the policy check, and the what-if on the demo
warehouse (revenue identity, scope, disclosure, masking, audit, CLI)."""

from __future__ import annotations

import io
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.cli import cli
from gcrm.cube.disclosure import DisclosureError
from gcrm.storage import warehouse
from gcrm.tariff import policy, queries, response
from gcrm.tariff.scenario import ScenarioError, from_dict, load, parse, to_toml

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "tariffs"
PASSWORD = "Quiet-river-2026"
FLAT3 = np.array([[1.0, 1.0, 1.0]])


def _scenario(**season) -> dict:
    s = {"name": "t", "months": list(range(1, 13)), "peak": 1.2, "flat": 0.8, "valley": 0.3}
    s.update(season)
    return {"name": "t", "seasons": [s]}


# --------------------------------------------------------------------------- kernels
def test_bill_of_a_hand_made_customer_with_zero_elasticity() -> None:
    q0 = np.array([[100.0, 100.0, 100.0, 0.0]])  # peak, flat, valley, critical kWh
    p1 = np.array([[1.2, 0.8, 0.3, 1.2]])
    r = response.simulate(q0, np.array([240.0]), FLAT3, p1, np.array([True]),
                          own=np.array([0.0]), sigma=np.array([0.0]))
    assert np.allclose(r.p0, 0.8)  # 240 yuan over 300 kWh on a flat tariff
    assert r.bill_before[0] == pytest.approx(240.0)
    assert r.bill_static[0] == pytest.approx(120 + 80 + 30)
    assert np.allclose(r.q1, q0)  # no elasticity: no shift
    assert r.bill_after[0] == pytest.approx(r.bill_static[0])


def test_time_of_use_prices_before_reproduce_the_bill() -> None:
    q0 = np.array([[100.0, 50.0, 200.0, 0.0]])
    p0 = response.prices_before(q0, np.array([130.0]), np.array([[1.5, 1.0, 0.5]]))
    # 130 = x * (1.5*100 + 50 + 0.5*200) = 300 x  ->  x = 0.4333
    assert p0[0, 1] == pytest.approx(130 / 300)
    assert p0[0, 0] / p0[0, 2] == pytest.approx(3.0)
    assert (p0 * q0).sum() == pytest.approx(130.0)


def test_substitution_follows_the_prism_equation() -> None:
    q0 = np.array([[100.0, 0.0, 100.0, 0.0]])
    p0 = np.array([[1.0, 1.0, 1.0, 1.0]])
    p1 = np.array([[2.0, 1.0, 1.0, 2.0]])
    q1 = response.respond(q0, p0, p1, own=np.array([0.0]), sigma=np.array([0.1]))
    # Δ ln(Qp/Qv) = -σ Δ ln(Pp/Pv) = -0.1 ln 2; total kept without own-price elasticity
    assert math.log(q1[0, 0] / q1[0, 2]) == pytest.approx(-0.1 * math.log(2))
    assert q1.sum() == pytest.approx(200.0)
    assert q1[0, 0] == pytest.approx(200 * 2 ** -0.1 / (2 ** -0.1 + 1))


def test_own_price_elasticity_scales_the_total() -> None:
    q0 = np.array([[60.0, 30.0, 10.0, 0.0]])
    p0 = np.full((1, 4), 0.5)
    q1 = response.respond(q0, p0, p0 * 1.1, own=np.array([-0.2]), sigma=np.array([0.3]))
    assert q1.sum() == pytest.approx(100 * 1.1 ** -0.2)
    assert np.allclose(q1 / q1.sum(), q0 / 100)  # same relative prices: no substitution


def test_critical_peak_split_and_uncovered_rows_keep_their_bill() -> None:
    q0 = response.split_critical(np.array([100.0, 100.0]), np.array([0.0, 0.0]),
                                 np.array([100.0, 100.0]), np.array([0.1, 0.0]))
    assert q0[0].tolist() == [90.0, 0.0, 100.0, 10.0] and q0[1, 3] == 0.0
    p1 = np.array([[1.0, 0.5, 0.25, 1.5]] * 2)
    r = response.simulate(q0, np.array([100.0, 100.0]), np.ones((2, 3)), p1,
                          np.array([True, False]), np.array([-0.1, -0.1]), np.array([0.1, 0.1]))
    assert r.bill_static[0] == pytest.approx(90 + 0 + 25 + 15)
    assert r.bill_after[1] == pytest.approx(100.0) and np.allclose(r.q1[1], q0[1])
    assert r.peak_after[0] < r.peak_before[0]  # peak dearer than before, valley cheaper


# --------------------------------------------------------------------------- scenario files
def test_example_scenarios_load_and_round_trip() -> None:
    for path in sorted(EXAMPLES.glob("*.toml")):
        s = load(path)
        assert parse(to_toml(s)) == s
        assert sorted(s.season_of_month()) == sorted(s.season_of_month())  # 12 months
    s = load(EXAMPLES / "ndrc-1093-4to1.toml")
    assert s.seasons[0].ratio == pytest.approx(4.0) and s.seasons[0].critical_share == 0.1


@pytest.mark.parametrize(("change", "field"), [
    ({"months": [1, 2, 3]}, "seasons"),  # months 4..12 in no season
    ({"peak": "high"}, "seasons[0].peak"),
    ({"valley": 200}, "seasons[0].valley"),
    ({"critical_share": 0.1}, "seasons[0].critical_share"),
    ({"critical": 2.0}, "seasons[0].critical_share"),
    ({"peek": 1.0}, "seasons[0].peek"),
])
def test_a_bad_season_is_refused_naming_the_field(change, field) -> None:
    with pytest.raises(ScenarioError, match=rf"field {field.replace('[', '.').replace(']', '.')}"):
        from_dict(_scenario(**change))


def test_bad_applicability_and_names_are_refused() -> None:
    doc = _scenario()
    with pytest.raises(ScenarioError, match=r"applies.classes.*'homes'"):
        from_dict({**doc, "applies": {"classes": ["homes"]}})
    with pytest.raises(ScenarioError, match="field name"):
        from_dict({**doc, "name": "../etc/passwd"})
    with pytest.raises(ScenarioError, match="JSON"):
        parse("{not json", "json")


# --------------------------------------------------------------------------- policy
def test_policy_gap_and_required_ratio() -> None:
    # peak 800 kWh over 8 h = 100 kW, valley 400 kWh over 8 h = 50 kW: gap 50 % > 40 %
    assert policy.load_gap([800.0], [400.0], 8, 8)[0] == pytest.approx(0.5)
    assert policy.required_ratio([0.5, 0.3]).tolist() == [4.0, 3.0]
    s = from_dict(_scenario(peak=0.9, valley=0.3, critical=0.99, critical_share=0.1))
    areas = pd.DataFrame({"area": ["a", "b"], "peak_kwh": [800.0, 800.0],
                          "valley_kwh": [400.0, 700.0]})
    out = policy.check(s, areas, 8, 8)
    assert out["status"].tolist() == ["ratio_low+critical_low", "critical_low"]


# --------------------------------------------------------------------------- the warehouse
@pytest.fixture(scope="module")
def con(demo_db):
    c = warehouse.connect(demo_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def ndrc():
    return load(EXAMPLES / "ndrc-1093-4to1.toml")


def test_revenue_identity_and_bills_before_from_the_cube(con, ndrc) -> None:
    m = queries.period(con)
    r = queries.simulate(con, ndrc, ["customer_class", "season"], m)
    t = r.total.iloc[0]
    # the sum of the bills is the revenue, before and after
    assert r.table["revenue_change"].sum() == pytest.approx(t["revenue_change"])
    assert t["bill_after"] - t["bill_before"] == pytest.approx(t["revenue_change"])
    rows = queries.simulate_rows(con, ndrc, (), m)
    assert rows["bill_after"].sum() == pytest.approx(t["bill_after"])
    billed = cube.query(con, ["amount", "kwh"], months=m).iloc[0]
    assert t["bill_before"] == pytest.approx(billed["amount"])  # one code path for numbers
    assert t["kwh_before"] == pytest.approx(billed["kwh"])
    untouched = r.table[~r.table["customer_class"].isin(["commercial", "industrial"])]
    assert (untouched["covered"] == 0).all() and (untouched["revenue_change"] == 0).all()
    assert t["peak_change_kwh"] < 0  # a 4:1 tariff moves energy out of the peak


def test_zero_elasticities_give_no_shift(con, ndrc, monkeypatch) -> None:
    monkeypatch.setenv("GCRM_TARIFF_OWN_ELASTICITY", "")
    monkeypatch.setenv("GCRM_TARIFF_SUBSTITUTION_ELASTICITY", "")
    t = queries.simulate(con, ndrc).total.iloc[0]
    assert t["kwh_after"] == pytest.approx(t["kwh_before"])
    assert t["peak_change_kwh"] == pytest.approx(0.0, abs=1e-6)
    assert t["bill_after"] == pytest.approx(t["bill_static"])


def test_scope_disclosure_and_masked_targets(con, ndrc) -> None:
    district = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    scoped = queries.simulate(con, ndrc, ["district"], scope=[district]).table
    assert scoped["district"].tolist() == [district]
    with pytest.raises(DisclosureError):
        queries.simulate(con, ndrc, ["customer"], min_cell=5)
    safe = queries.simulate(con, ndrc, ["district", "segment"], min_cell=5)
    small = safe.table["customers"].isna()
    assert safe.suppressed == small.sum() > 0 and small.sum() != 1
    res = load(EXAMPLES / "residential-tou.toml")
    invite = queries.targets(con, res, "invite", limit=10, mask=True)
    assert len(invite) == 10 and (invite["bill_change_static"] < 0).all()
    assert invite["bill_change_static"].is_monotonic_increasing
    assert invite["name"].str.contains(r"\*").all()  # homes: names masked
    warn = queries.targets(con, ndrc, "warn", limit=5, mask=False)
    assert (warn["bill_change"] > 0).all() and warn["bill_change"].is_monotonic_decreasing


def test_profiles_and_rank_come_from_the_cube(con) -> None:
    m = queries.period(con)
    p = queries.profiles(con, ["customer_class"], months=m)
    c = cube.query(con, ["peak_share"], by=["customer_class"], months=m)
    assert np.allclose(p["peak_share"], c["peak_share"])
    assert np.allclose(p["peak_share"] + p["flat_share"] + p["valley_share"], 1.0)
    ranked = queries.rank(con, "district", "seasonal_swing", m)
    assert ranked["seasonal_swing"].is_monotonic_decreasing
    assert (ranked["seasonal_swing"] > 0).all()


# --------------------------------------------------------------------------- the CLI
@pytest.fixture(scope="module")
def users_db(demo_db, tmp_path_factory):
    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    db = tmp_path_factory.mktemp("tariff") / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    store = connect_store(db)
    add_user(store, "ana", "analyst", PASSWORD)
    add_user(store, "pla", "planner", PASSWORD, regions=("220500",))
    store.close()
    return db


def _run(args: list[str], db: Path, user: str | None = None, code: int = 0):
    args = ["tariff", *args, "--db", str(db)] + (["--user", user] if user else [])
    r = CliRunner(env={**os.environ, "GCRM_PASSWORD": PASSWORD}).invoke(cli, args)
    assert r.exit_code == code, r.output
    return r


def test_cli_simulate_targets_and_audit(users_db, tmp_path) -> None:
    scen = str(EXAMPLES / "ndrc-1093-4to1.toml")
    r = _run(["simulate", "--scenario", scen, "--by", "customer_class"], users_db, "ana")
    df = pd.read_csv(io.StringIO(r.stdout))
    assert set(df["customer_class"]) >= {"commercial", "industrial"}
    assert "revenue" in r.stderr
    _run(["targets", "--scenario", scen, "--kind", "invite"], users_db, "ana", code=2)
    out = tmp_path / "warn.xlsx"
    _run(["targets", "--scenario", scen, "--kind", "warn", "--limit", "5", "--out", str(out)],
         users_db, "pla")
    assert out.stat().st_size > 0
    from gcrm.security import audit
    from gcrm.storage.store import connect_store

    entries = audit.search(connect_store(users_db), user="pla", action="tariff.targets")
    assert entries and '"masked": true' in entries[0]["detail"].replace("True", "true")


def test_cli_bad_scenario_exits_2_naming_the_field(users_db, tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[seasons]]\nmonths = [1]\npeak = 1\nflat = 1\nvalley = 1\n',
                   encoding="utf-8")
    r = _run(["check", "--scenario", str(bad)], users_db, code=2)
    assert "seasons" in r.output and "in no season" in r.output
    two = tmp_path / "two.toml"
    two.write_text('name = "two"\n[[seasons]]\nmonths = [1,2,3,4,5,6,7,8,9,10,11,12]\n'
                   'peak = 1.0\nflat = 0.7\nvalley = 0.5\n', encoding="utf-8")
    r = _run(["check", "--scenario", str(two), "--format", "csv"], users_db)
    df = pd.read_csv(io.StringIO(r.stdout))
    assert len(df) > 1 and (df["status"] == "ratio_low").all()  # 2:1 is below 3:1 anywhere
    assert set(df["required_ratio"]) <= {3.0, 4.0}


def test_compare_save_and_json_scenarios(con, tmp_path, monkeypatch) -> None:
    import json

    s = load(EXAMPLES / "ndrc-1093-4to1.toml")
    path = tmp_path / "same.json"
    path.write_text(json.dumps({**s.to_dict(), "name": "as-json"}), encoding="utf-8")
    j = load(path)
    df = queries.compare(con, [s, j], ["customer_class"])
    a, b = (df[df["scenario"] == n].drop(columns="scenario").reset_index(drop=True)
            for n in (s.name, "as-json"))
    pd.testing.assert_frame_equal(a, b)  # the same prices as TOML or JSON: the same result
    with pytest.raises(ValueError, match="share a name"):
        queries.compare(con, [s, s])
    monkeypatch.setenv("GCRM_TARIFF_DIR", str(tmp_path / "saved"))
    queries.save_scenario("ignored.duckdb", j)
    assert queries.saved_scenarios("ignored.duckdb") == ["as-json"]
    assert queries.resolve_scenario("ignored.duckdb", "as-json") == j
    with pytest.raises(ScenarioError, match="saved: as-json"):
        queries.resolve_scenario("ignored.duckdb", "missing")


def test_settings_are_checked(monkeypatch) -> None:
    from gcrm.tariff import elasticity

    monkeypatch.setenv("GCRM_TARIFF_OWN_ELASTICITY", "homes=-0.1")
    with pytest.raises(ValueError, match="unknown class 'homes'"):
        elasticity.own_price()
    monkeypatch.setenv("GCRM_TARIFF_SUBSTITUTION_ELASTICITY", "residential=-0.1")
    with pytest.raises(ValueError, match="residential"):
        elasticity.substitution()
    monkeypatch.setenv("GCRM_TARIFF_PERIOD_HOURS", "12/8/8")
    with pytest.raises(ValueError, match="more than 24"):
        elasticity.period_hours()
