"""Arrears and churn risk: crafted histories with known scores, order and explanations."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from gcrm.customers import queries as crm_risk
from gcrm.customers import records
from gcrm.customers import risk as R
from gcrm.customers import words as W
from gcrm.customers.arrears import ageing
from gcrm.customers.card import card
from gcrm.customers.queries import customer_exists
from gcrm.storage.store import connect_store

ROOT = Path(__file__).resolve().parent.parent
MONTHS_2025 = [f"2025-{m:02d}" for m in range(1, 13)]
AS_OF = pd.Timestamp("2026-01-28")


def sigmoid_score(z: float) -> float:
    return 100 / (1 + math.exp(-z))


def bills(cid: str, months=MONTHS_2025, amount: float = 100.0, kwh=None) -> list[dict]:
    kwh = kwh or [200.0] * len(months)
    return [{"customer_id": cid, "month": m, "kwh": k, "amount": amount}
            for m, k in zip(months, kwh, strict=True)]


def paid_on_time(cid: str, months, amount: float = 100.0) -> list[dict]:
    """Each bill paid on the 10th of the next month (due: 30 days after the month ends)."""
    return [{"customer_id": cid, "paid_at": (pd.Period(m, "M") + 1).start_time
             + pd.Timedelta(days=9), "amount": amount} for m in months]


@pytest.fixture(scope="module")
def crafted() -> pd.DataFrame:
    cons = pd.DataFrame(bills("ONTIME") + bills("LATE90") + bills("LATE180"))
    pays = pd.DataFrame(
        paid_on_time("ONTIME", MONTHS_2025)
        + paid_on_time("LATE90", MONTHS_2025[:8])  # stops paying after the August bill
        + paid_on_time("LATE180", MONTHS_2025[:5]))  # ... after May
    return W.risk_scores(cons, pays, as_of=AS_OF).set_index("customer_id")


def test_on_time_payer_scores_the_base(crafted) -> None:
    r = crafted.loc["ONTIME"]
    assert r["arrears_score"] == round(R.base_score(R.ARREARS), 1) == 1.8
    assert r["days_overdue"] == 0 and r["late_share"] == 0 and r["overdue_amount"] == 0
    assert r["arrears_top"] == "" and r["arrears_why"] == "no warning signs"


def test_ninety_days_overdue_known_points_and_words(crafted) -> None:
    r = crafted.loc["LATE90"]
    # a bill is due 30 days after its month ends: September's on 2025-10-30, 90 days before
    # 2026-01-28; October's (due 11-30) and November's (12-30) are overdue too; December's
    # (due 2026-01-30) is not due yet
    assert r["days_overdue"] == 90 and r["overdue_amount"] == 300.0
    assert r["bills_due_12m"] == 11 and r["late_bills_12m"] == 3  # Jan..Nov due; Sep..Nov
    assert r["overdue_90d_ago"] == 0.0  # on 2025-10-30 nothing was overdue yet
    points = {f: r[f"arrears_pts_{f}"] for f in ("days_overdue", "late_share",
                                                 "overdue_months", "arrears_growth")}
    assert points == pytest.approx({"days_overdue": 1.5, "late_share": 2 * 3 / 11,
                                    "overdue_months": 0.75, "arrears_growth": 1.0}, abs=1e-3)
    z = -4 + 1.5 + 2 * 3 / 11 + 0.75 + 1.0
    assert r["arrears_score"] == round(sigmoid_score(z), 1) == 44.9
    assert r["arrears_top"] == "days_overdue"
    assert r["arrears_why"] == ("90 days overdue (+1.5); overdue amount up 300 yuan in 90 days "
                                "(+1.0); 300 yuan overdue (3.0 months of bills) (+0.8)")


def test_arrears_order_and_ranking(crafted) -> None:
    assert (crafted.loc["LATE180", "arrears_score"] > crafted.loc["LATE90", "arrears_score"]
            > crafted.loc["ONTIME", "arrears_score"])
    assert crafted.loc["LATE180", "days_overdue"] == 182  # June's bill, due 2025-07-30
    ranked = R.rank(crafted.reset_index(), "arrears")
    assert ranked["customer_id"].tolist() == ["LATE180", "LATE90", "ONTIME"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert R.rank(crafted.reset_index(), "arrears", limit=1)["customer_id"].tolist() == [
        "LATE180"]


def test_overdue_equals_arrears_ageing_per_customer() -> None:
    """The vectorised FIFO gives ageing()'s outstanding amounts and days, bill by bill."""
    rng = np.random.default_rng(5)
    months = [str(p) for p in pd.period_range("2024-01", "2025-12", freq="M")]
    cons, pays = [], []
    for c in range(40):
        cid = f"C{c:02d}"
        amounts = np.round(rng.uniform(0, 300, len(months)), 2)
        amounts[rng.random(len(months)) < 0.1] = 0.0
        cons += [{"customer_id": cid, "month": m, "amount": a} for m, a in zip(months, amounts,
                                                                               strict=True)]
        for _ in range(rng.integers(0, 30)):
            pays.append({"customer_id": cid, "amount": round(float(rng.uniform(0, 400)), 2),
                         "paid_at": pd.Timestamp("2024-02-01")
                         + pd.Timedelta(days=int(rng.integers(0, 730)))})
    cons, pays = pd.DataFrame(cons), pd.DataFrame(pays)
    as_of = pd.Timestamp("2026-01-15")
    got = R.overdue(cons, pays, as_of)
    for cid, sub in got.groupby("customer_id"):
        paid = pays.loc[(pays["customer_id"] == cid) & (pays["paid_at"] <= as_of), "amount"]
        want = ageing(cons[cons["customer_id"] == cid][["month", "amount"]], paid.sum(), as_of)
        assert sub["outstanding"].tolist() == pytest.approx(want["outstanding"].tolist())
        assert sub["days_overdue"].tolist() == want["days_overdue"].tolist()
    # settled bills have a settlement time, outstanding ones none
    assert got.loc[got["outstanding"] > 0.005, "settled_at"].isna().all()


