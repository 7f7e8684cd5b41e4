"""Load-profile segmentation: crafted profiles give known clusters and known words."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from gcrm.customers import queries as crm_segments
from gcrm.customers import segments as S
from gcrm.customers import words as W

#: calendar shapes (Jan..Dec), the demo generator's profiles
FLAT = [1.0] * 12
HEATING = [2.30, 2.00, 1.45, 0.90, 0.70, 0.72, 0.85, 0.85, 0.72, 0.95, 1.60, 2.30]
COOLING = [0.95, 0.92, 0.90, 0.90, 0.95, 1.15, 1.30, 1.28, 1.00, 0.90, 0.90, 0.95]
IRRIGATION = [0.25, 0.25, 0.45, 1.20, 1.90, 2.00, 1.60, 1.30, 0.90, 0.70, 0.40, 0.25]
MONTHS = [str(p) for p in pd.period_range("2024-11", "2026-10", freq="M")]  # 24 months


def _customers(prefix: str, shape, n: int = 5, base: float = 100.0, last_year: float = 1.0,
               peak: float | None = None, valley: float | None = None,
               months=MONTHS) -> list[dict]:
    """``n`` customers following ``shape`` (with a small deterministic wobble); the last 12
    months are ``last_year`` times the 12 before."""
    rows = []
    for i in range(n):
        wobble = 1 + 0.01 * ((i % 3) - 1)
        for j, m in enumerate(months):
            cal = pd.Period(m, "M").month - 1
            recent = j >= len(months) - 12
            kwh = base * (1 + i) * shape[cal] * wobble * (last_year if recent else 1.0)
            rows.append({"customer_id": f"{prefix}{i:02d}", "month": m, "kwh": kwh,
                         "peak_kwh": None if peak is None else kwh * peak,
                         "valley_kwh": None if valley is None else kwh * valley})
    return rows


def _frame(*groups) -> pd.DataFrame:
    return pd.DataFrame([r for g in groups for r in g])


@pytest.fixture(scope="module")
def crafted() -> tuple[pd.DataFrame, pd.Series]:
    cons = _frame(_customers("IND", FLAT, base=5000, valley=0.40, peak=0.30),
                  _customers("HEAT", HEATING, peak=0.37, valley=0.25),
                  _customers("COM", COOLING, base=2000, peak=0.44, valley=0.16),
                  _customers("AGR", IRRIGATION, base=1000, peak=0.30, valley=0.30))
    classes = pd.Series({cid: {"IND": "industrial", "HEA": "residential", "COM": "commercial",
                               "AGR": "agricultural"}[cid[:3]]
                         for cid in cons["customer_id"].unique()})
    return cons, classes


def test_crafted_profiles_give_known_segments_and_words(crafted) -> None:
    cons, classes = crafted
    seg = W.segment(cons, classes, k=4, seed=0)
    by_name = {r["name"]: r for r in seg.segments.to_dict("records")}
    assert set(by_name) == {"flat base-load industrial", "winter-peaking residential",
                            "summer-peaking commercial", "growing-season agricultural"}
    # every segment holds exactly one crafted group
    members = seg.members.assign(group=seg.members["customer_id"].str[:3])
    assert (members.groupby("segment")["group"].nunique() == 1).all()
    assert (members.groupby("group")["segment"].nunique() == 1).all()
    heat = by_name["winter-peaking residential"]
    # Nov..Mar mean 1.93 / May..Sep mean 0.768 = 2.51
    assert heat["heating_ratio"] == pytest.approx(2.513, abs=1e-3)
    assert heat["words"] == ("winter-peaking residential; 2.5x heating-season ratio "
                             "(Nov–Mar vs May–Sep); 100% residential")
    assert heat["customers"] == 5 and heat["share"] == pytest.approx(0.25)
    assert by_name["flat base-load industrial"]["words"] == (
        "flat base-load industrial; months within ±0% of the mean; 100% industrial; "
        "valley-heavy (40% of kWh in valley hours)")
    assert "Jun–Aug at 1.23x the annual mean (cooling)" in by_name[
        "summer-peaking commercial"]["words"]
    assert "peak-heavy (44% of kWh in peak hours)" in by_name["summer-peaking commercial"]["words"]
    assert "Apr–Aug at 5.6x the Nov–Feb level" in by_name["growing-season agricultural"]["words"]
    assert seg.window == ("2025-11", "2026-10") and seg.trend_months == 12 and seg.excluded == 0
    assert list(seg.centroids.columns) == list(S.MONTH_LABELS)
    heat_no = heat["segment"]
    assert seg.centroids.loc[heat_no, "Jan"] == pytest.approx(2.30 / np.mean(HEATING), rel=1e-2)


def test_same_seed_same_answer_and_segments_numbered_by_size(crafted) -> None:
    cons, classes = crafted
    # one frame from the records (not a concat with an all-NA peak/valley column)
    cons2 = _frame(cons.to_dict("records"), _customers("HEB", HEATING, n=3, base=150))
    classes2 = pd.concat([classes, pd.Series({f"HEB{i:02d}": "residential" for i in range(3)})])
    a = W.segment(cons2, classes2, k=4, seed=7)
    b = W.segment(cons2, classes2, k=4, seed=7)
    pd.testing.assert_frame_equal(a.segments, b.segments)
    pd.testing.assert_frame_equal(a.members, b.members)
    assert a.segments["customers"].tolist() == sorted(a.segments["customers"], reverse=True)
    assert a.segments.iloc[0]["name"] == "winter-peaking residential"  # 8 of 23
    assert a.segments["share"].sum() == pytest.approx(1.0)


def test_declining_segment_is_named_declining() -> None:
    cons = _frame(_customers("OK", FLAT, base=400),
                  _customers("DN", FLAT, base=400, last_year=0.6))
    seg = W.segment(cons, pd.Series({c: "commercial" for c in cons["customer_id"].unique()}),
                    k=2)
    words = dict(zip(seg.segments["name"], seg.segments["words"], strict=True))
    assert set(words) == {"flat base-load commercial", "declining flat base-load commercial"}
    assert "down 40% vs a year earlier" in words["declining flat base-load commercial"]
    down = seg.segments.set_index("name").loc["declining flat base-load commercial"]
    assert down["trend_pct"] == pytest.approx(-40.0)


def test_clusters_with_the_same_words_are_one_segment(crafted) -> None:
    cons, classes = crafted
    seg = W.segment(cons, classes, k=9, seed=0)  # more clusters than profiles
    assert sorted(seg.segments["name"]) == sorted({
        "flat base-load industrial", "winter-peaking residential",
        "summer-peaking commercial", "growing-season agricultural"})
    assert seg.segments["customers"].sum() == 20


def test_short_histories_are_excluded_and_counted() -> None:
    long = _customers("L", HEATING)
    short = _customers("S", HEATING, n=2, months=MONTHS[-8:])  # opened 8 months ago
    gap = [r for r in _customers("G", HEATING, n=1) if r["month"] != "2026-03"]
    seg = S.segment(_frame(long, short, gap), k=2)
    assert seg.excluded == 3
    assert set(seg.members["customer_id"]) == {f"L{i:02d}" for i in range(5)}
    # one year of data: shape without smoothing, no trend
    one_year = W.segment(_frame(_customers("Y", HEATING, months=MONTHS[-12:])), k=1)
    assert one_year.trend_months == 0 and one_year.segments.iloc[0]["trend_pct"] is None
    assert one_year.segments.iloc[0]["name"] == "winter-peaking mixed customers"


def test_no_time_of_use_registers_and_no_history() -> None:
    cons = _frame(_customers("H", HEATING)).drop(columns=["peak_kwh", "valley_kwh"])
    seg = S.segment(cons, k=1)
    assert seg.segments.iloc[0]["peak_share"] is None
    empty = S.segment(cons.iloc[:0], k=3)
    assert empty.segments.empty and empty.window is None
    with pytest.raises(ValueError, match="missing"):
        S.segment(cons.drop(columns=["kwh"]))
    with pytest.raises(ValueError, match="k must be between 1 and 20"):
        S.segment(cons, k=0)


def test_words_in_chinese(crafted) -> None:
    cons, classes = crafted
    seg = W.segment(cons, classes, k=4, lang="zh-CN")
    assert "冬季高峰型居民" in set(seg.segments["name"])
    heat = seg.segments.set_index("name").loc["冬季高峰型居民", "words"]
    assert heat == "冬季高峰型居民；采暖季比 2.5 倍（11–3 月对 5–9 月）；居民占 100%"


@pytest.mark.parametrize(("shape", "pattern"), [
    (FLAT, "flat"), (HEATING, "winter"), (COOLING, "summer"), (IRRIGATION, "growing"),
    ([1.0, 0.45, 1.1, 1.0, 1.0, 1.0, 0.35, 0.40, 1.05, 1.0, 1.15, 1.25], "holiday"),
    ([1.30, 1.22, 1.05, 0.90, 0.85, 0.88, 1.02, 1.00, 0.86, 0.90, 1.08, 1.30], "mild_winter"),
])
def test_pattern_rules(shape, pattern) -> None:
    assert S.pattern_of(S.indicators(np.array(shape))) == pattern


def test_kmeans_separates_blobs_deterministically() -> None:
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (20, 2))])
    labels, centers, inertia = S.kmeans(x, 2, seed=3)
    assert len(set(labels[:30])) == 1 and len(set(labels[30:])) == 1
    assert labels[0] != labels[-1]
    assert sorted(np.round(centers[:, 0])) == [0.0, 5.0]
    again = S.kmeans(x, 2, seed=3)
    assert np.array_equal(labels, again[0]) and inertia == again[2]
    with pytest.raises(ValueError, match="k must be between"):
        S.kmeans(x, 51)


def test_large_populations_fit_on_a_sample(monkeypatch, crafted) -> None:
    cons, classes = crafted
    monkeypatch.setattr(S, "MAX_FIT", 12)  # 20 customers: fit on 12, assign all
    seg = S.segment(cons, classes, k=4)
    assert seg.segments["customers"].sum() == 20
    assert len(seg.segments) == 4


def test_fetch_scope_and_known_windows(demo_db: Path) -> None:
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        everyone = crm_segments.segments(con, k=6)
        scoped = crm_segments.segments(con, scope=["220502"], k=6)
        in_scope = con.execute("SELECT count(*) FROM dim_customer WHERE district_id = '220502' "
                               "OR city_id = '220502'").fetchone()[0]
        members = crm_segments.members(con, scoped, 1, scope=["220502"], limit=5)
    finally:
        con.close()
    assert scoped.segments["customers"].sum() + scoped.excluded == in_scope
    assert everyone.segments["customers"].sum() > scoped.segments["customers"].sum()
    assert everyone.window == ("2025-11", "2026-10")  # demo: 14 months to 2026-10
    assert everyone.trend_months == 2
    assert members["customer_id"].str.startswith("220502").all() and len(members) == 5
    assert members["distance"].is_monotonic_increasing
    for words in everyone.segments["words"]:
        assert re.match(r"^[a-z]", words)


def test_fetch_with_too_little_history(mini_db_shared: Path) -> None:
    con = duckdb.connect(str(mini_db_shared), read_only=True)
    try:
        seg = crm_segments.segments(con)
    finally:
        con.close()
    assert seg.segments.empty and seg.window is None and seg.excluded == 7


def test_doctests() -> None:
    import doctest

    assert doctest.testmod(S).failed == 0
