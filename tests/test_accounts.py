"""Key accounts (issue #19): portfolios and handovers, groups, alerts, scope and masking, CLI.

The warehouse is written from code with known alerts (tests/accounts_data.py), built once;
every test gets a fresh operational store ($GCRM_STORE) so user-written state never leaks.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.accounts import alerts as rules
from gcrm.accounts import groups as grp
from gcrm.accounts import portfolios as pf
from gcrm.accounts import queries as Q
from gcrm.cli import cli
from gcrm.customers import merge as crm_merge
from gcrm.security.accounts import add_user
from gcrm.storage import warehouse
from gcrm.storage.store import connect_store
from tests.accounts_data import write_input

PW = "Key-Accounts-2025!"
AS_OF = date(2025, 3, 31)
ADMIN = Q.Viewer()
M1 = Q.Viewer("m1", ("D1",), show_pii=False)  # regional manager of D1: no PII
S1 = Q.Viewer("s1", ("D2",), show_pii=True)  # service agent of D2


@pytest.fixture(scope="module")
def kdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("keyacc")
    load(write_input(base / "input"), base / "k.duckdb", quiet=True, report_dir=base / "rep")
    return base / "k.duckdb"


@pytest.fixture
def con(kdb: Path):
    c = warehouse.connect(kdb, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def store_template(kdb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the test accounts (argon2 hashing is slow: done once, then copied)."""
    path = tmp_path_factory.mktemp("store") / "ops.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GCRM_STORE", str(path))
        s = connect_store(kdb)
        add_user(s, "m1", "regional_manager", PW, ("D1",))
        add_user(s, "s1", "service_agent", PW, ("D2",))
        add_user(s, "ana", "analyst", PW)
        s.close()
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kdb: Path,
          store_template: Path) -> sqlite3.Connection:
    shutil.copy(store_template, tmp_path / "ops.sqlite")
    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    return connect_store(kdb)


def _alerts(con, store, viewer=ADMIN, **kw) -> set[tuple]:
    df = Q.alerts(con, store, viewer, "2025-03", as_of=AS_OF, **kw)
    return {(r.customer_id, r.kind, r.value) for r in df.itertuples()}


EXPECTED = {("K1", "consumption_drop", -50.0), ("K1", "outage_hit", 60.0),
            ("K1", "anniversary", 5), ("K2", "outage_hit", 60.0),
            ("K3", "consumption_jump", 150.0), ("K3", "complaint_open", 11),
            ("K4", "arrears_age", 121), ("K3", "contract_end", 20)}


# ------------------------------------------------------------------------------ alert rules
def test_every_alert_rule_known_answers(con, store) -> None:
    assert _alerts(con, store) == EXPECTED  # K2's March dip is seasonal as last year: nothing
    df = Q.alerts(con, store, ADMIN, "2025-03", as_of=AS_OF)
    k4 = df[df["kind"] == "arrears_age"].iloc[0]
    # K4 is billed 300 yuan for each of 2024-10 .. 2025-03 and never pays. A bill is due 30
    # days after its month ends; on 2025-03-31 the bills are overdue by:
    #   2024-10 due 2024-11-30: 121 days  |  2024-11 due 2024-12-30: 91  |  2024-12 due
    #   2025-01-30: 60  |  2025-01 due 2025-03-02: 29  |  2025-02 due 2025-03-30: 1  |
    #   2025-03 due 2025-04-30: not yet due.
    # Arrears (gcrm.customers.risk.arrears_of) = the five bills past due = 5 x 300 = 1,500
    # yuan, the oldest 121 days overdue. (The old expectation, 1,800, also counted the March
    # bill, which is not due until 30 April: the wrong definition, not a looser test.)
    assert "1,500" in k4["reason"] and "121" in k4["reason"]
    assert "1,800" not in k4["reason"]
    assert list(df.columns) == list(Q.ALERT_COLUMNS)
    zh = Q.alerts(con, store, ADMIN, "2025-03", lang="zh-CN", as_of=AS_OF)
    assert "同期下降50.0%" in zh.loc[zh["kind"] == "consumption_drop", "reason"].iloc[0]


def _payments(totals: dict[str, float], on: str = "2025-02-01") -> pd.DataFrame:
    """One payment per customer of its total, on ``on`` (before every as-of date used)."""
    return pd.DataFrame({"customer_id": list(totals), "paid_at": pd.Timestamp(on),
                         "amount": [float(v) for v in totals.values()]},
                        columns=["customer_id", "paid_at", "amount"])


