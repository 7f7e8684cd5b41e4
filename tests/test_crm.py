"""Customer search, the card against the cube and `gcrm query`, service records with history,
and the anniversary list's calendar edges."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.customers import anniversaries, records
from gcrm.customers.card import CardError, card
from gcrm.customers.queries import customer_exists
from gcrm.customers.search import SearchError, search
from gcrm.storage.store import connect_store


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


def ids(df: pd.DataFrame) -> list[str]:
    return df["customer_id"].tolist()


def test_search_exact_partial_chinese_and_typos(con) -> None:
    assert ids(search(con, "A003")) == ["A003"]
    assert ids(search(con, "13812345678")) == ["A001"]
    assert ids(search(con, "药业")) == ["A003"]  # Chinese partial name
    assert ids(search(con, "幸福街")) == ["A001", "A002"]  # address
    assert ids(search(con, "13812345687"))[:1] == ["A001"]  # two digits swapped
    assert ids(search(con, "通化示列药业")) == ["A003"]  # a wrong character


def test_search_scope_and_bad_input(con) -> None:
    assert ids(search(con, "幸福街", scope=["D2"])) == []
    assert ids(search(con, "' OR 1=1 --")) == []
    with pytest.raises(SearchError, match="enter a customer id"):
        search(con, "   ")
    with pytest.raises(SearchError, match="too long"):
        search(con, "x" * 101)


def test_masked_search_keeps_scope_and_refuses_the_same_input(con) -> None:
    """A role without read_pii (issue #17): whole values only, still within its regions."""
    assert ids(search(con, "13812345678", show_pii=False)) == ["A001"]
    assert ids(search(con, "13812345678", scope=["D2"], show_pii=False)) == []
    assert ids(search(con, "0435-3212345", scope=["D2"], show_pii=False)) == ["A003"]
    assert ids(search(con, "赵", scope=["D2"], show_pii=False)) == ["A007"]  # commercial
    assert ids(search(con, "王", show_pii=False)) == []  # residential: 王*
    assert ids(search(con, "' OR 1=1 --", show_pii=False)) == []
    assert ids(search(con, " - ", show_pii=False)) == []  # no whole number is empty
    with pytest.raises(SearchError, match="enter a customer id"):
        search(con, "   ", show_pii=False)


def test_card_numbers_equal_gcrm_query(con, mini_db_shared: Path) -> None:
    c = card(con, "A001", store=None, as_of=pd.Timestamp("2025-06-30"))
    assert c.archive["district_name"] == "西区" and c.archive["feeder_name"] == "西区1号线"
    out = CliRunner().invoke(cli, ["query", "--db", str(mini_db_shared), "--measure", "kwh",
                                   "--measure", "amount", "--by", "month", "--where",
                                   "customer=A001"])
    cli_df = pd.read_csv(io.StringIO(out.output))
    assert c.consumption["kwh"].tolist() == cli_df["kwh"].tolist() == [200.0, 180.0]
    assert c.billing["paid"].sum() == pytest.approx(105 + 94.5)
    assert c.billing["arrears"].iloc[-1] == pytest.approx(0)
    assert set(c.channels["channel"]) == {"counter", "app"}
    assert c.outages["outage_id"].tolist() == ["O3", "O1"]


def test_card_masking_scope_and_unknown(con) -> None:
    masked = card(con, "A001", store=None, show_pii=False)
    assert masked.archive["phone"] == "138****5678" and masked.archive["name"] == "王*"
    with pytest.raises(CardError, match="unknown customer"):
        card(con, "A001", store=None, scope=["D2"])
    with pytest.raises(CardError, match="unknown customer 'ZZZ'"):
        card(con, "ZZZ", store=None)


def test_arrears_ageing(con) -> None:
    c = card(con, "A003", store=None, as_of=pd.Timestamp("2025-06-30"))
    # billed 32,500 (Jan) + 19,500 (Feb); paid 32,500: February's bill is outstanding,
    # due 2025-03-30, so 92 days overdue on 2025-06-30
    assert c.ageing["outstanding"].tolist() == [0.0, 19500.0]
    assert c.ageing_totals["91-180"] == 19500.0


def test_service_records_history_and_workflow(con, tmp_path: Path) -> None:
    store = connect_store(tmp_path / "w.duckdb")
    exists = lambda cid: customer_exists(con, cid)  # noqa: E731
    now = datetime(2025, 5, 1, 12, 0)
    rid = records.create(store, records.NewRecord("A003", "complaint", datetime(2025, 4, 30, 9),
                                                  topic="电压不稳", note="夜间电压偏低"),
                         "agent1", exists, now=now)
    records.update(store, rid, "agent2", now=datetime(2025, 5, 1, 13), status="in_progress",
                   note="已派员检测")
    records.update(store, rid, "agent2", now=datetime(2025, 5, 2, 9), status="resolved")
    with pytest.raises(records.RecordError, match="cannot go from resolved to open"):
        records.update(store, rid, "agent2", status="open")
    h = records.history(store, rid)
    assert h[["user", "field", "old_value", "new_value"]].fillna("").values.tolist() == [
        ["agent1", "created", "", "complaint"],
        ["agent2", "status", "open", "in_progress"],
        ["agent2", "note", "夜间电压偏低", "已派员检测"],
        ["agent2", "status", "in_progress", "resolved"],
        ["agent2", "resolved_at", "", "2025-05-02T09:00:00"],
    ]
    rec = records.records(store, "A003").iloc[0]
    assert rec["hours_to_resolve"] == pytest.approx(48.0)  # 30 Apr 09:00 -> 2 May 09:00
    c = card(con, "A003", store=store)
    assert "gcrm" in set(c.timeline["source"])


@pytest.mark.parametrize("rec,message", [
    (records.NewRecord("A003", "visit", datetime(2099, 1, 1)), "future"),
    (records.NewRecord("", "complaint", datetime(2025, 1, 1), topic="x"), "needs a customer"),
    (records.NewRecord("NOPE", "visit", datetime(2025, 1, 1)), "unknown customer"),
    (records.NewRecord("A003", "complaint", datetime(2025, 1, 1)), "needs a topic"),
    (records.NewRecord("A003", "visit", datetime(2025, 1, 1), note="x" * 2001), "too long"),
])
def test_invalid_records_write_nothing(con, tmp_path: Path, rec, message) -> None:
    store = connect_store(tmp_path / "w.duckdb")
    with pytest.raises(records.RecordError, match=message):
        records.create(store, rec, "agent1", lambda cid: customer_exists(con, cid),
                       now=datetime(2025, 6, 1))
    assert store.execute("SELECT count(*) FROM crm_records").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM crm_history").fetchone()[0] == 0


@pytest.mark.parametrize("opened,today,expected", [
    (date(2000, 2, 29), date(2025, 2, 1), date(2025, 2, 28)),  # common year: 28 Feb
    (date(2000, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
    (date(2010, 1, 5), date(2025, 12, 20), date(2026, 1, 5)),  # across the year end
    (date(2010, 12, 20), date(2025, 12, 20), date(2025, 12, 20)),  # today counts
    (date(2025, 3, 1), date(2025, 3, 1), date(2026, 3, 1)),  # not the opening day itself
])
def test_next_anniversary(opened, today, expected) -> None:
    assert anniversaries.next_anniversary(opened, today) == expected


def test_upcoming_anniversaries(con) -> None:
    df = anniversaries.upcoming(con, days=10, today=date(2025, 12, 25))
    assert ids(df) == ["A003"] and df["years"].iloc[0] == 21  # opened 2005-01-01
    assert anniversaries.upcoming(con, days=5, today=date(2025, 12, 25)).empty