def test_declining_consumption_raises_churn_risk() -> None:
    months = [str(p) for p in pd.period_range("2024-01", "2025-12", freq="M")]
    steady = [300.0] * 24
    falling = [300.0] * 12 + [180.0] * 12  # -40 % in the last 12 months
    closing = [300.0] * 18 + [0.0] * 6  # six months of zero use (and -50 %)
    cons = pd.DataFrame(bills("STEADY", months, kwh=steady) + bills("FALL", months, kwh=falling)
                        + bills("ZERO", months, kwh=closing))
    pays = pd.DataFrame(paid_on_time("STEADY", months) + paid_on_time("FALL", months)
                        + paid_on_time("ZERO", months))
    complaints = pd.DataFrame({"customer_id": ["STEADY"] * 3,
                               "opened_at": pd.to_datetime(["2025-03-01", "2025-06-01",
                                                            "2025-09-01"])})
    r = W.risk_scores(cons, pays, complaints, as_of=pd.Timestamp("2026-01-10")
                      ).set_index("customer_id")
    fall = r.loc["FALL"]
    assert fall["kwh_ratio_12"] == pytest.approx(0.6) and fall["decline_12"] == pytest.approx(0.4)
    assert fall["churn_pts_decline_12"] == pytest.approx(2.4)
    assert fall["churn_pts_decline_3"] == pytest.approx(1.2)
    assert fall["churn_score"] == round(sigmoid_score(-4 + 2.4 + 1.2), 1) == 40.1
    assert fall["churn_top"] == "decline_12"
    assert fall["churn_why"].startswith("use down 40% vs a year earlier (+2.4)")
    zero = r.loc["ZERO"]  # -50 % over 12 months, -100 % over 3, six zero months: all full
    assert zero["zero_months"] == 6 and zero["churn_top"] == "decline_12"
    assert zero["churn_why"] == ("use down 50% vs a year earlier (+3.0); 6 months with zero use "
                                 "(+2.0); last 3 months down 100% vs a year earlier (+1.5)")
    assert zero["churn_score"] == round(sigmoid_score(-4 + 3 + 2 + 1.5), 1) == 92.4
    steady_r = r.loc["STEADY"]
    assert steady_r["complaints"] == 3 and steady_r["churn_top"] == "complaints"
    assert steady_r["churn_why"] == "complaints in 12 months: 3 (+1.5)"
    order = R.rank(r.reset_index(), "churn")["customer_id"].tolist()
    assert order == ["ZERO", "FALL", "STEADY"]


def test_new_customer_has_no_decline_and_ties_rank_by_money() -> None:
    months = [str(p) for p in pd.period_range("2025-07", "2025-12", freq="M")]
    cons = pd.DataFrame(bills("NEW", months) + bills("BIG", months, amount=500.0))
    pays = pd.DataFrame(paid_on_time("NEW", months) + paid_on_time("BIG", months, 500.0))
    r = R.risk_scores(cons, pays, as_of=pd.Timestamp("2026-01-10"))
    assert r["churn_score"].tolist() == [1.8, 1.8] and r["kwh_ratio_12"].isna().all()
    assert R.rank(r, "churn")["customer_id"].tolist() == ["BIG", "NEW"]  # same score: money