def test_arrears_rule_ignores_bills_not_yet_due() -> None:
    """Known answer: 100 yuan billed in each of 2025-01 .. 2025-04, 150 paid, as of
    2025-05-31. FIFO: January settled, February 50 left; due dates (month end + 30 days):
    February 2025-03-30 (62 days overdue), March 2025-04-30 (31), April 2025-05-30 (1).
    Arrears = 50 + 100 + 100 = 250; adding a May bill (due 2025-06-30) changes nothing."""
    bills = pd.DataFrame({"customer_id": ["A"] * 4,
                          "month": ["2025-01", "2025-02", "2025-03", "2025-04"],
                          "amount": [100.0] * 4})
    pays = _payments({"A": 150.0})
    th = rules.Thresholds()
    got = rules.arrears(bills, pays, date(2025, 5, 31), th)
    assert got[["customer_id", "value", "amount"]].values.tolist() == [["A", 62, 250.0]]
    may = pd.concat([bills, pd.DataFrame({"customer_id": ["A"], "month": ["2025-05"],
                                          "amount": [100.0]})], ignore_index=True)
    again = rules.arrears(may, pays, date(2025, 5, 31), th)
    assert again[["value", "amount"]].values.tolist() == [[62, 250.0]]
    late = _payments({"A": 150.0}, on="2025-06-01")  # paid after the as-of day: not counted
    assert rules.arrears(bills, late, date(2025, 5, 31), th)["amount"].tolist() == [400.0]


def test_thresholds_are_strict_bounds() -> None:
    cons = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C"],
                         "month": ["2024-05", "2025-05", "2024-05", "2025-05", "2025-05"],
                         "kwh": [100.0, 70.0, 100.0, 69.0, 10.0]})
    out = rules.consumption(cons, "2025-05", rules.Thresholds(drop_pct=30))
    assert out[["customer_id", "kind", "value"]].values.tolist() == [
        ["B", "consumption_drop", -31.0]]  # exactly -30 % is no alert; C has no last year
    bills = pd.DataFrame({"customer_id": ["A"], "month": ["2025-01"], "amount": [50.0]})
    due = pd.Timestamp("2025-03-02").date()  # the January bill is due 2025-03-02
    for days, hit in ((60, False), (61, True)):
        as_of = (pd.Timestamp(due) + pd.Timedelta(days=days)).date()
        got = rules.arrears(bills, _payments({}), as_of, rules.Thresholds())
        assert (len(got) == 1) is hit, days
    got = rules.arrears(bills, _payments({"A": 50.0}), date(2025, 12, 1), rules.Thresholds())
    assert got.empty  # paid: no arrears


def test_arrears_rule_agrees_with_the_card_ageing() -> None:
    from gcrm.customers.arrears import ageing

    rng = np.random.default_rng(5)
    months = [str(m) for m in pd.period_range("2024-01", "2025-06", freq="M")]
    bills = pd.DataFrame([(f"C{i}", m, float(rng.integers(0, 400)))
                          for i in range(40) for m in months],
                         columns=["customer_id", "month", "amount"])
    paid = pd.Series({f"C{i}": float(rng.integers(0, 7200)) for i in range(40)})
    as_of = date(2025, 9, 30)
    got = rules.arrears(bills, _payments(paid.to_dict()), as_of,
                        rules.Thresholds(arrears_days=0))
    want = {}
    for cid, b in bills.groupby("customer_id"):
        aged = ageing(b[["month", "amount"]], paid[cid], pd.Timestamp(as_of))
        owed = aged[(aged["outstanding"] > 0) & (aged["days_overdue"] >= 1)]  # past due only
        if len(owed):
            want[cid] = (int(owed["days_overdue"].max()),
                         round(float(owed["outstanding"].sum()), 2))
    assert {c: (int(v), a) for c, v, a in zip(got["customer_id"], got["value"], got["amount"],
                                              strict=True)} == want
    assert 5 < len(want) < 40  # some customers owe, some do not


def test_settings_change_thresholds(con, store, monkeypatch) -> None:
    monkeypatch.setenv("GCRM_ALERT_DROP_PCT", "60")
    monkeypatch.setenv("GCRM_ALERT_OUTAGE_MINUTES", "61")
    got = _alerts(con, store)
    assert ("K1", "consumption_drop", -50.0) not in got
    assert not {a for a in got if a[1] == "outage_hit"}
    monkeypatch.setenv("GCRM_ALERT_DROP_PCT", "lots")
    with pytest.raises(Q.AccountsError, match="alert_"):
        _alerts(con, store)


# ------------------------------------------------------------------------------ portfolios
def test_alerts_follow_portfolios_and_watchlists(con, store) -> None:
    assert "K5" not in Q.key_accounts(con, store, ADMIN)
    pf.assign(store, ["K5"], "m1", user="boss", reason="new key account")
    assert ("K5", "consumption_drop", -80.0) in _alerts(con, store)
    mine = _alerts(con, store, M1, mine_only=True)
    assert {a[0] for a in mine} == {"K5"}
    pf.watch(store, "s1", "K6")
    assert "K6" in Q.key_accounts(con, store, S1, mine_only=True)


def test_handover_history_survives_reassignment_and_merge(con, store) -> None:
    t = [datetime(2025, 1, d) for d in (1, 2, 3, 4)]
    pf.assign(store, ["K5"], "m1", user="boss", reason="first manager", now=t[0])
    pf.assign(store, ["K5"], "m1", user="boss", reason="again", now=t[1])  # no change
    pf.assign(store, ["K5"], "s1", user="boss", reason="m1 left the company", now=t[2])
    pf.assign(store, ["K2"], "m1", user="boss", reason="group account", now=t[0])
    h = pf.handovers(store, "K5")
    assert h[["from_manager", "to_manager", "reason"]].values.tolist() == [
        [None, "m1", "first manager"], ["m1", "s1", "m1 left the company"]]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute("UPDATE acct_handovers SET reason = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute("DELETE FROM acct_handovers")
    crm_merge.merge(con, store, "K5", "K2", user="boss", reason="same premises", now=t[3])
    card = Q.card_accounts(con, store, ADMIN, "K5")
    assert card["manager"] == "s1"
    rows = card["handovers"][["customer_id", "to_manager", "merged_from"]].values.tolist()
    assert rows == [["K5", "m1", None], ["K2", "m1", "K2"], ["K5", "s1", None]]
    with pytest.raises(pf.PortfolioError, match="reason"):
        pf.assign(store, ["K1"], "m1", user="boss", reason=" ")
    with pytest.raises(pf.PortfolioError, match="unknown"):
        pf.assign(store, ["K1"], "nobody", user="boss", reason="x")


def test_portfolio_view_and_changes_since_last_visit(con, store) -> None:
    from gcrm.customers import records

    pf.assign(store, ["K1", "K3"], "m1", user="boss", reason="start")
    records.create(store, records.NewRecord("K3", "visit", datetime(2025, 3, 25)), "m1",
                   lambda c: True)
    view = Q.portfolio_view(con, store, M1, month="2025-03").set_index("customer_id")
    assert list(view.index) == ["K1", "K3"]  # K3 (D2) is visible to m1: it is in m1's portfolio
    assert view.loc["K1", "kwh"] == 500 and view.loc["K3", "open_complaints"] == 1
    assert view.loc["K3", "last_visit"] == pd.Timestamp("2025-03-25")
    assert view.loc["K3", "complaints_since_visit"] == 0  # the complaint is older than the visit
    assert view.loc["K1", "outages_since_visit"] == 2  # never visited: every outage counts


def test_portfolio_arrears_are_bills_past_their_due_date(con, store) -> None:
    from gcrm.customers.card import card

    pf.assign(store, ["K4", "K6"], "s1", user="boss", reason="start")
    view = Q.portfolio_view(con, store, S1, month="2025-03").set_index("customer_id")
    # K4: 300 a month from October, never paid; March's bill is due 2025-04-30: not arrears
    assert view.loc["K4", "arrears"] == 1500.0 and view.loc["K6", "arrears"] == 0.0
    aged = card(con, "K4", store=None, as_of=pd.Timestamp(AS_OF)).ageing_totals
    assert sum(aged.values()) == 1500.0  # the card's ageing: the same definition
    early = Q.portfolio_view(con, store, S1, month="2025-03", as_of=date(2025, 3, 29))
    assert early.set_index("customer_id").loc["K4", "arrears"] == 1200.0  # February not due


def test_what_changed_since_the_last_visit(con, store) -> None:
    pf.assign(store, ["K1", "K3"], "m1", user="boss", reason="start", now=datetime(2025, 3, 1))
    pf.assign(store, ["K4"], "m1", user="boss", reason="more", now=datetime(2025, 3, 16))
    pf.assign(store, ["K1"], "s1", user="boss", reason="away", now=datetime(2025, 3, 17))
    pf.mark_seen(store, "m1", datetime(2025, 3, 1, 12))
    assert pf.last_seen(store, "m1") == "2025-03-01T12:00:00"
    got = Q.changes_since(con, store, M1, "m1", "2025-03-15T00:00:00")
    # K3 and K4 (D2) are visible to m1 through the portfolio; their feeder F2 had O2 on 03-12
    assert got["handed_in"] == ["K4"] and got["handed_out"] == ["K1"]
    assert got["complaints"] == 2 and got["outages"] == 0  # S1 (03-20) and S2 (03-28)
    assert Q.changes_since(con, store, M1, "m1", "2025-03-11T00:00:00")["outages"] == 1


# ------------------------------------------------------------------------------ groups
def test_group_sums_equal_members_and_the_cube(con, store) -> None:
    g = Q.group_view(con, store, ADMIN, "K1")
    members, total = g[g["customer_id"] != "TOTAL"], g[g["customer_id"] == "TOTAL"].iloc[0]
    assert sorted(members["customer_id"]) == ["K1", "K2", "K5"]
    for m in Q.GROUP_MEASURES:
        assert total[m] == pytest.approx(members[m].sum())
    assert total["kwh"] == 1000 + 1000 + 500 + 1000 + 400 + 1000 + 420 + 200 + 40
    by_group = cube.query(con, ["kwh"], by=["group"]).set_index("group")["kwh"]
    assert by_group["K1"] == pytest.approx(total["kwh"])
    assert Q.groups_list(con, store, ADMIN)["group_id"].tolist() == ["K1"]  # pays_for: no group
    with pytest.raises(Q.AccountsError, match="unknown customer group"):
        Q.group_view(con, store, ADMIN, "K3")


def test_group_arrears_are_the_arrears_of_the_portfolio_and_the_card(con, store) -> None:
    """The group view's arrears are bills past their due date at the end of its last month
    (as the portfolio and the card count them), never billed minus paid over its months: that
    is its balance beside them, negative for K1 (10 yuan paid, no amount billed)."""
    g = Q.group_view(con, store, ADMIN, "K1").set_index("customer_id")
    members = ["K1", "K2", "K5"]
    want = Q.arrears(con, members, date(2025, 3, 31))  # the end of the warehouse's last month
    for c in members:
        assert g.loc[c, "arrears"] == pytest.approx(round(float(want.get(c, 0.0)), 2)), c
        assert g.loc[c, "balance"] == pytest.approx(g.loc[c, "amount"] - g.loc[c, "paid"]), c
    assert g.loc["K1", "paid"] == 10 and g.loc["K1", "balance"] == -10
    assert g.loc["K1", "arrears"] == 0 and (g["arrears"] >= 0).all()
    assert g.loc["TOTAL", "balance"] == pytest.approx(g.loc[members, "balance"].sum())


def test_relation_edits_from_the_card(con, store) -> None:
    Q.edit_relation(con, store, S1, "K3", "K6", "same_owner", "add", "s1")
    assert Q.group_members(con, store, "K3") == ["K3", "K6"]
    Q.edit_relation(con, store, ADMIN, "K1", "K5", "parent_of", "remove", "boss")
    assert Q.group_members(con, store, "K1") == ["K1", "K2"]
    rel = Q.customer_relations(con, store, ADMIN, "K3")
    assert sorted(map(tuple, rel[["other", "kind", "source"]].values.tolist())) == [
        ("K4", "pays_for", "loaded"), ("K6", "same_owner", "card")]
    edits = [r[0] for r in store.execute(
        "SELECT json_extract(detail, '$.edit') FROM audit_log "
        "WHERE action = 'accounts.relation_edit'")]
    assert edits == ["add", "remove"]
    with pytest.raises(Q.AccountsError, match="unknown customer"):
        Q.edit_relation(con, store, M1, "K1", "K3", "pays_for", "add", "m1")  # K3: not m1's
    with pytest.raises(Q.AccountsError, match="itself"):
        Q.edit_relation(con, store, ADMIN, "K1", "K1", "pays_for", "add", "boss")


def test_groups_kernel_heads() -> None:
    rel = pd.DataFrame({"customer_id": ["B", "A", "X"], "related_id": ["C", "B", "Y"],
                        "kind": ["parent_of", "parent_of", "pays_for"]})
    assert grp.group_of(rel) == {"A": "A", "B": "A", "C": "A"}


def test_relations_file_rejects(con) -> None:
    rejects = con.execute("SELECT row_number, reason FROM etl_rejects WHERE file = "
                          "'relations.csv' ORDER BY 1").fetchall()
    assert rejects == [(4, "self_relation"), (5, "unknown_customer"), (6, "unknown_kind")]
    assert con.execute("SELECT count(*) FROM dim_relation").fetchone()[0] == 3


# ------------------------------------------------------------------------------ scope, masking
def test_scope_and_masking_on_every_list(con, store) -> None:
    pf.assign(store, ["K5", "K3"], "m1", user="boss", reason="start")
    got = Q.alerts(con, store, M1, "2025-03", as_of=AS_OF)
    assert set(got["customer_id"]) == {"K1", "K2", "K3", "K5"}  # D1 + own K3, not K4
    assert got.loc[got["customer_id"] == "K5", "name"].iloc[0] == "王**"  # masked
    assert got.loc[got["customer_id"] == "K1", "name"].iloc[0] == "通化甲钢铁有限公司"
    s1 = Q.alerts(con, store, S1, "2025-03", as_of=AS_OF)
    assert set(s1["customer_id"]) == {"K3", "K4"}
    g = Q.group_view(con, store, M1, "K1")
    assert g.loc[g["customer_id"] == "K5", "name"].iloc[0] == "王**"
    assert Q.group_members(con, store, "K1") == ["K1", "K2", "K5"]
    with pytest.raises(Q.AccountsError):
        Q.group_view(con, store, S1, "K1")  # no member in D2
    assert Q.groups_list(con, store, S1).empty
    assert Q.groups_list(con, store, M1)[["group_id", "members", "visible"]].values.tolist() \
        == [["K1", 3, 3]]
    rel = Q.customer_relations(con, store, S1, "K4")  # K3 pays for K4: both in D2
    assert rel["other"].tolist() == ["K3"]
    assert Q.customer_relations(con, store, M1, "K1")["other"].tolist() == ["K2", "K5"]
    assert Q.portfolio_view(con, store, S1, manager="m1")["customer_id"].tolist() == ["K3"]
    mine = Q.portfolio_view(con, store, M1, month="2025-03").set_index("customer_id")
    assert mine.loc["K5", "name"] == "王**" and mine.loc["K3", "name"] == "东区丙商场"
    with pytest.raises(Q.AccountsError, match="unknown customer"):
        Q.reassign(con, store, S1, ["K1"], "s1", user="s1", reason="grab")


def test_acknowledge_and_snooze(con, store) -> None:
    key = "K4|arrears_age|2025-03-31"
    pf.handle_alert(store, "s1", key, "acknowledged")
    pf.handle_alert(store, "s1", "K3|complaint_open|2025-03-20", "snoozed", "2025-04-10")
    df = Q.alerts(con, store, S1, "2025-03", as_of=AS_OF).set_index("key")
    assert df.loc[key, "state"] == "acknowledged"
    assert df.loc["K3|complaint_open|2025-03-20", "state"] == "snoozed"
    later = Q.alerts(con, store, S1, "2025-03", as_of=date(2025, 4, 10))
    assert "snoozed" not in set(later["state"].dropna())  # the snooze is over
    assert len(Q.alerts(con, store, S1, "2025-03", as_of=AS_OF, include_handled=False)) == 2
    assert len(Q.alerts(con, store, M1, "2025-03", as_of=AS_OF)["state"].dropna()) == 0
    with pytest.raises(pf.PortfolioError, match="date"):
        pf.handle_alert(store, "s1", key, "snoozed", "soon")


# ------------------------------------------------------------------------------ CLI
def _run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_alerts_assign_handovers(kdb, store) -> None:
    r = _run("alerts", "--db", kdb, "--month", "2025-03")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.output))
    assert list(df.columns[:8]) == ["customer_id", "name", "kind", "month", "date", "value",
                                    "threshold", "reason"]
    r = _run("accounts", "assign", "--db", kdb, "K5", "K1", "--manager", "m1", "--reason", "new")
    assert r.exit_code == 0 and "2 handover(s)" in r.output, r.output
    r = _run("accounts", "handovers", "--db", kdb, "K5", "--format", "json")
    assert r.exit_code == 0 and '"to_manager":"m1"' in r.output.replace(" ", ""), r.output
    r = _run("accounts", "portfolio", "--db", kdb, "--user", "m1", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert pd.read_csv(io.StringIO(r.output))["name"].tolist() == ["通化甲钢铁有限公司", "王**"]
    r = _run("alerts", "--db", kdb, "--user", "m1", "--month", "2025-03", "--mine")
    assert r.exit_code == 0 and set(pd.read_csv(io.StringIO(r.output))["customer_id"]) <= {
        "K1", "K5"}, r.output
    actions = {r[0] for r in store.execute("SELECT action FROM audit_log")}
    assert {"accounts.alerts", "accounts.assign", "accounts.portfolio"} <= actions


def test_cli_assign_by_area(kdb, store, tmp_path) -> None:
    import json

    ring = [[125.4, 41.9], [125.6, 41.9], [125.6, 42.1], [125.4, 42.1], [125.4, 41.9]]
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    r = _run("accounts", "assign", "--db", kdb, "--area", area, "--big", "--manager", "m1",
             "--reason", "industrial park")
    assert r.exit_code == 0 and "2 handover(s)" in r.output, r.output
    assert pf.portfolio_ids(store, "m1") == ["K1", "K2"]  # K5 is inside but not big
    area.write_text('{"type": "Point", "coordinates": [125.5, 42.0]}', encoding="utf-8")
    r = _run("accounts", "assign", "--db", kdb, "--area", area, "--manager", "m1",
             "--reason", "x")
    assert r.exit_code == 2 and "not a GeoJSON polygon" in r.output, r.output


@pytest.mark.parametrize("args,message", [
    (("accounts", "assign", "K1", "--manager", "m1", "--reason", "x", "--user", "ana"),
     "may not"),
    (("accounts", "assign", "K404", "--manager", "m1", "--reason", "x"), "unknown customer"),
    (("accounts", "assign", "K1", "--reason", "x"), "--manager"),
    (("accounts", "assign", "K1", "--manager", "ghost", "--reason", "x"), "unknown or disabled"),
    (("alerts", "--month", "2025-3"), "malformed --month"),
    (("accounts", "group", "K4"), "unknown customer group"),
    (("accounts", "ack", "K1|x"), "malformed alert key"),
])
def test_cli_bad_input_exit_2(kdb, store, args, message) -> None:
    r = _run(*args[:2], "--db", kdb, *args[2:]) if args[0] == "accounts" else _run(
        args[0], "--db", kdb, *args[1:])
    assert r.exit_code == 2 and message in r.output, r.output


# ------------------------------------------------------------------------------ visits
def test_route_is_valid_and_no_longer_than_the_given_order() -> None:
    from gcrm.spatial import routing

    rng = np.random.default_rng(3)
    lon, lat = 125.9 + rng.random(9) * 0.2, 41.7 + rng.random(9) * 0.2
    m = routing.straight_matrix(lon, lat, 30)
    p = routing.plan(m, service_s=600)
    assert sorted(p.order) == list(range(1, 9)) and not p.dropped
    assert p.travel_s <= routing.tour_seconds(m, list(range(1, 9))) + 1e-6
    # on a line the best round trip visits in order of distance: 2, 3, 1, 4
    line = routing.straight_matrix([0, 0.03, 0.01, 0.02, 0.04], [0] * 5, 30)
    assert routing.plan(line).order == (2, 3, 1, 4)
    # a window is honoured (customer 2 not before 1,000 s); an impossible one drops its customer
    late2 = routing.plan(line, windows=[None, None, (1000, 2000), None, None])
    arrive = dict(zip(late2.order, late2.arrive_s, strict=True))
    assert sorted(late2.order) == [1, 2, 3, 4] and 1000 <= arrive[2] <= 2000
    late = routing.plan(line, windows=[None, None, None, None, (0, 10)])
    assert late.dropped == (4,) and 4 not in late.order


def test_route_over_a_road_graph() -> None:
    import networkx as nx

    from gcrm.spatial import routing

    g = nx.DiGraph()
    for n, x in enumerate((0.0, 0.01, 0.02, 0.03)):
        g.add_node(n, x=x, y=0.0)
    for a, b in ((0, 1), (1, 2), (2, 3)):  # a one-way street back to the start: 3 -> 0
        g.add_edge(a, b, travel_s=60.0)
    g.add_edge(3, 0, travel_s=500.0)
    m = routing.network_matrix(g, [0.0, 0.03, 0.01], [0.0, 0.0, 0.0])
    assert m[0, 1] == 180 and m[1, 0] == 500 and m[1, 2] == 560
    assert routing.plan(m).order == (2, 1)  # along the one-way street, then back


def test_plan_visits_record_and_opinions(con, store) -> None:
    stops, summary = Q.plan_visits(con, store, ADMIN, ["K1", "K2", "K3"], (125.5, 42.0),
                                   "08:00", {"K3": "13:00-14:00"})
    assert list(stops["seq"]) == [1, 2, 3] and set(stops["customer_id"]) == {"K1", "K2", "K3"}
    k3 = stops[stops["customer_id"] == "K3"].iloc[0]
    assert "13:00" <= k3["arrive"] <= "14:00" and summary["method"] == "straight_line"
    with pytest.raises(Q.AccountsError, match="unknown customer"):
        Q.plan_visits(con, store, M1, ["K4"], (125.5, 42.0))  # not in m1's regions
    rid = Q.record_visit(con, store, ADMIN, "K1", datetime(2025, 3, 30, 10), "m1", "走访",
                         score=5, comment="很满意")
    Q.record_visit(con, store, ADMIN, "K3", datetime(2025, 3, 30, 15), "s1", "走访", score=2)
    assert store.execute("SELECT record_id FROM acct_opinions WHERE customer_id = 'K1'"
                         ).fetchone()[0] == rid
    pf.assign(store, ["K1"], "m1", user="boss", reason="x")
    by = Q.opinions(con, store, ADMIN, "manager").set_index("manager")
    assert by.loc["m1", "mean_score"] == 5 and by.loc["", "dissatisfied"] == 1.0
    assert Q.opinions(con, store, M1, "district")["district"].tolist() == ["D1"]
    with pytest.raises(Q.AccountsError, match="1 to 5"):
        Q.record_visit(con, store, ADMIN, "K1", datetime(2025, 3, 30), "m1", score=7)


def test_visit_defaults_stay_in_the_users_regions_and_area(con) -> None:
    from shapely.geometry import box

    ids = ["K3", "K1", "K4", "K2"]  # m1's portfolio may hold K3 and K4 (D2): not preselected
    assert Q.visit_defaults(con, M1, ids) == (["K1", "K2"], (125.51, 42.01))
    around_k2 = box(125.515, 42.015, 125.525, 42.025)
    assert Q.visit_defaults(con, M1, ids, around_k2) == (["K2"], (125.52, 42.02))
    assert Q.visit_defaults(con, S1, ["K1"]) == ([], None)
    assert Q.visit_defaults(con, ADMIN, ids, most=3)[0] == ["K3", "K1", "K4"]


def _visits_tab(db: str) -> None:
    """The Visits tab as m1 (regional manager of D1) sees it (run by AppTest)."""
    from dashboards.accounts import visits
    from dashboards.accounts.views import View
    from dashboards.components.session import Access

    who = Access("m1", ("D1",), frozenset({"read_customers"}), "regional_manager")
    visits.visits(View("en", db, "test", who), "2025-03")


def test_visit_plan_preselects_within_the_users_regions(kdb: Path, store) -> None:
    from streamlit.testing.v1 import AppTest

    pf.assign(store, ["K3", "K1"], "m1", user="boss", reason="start")  # K3 is in D2
    app = AppTest.from_function(_visits_tab, args=(str(kdb),), default_timeout=60)
    app.run()
    assert not app.exception
    assert any(o.startswith("K3") for o in app.multiselect[0].options)  # offered, not picked
    assert app.multiselect[0].value == ["K1", "K2"]  # D1 only (K2: an open alert)
    assert [n.value for n in app.number_input][:2] == [125.51, 42.01]