def test_bad_input() -> None:
    cons = pd.DataFrame(bills("A"))
    with pytest.raises(ValueError, match="consumption needs columns"):
        R.risk_scores(cons.drop(columns=["amount"]), pd.DataFrame(paid_on_time("A", [])))
    with pytest.raises(ValueError, match="payments need columns"):
        R.risk_scores(cons, pd.DataFrame({"customer_id": []}))
    with pytest.raises(ValueError, match="unknown risk 'x'"):
        R.rank(R.risk_scores(cons, pd.DataFrame(paid_on_time("A", MONTHS_2025))), "x")


def test_no_payments_nothing_due_and_nobody() -> None:
    cons = pd.DataFrame(bills("A", ["2025-01", "2025-02"], amount=10.0))
    nopay = pd.DataFrame({"customer_id": [], "paid_at": [], "amount": []})
    never = W.risk_scores(cons, nopay, as_of=pd.Timestamp("2025-06-01")).iloc[0]
    assert never["days_overdue"] == 91 and never["late_share"] == 1.0  # Jan due 03-02
    early = W.risk_scores(cons, nopay, as_of=pd.Timestamp("2025-01-15")).iloc[0]
    assert early["arrears_score"] == 1.8 and early["arrears_why"] == "no warning signs"
    nobody = R.rank(R.risk_scores(cons.iloc[:0], nopay, as_of=pd.Timestamp("2025-06-01")))
    assert nobody.empty and "arrears_score" in nobody.columns


def test_chinese_explanations() -> None:
    cons = pd.DataFrame(bills("LATE90"))
    pays = pd.DataFrame(paid_on_time("LATE90", MONTHS_2025[:8]))
    r = W.risk_scores(cons, pays, as_of=AS_OF, lang="zh-CN")
    assert r.loc[0, "arrears_why"].startswith("最早一笔欠费已逾期 90 天 (+1.5)；")


def test_docs_list_every_factor_with_its_weight() -> None:
    text = (ROOT / "docs" / "customers.md").read_text(encoding="utf-8")
    for model in R.MODELS.values():
        assert f"intercept {model.intercept:g}" in text, model.name
        for f in model.factors:
            row = re.search(rf"^\| `{f.name}` \|.*$", text, re.M)
            assert row, f"docs/customers.md has no row for {f.name}"
            assert f"| {f.weight:g} |" in row.group(0) and f"| {f.full:g} |" in row.group(0)


# ------------------------------------------------------------------ against the warehouse
@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


def test_fetch_agrees_with_the_card(con) -> None:
    as_of = pd.Timestamp("2025-06-30")
    top = crm_risk.ranked(con, None, by="arrears", as_of=as_of)
    # A004's, A005's and A006's January bills were never paid (120 days): the same score,
    # ranked by the amount overdue (150, 63, 52.50 yuan); A007 paid part of its January bill
    # (120 days, but only 0.4 months of bills overdue); A002's and A003's February bills are
    # 92 days overdue: A002 owes 1.0 months of its bills, A003 0.75
    assert top["customer_id"].tolist()[:6] == ["A005", "A006", "A004", "A007", "A002", "A003"]
    a003 = top.set_index("customer_id").loc["A003"]
    c = card(con, "A003", store=None, as_of=as_of)
    assert a003["overdue_amount"] == c.ageing_totals["91-180"] == 19500.0
    assert a003["days_overdue"] == 92
    assert a003["arrears_why"].startswith("92 days overdue")
    assert list(top.columns) == list(crm_risk.LIST_COLUMNS)
    masked = crm_risk.ranked(con, None, as_of=as_of, show_pii=False)
    assert masked.set_index("customer_id").loc["A001", "name"] == "王*"


def test_fetch_scope_and_complaints_from_the_store(con, tmp_path: Path) -> None:
    as_of = pd.Timestamp("2025-06-30")
    scoped = crm_risk.ranked(con, None, scope=["D1"], as_of=as_of)
    assert set(scoped["customer_id"]) == {"A001", "A002"}
    store = connect_store(tmp_path / "w.duckdb")
    for day in (2, 3):
        records.create(store, records.NewRecord("A002", "complaint", datetime(2025, 5, day),
                                                topic="电压不稳"),
                       "agent1", lambda cid: customer_exists(con, cid),
                       now=datetime(2025, 6, 1))
    s = crm_risk.scores(con, store, scope=["D1"], as_of=as_of).set_index("customer_id")
    assert s.loc["A002", "complaints"] == 2 and s.loc["A001", "complaints"] == 0
    assert s.loc["A002", "churn_pts_complaints"] == pytest.approx(1.0)
