"""Duplicates and merges: history rows, audit entries, re-pointed records, undo, and requests
that must write nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.customers import duplicates, merge, records
from gcrm.customers.card import card
from gcrm.customers.queries import customer_exists
from gcrm.security import audit
from gcrm.security.roles import ROLES, allowed
from gcrm.storage.quality import quality_report
from gcrm.storage.store import SCHEMA, connect_store

NOW = datetime(2025, 6, 1, 12, 0)


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


@pytest.fixture
def store(tmp_path: Path, con) -> sqlite3.Connection:
    """A store with two records on A002 (D1) and one on A001."""
    s = connect_store(tmp_path / "w.duckdb")
    exists = lambda cid: customer_exists(con, cid)  # noqa: E731
    for cid, kind, topic in (("A002", "visit", "抄表"), ("A002", "complaint", "电压不稳"),
                             ("A001", "note", "老客户")):
        records.create(s, records.NewRecord(cid, kind, datetime(2025, 5, 1), topic=topic),
                       "agent1", exists, now=NOW)
    return s


def counts(store: sqlite3.Connection) -> dict[str, int]:
    return {t: store.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("crm_merges", "crm_merge_records", "crm_history", "audit_log")}


def owners(store: sqlite3.Connection) -> dict[int, str]:
    return {r[0]: r[1] for r in store.execute("SELECT record_id, customer_id FROM crm_records")}


def test_merge_repoints_records_with_history_and_audit(con, store) -> None:
    r = merge.merge(con, store, "A001", "A002", user="agent2", reason="same household",
                    scope=["D1"], now=datetime(2025, 6, 2, 9, 0))
    assert (r.survivor_id, r.merged_id, r.records) == ("A001", "A002", (1, 2))
    assert owners(store) == {1: "A001", 2: "A001", 3: "A001"}
    h = records.history(store, 1)
    assert h[["user", "field", "old_value", "new_value"]].fillna("").values.tolist() == [
        ["agent1", "created", "", "visit"], ["agent2", "customer_id", "A002", "A001"]]
    row = dict(store.execute("SELECT * FROM crm_merges").fetchone())
    assert row == {"merge_id": 1, "survivor_id": "A001", "merged_id": "A002",
                   "reason": "same household", "merged_by": "agent2",
                   "merged_at": "2025-06-02T09:00:00", "undone_by": None, "undone_at": None,
                   "undo_reason": None}
    entry = audit.search(store, action="crm.merge")[0]
    assert entry["user"] == "agent2" and entry["target"] == "A001"
    assert json.loads(entry["detail"]) == {"merge_id": 1, "merged_id": "A002",
                                           "reason": "same household", "records": [1, 2]}
    assert audit.verify(store).ok
    # the survivor's card shows the merged customer's records; the merged card says so
    c = card(con, "A001", store=store)
    assert c.merged_ids == ["A002"] and c.merged_into is None
    tl = c.timeline.set_index("record_id")
    assert tl.loc[1, "merged_from"] == "A002" and tl.loc[2, "topic"] == "电压不稳"
    assert pd.isna(tl.loc[3, "merged_from"])  # A001's own note
    gone = card(con, "A002", store=store)
    assert gone.merged_into == "A001" and "gcrm" not in set(gone.timeline["source"])
    assert merge.merged_into(store, "A002") == "A001"


def test_unmerge_moves_back_exactly_what_the_merge_moved(con, store) -> None:
    r = merge.merge(con, store, "A001", "A002", user="agent2", reason="same household")
    later = records.create(store, records.NewRecord("A001", "visit", datetime(2025, 6, 2)),
                           "agent2", lambda cid: customer_exists(con, cid),
                           now=datetime(2025, 6, 3))
    u = merge.unmerge(con, store, r.merge_id, user="admin", reason="two households",
                      now=datetime(2025, 6, 4, 8, 0))
    assert u.records == (1, 2)
    assert owners(store) == {1: "A002", 2: "A002", 3: "A001", later: "A001"}
    assert records.history(store, 2)["new_value"].tolist() == ["complaint", "A001", "A002"]
    row = store.execute("SELECT undone_by, undone_at, undo_reason FROM crm_merges").fetchone()
    assert tuple(row) == ("admin", "2025-06-04T08:00:00", "two households")
    assert [e["action"] for e in audit.search(store, text="A002")][:2] == [
        "crm.unmerge", "crm.merge"]
    assert merge.merged_into(store, "A002") is None
    assert card(con, "A001", store=store).merged_ids == []
    # undone once only; the merge can be made again (a new merge row)
    with pytest.raises(merge.MergeError, match="already undone by admin"):
        merge.unmerge(con, store, r.merge_id, user="admin", reason="again")
    again = merge.merge(con, store, "A001", "A002", user="agent2", reason="after all")
    assert again.merge_id == 2 and merge.merges(store)["merge_id"].tolist() == [2, 1]


@pytest.mark.parametrize(("survivor", "merged", "reason", "scope", "message"), [
    ("A001", "A001", "x", None, "cannot merge customer 'A001' into itself"),
    ("A001", "", "x", None, "give the surviving customer id"),
    ("A001", "NOPE", "x", None, "unknown customer 'NOPE'"),
    ("A001", "A003", "x", ["D1"], "unknown customer 'A003'"),  # A003 is in D2
    ("A001", "A002", "  ", None, "a merge needs a reason"),
    ("A001", "A002", "x" * 501, None, "reason too long"),
])
def test_invalid_merges_write_nothing(con, store, survivor, merged, reason, scope,
                                      message) -> None:
    before, who = counts(store), owners(store)
    with pytest.raises(merge.MergeError, match=message):
        merge.merge(con, store, survivor, merged, user="agent2", reason=reason, scope=scope)
    assert counts(store) == before and owners(store) == who


def test_already_merged_and_chains_are_refused(con, store) -> None:
    merge.merge(con, store, "A001", "A002", user="agent2", reason="same household")
    before, who = counts(store), owners(store)
    for survivor, merged_id, message in (
            ("A007", "A002", "'A002' is already merged into 'A001' \\(merge #1\\)"),
            ("A002", "A007", "'A002' is itself merged into 'A001'.*merge into 'A001' instead"),
            ("A007", "A001", "'A001' is the survivor of merges \\(A002\\)")):
        with pytest.raises(merge.MergeError, match=message):
            merge.merge(con, store, survivor, merged_id, user="agent2", reason="x")
        assert counts(store) == before and owners(store) == who


def test_unmerge_errors_write_nothing(con, store) -> None:
    r = merge.merge(con, store, "A001", "A002", user="agent2", reason="same household")
    before = counts(store)
    for merge_id, kwargs, message in ((99, {}, "unknown merge 99"),
                                      ("x", {}, "unknown merge 'x'"),
                                      (r.merge_id, {"scope": ["D2"]}, "unknown merge 1"),
                                      (r.merge_id, {"reason": ""}, "undoing a merge needs")):
        with pytest.raises(merge.MergeError, match=message):
            merge.unmerge(con, store, merge_id, user="admin",
                          **{"reason": "why", **kwargs})
        assert counts(store) == before


def test_merge_rows_are_never_deleted_and_undone_once(con, store) -> None:
    r = merge.merge(con, store, "A001", "A002", user="agent2", reason="same household")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        store.execute("DELETE FROM crm_merges")
    with pytest.raises(sqlite3.IntegrityError, match="only be undone"):
        store.execute("UPDATE crm_merges SET survivor_id = 'A007'")
    merge.unmerge(con, store, r.merge_id, user="admin", reason="two households")
    with pytest.raises(sqlite3.IntegrityError, match="only be undone"):
        store.execute("UPDATE crm_merges SET undone_by = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("DELETE FROM crm_merge_records")


def test_existing_store_gains_the_merge_tables(con, tmp_path: Path) -> None:
    """A store written before merges existed (no crm_merges*) is migrated on open."""
    path = tmp_path / "old.duckdb.ops.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA.split("-- Customer merges")[0]
                      + SCHEMA[SCHEMA.index("CREATE TRIGGER IF NOT EXISTS audit_no_update"):])
    old.execute("INSERT INTO crm_records (customer_id, kind, status, occurred_at, created_by, "
                "created_at, updated_at) VALUES ('A002', 'note', 'closed', '2025-01-01', 'x', "
                "'2025-01-01', '2025-01-01')")
    old.commit()
    assert not old.execute("SELECT 1 FROM sqlite_master WHERE name = 'crm_merges'").fetchone()
    old.close()
    store = connect_store(tmp_path / "old.duckdb")
    r = merge.merge(con, store, "A001", "A002", user="admin", reason="migrated store")
    assert r.records == (1,) and owners(store) == {1: "A001"}


def test_merge_permission_belongs_to_admin_and_agents() -> None:
    assert {r for r in ROLES if allowed(r, "merge_customers")} == {"admin", "service_agent"}


# ------------------------------------------------------------------ duplicates
def test_normalised_addresses_and_groups() -> None:
    customers = pd.DataFrame([
        ("C1", "王伟", "13800000001", "东昌区民主街300号25号楼3单元1503室"),
        ("C2", "王伟", "13800000001", "东昌区民主街300号25号楼3单元1503室"),  # all three
        ("C3", "李娜", "13900000002", "东昌区繁荣路1号"),
        ("C4", "李娜", "13900000002", None),  # name + phone
        ("C5", "张强", "13700000003", "东昌区 青年路３２号２８栋６单元１５０４"),
        ("C6", "赵敏", "13500000004", "东昌区青年路32号28号楼6单元1504室"),  # address
        ("C7", "陈静", None, "西区"), ("C8", "刘洋", None, "西区"),  # too vague
        ("C9", "孙丽", "13600000005", "东昌区光明路5号"),
        ("C10", "孙丽", "13600000005", "东昌区光明路5号"),  # merged away below
    ], columns=["customer_id", "name", "phone", "address"])
    g = duplicates.groups(customers, exact=[["C1", "C2"], ["C9", "C10"]], exclude=["C10"])
    got = g.groupby("group").agg(rule=("rule", "first"), ids=("customer_id", tuple))
    assert got.values.tolist() == [["name_phone_address", ("C1", "C2")],
                                   ["name_phone", ("C3", "C4")],
                                   ["address", ("C5", "C6")]]


def test_suspects_reuse_the_quality_report(demo_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        exact = quality_report(con, limit=1000).duplicates
        found = duplicates.suspects(con)
        store = connect_store(tmp_path / "w.duckdb")
        first = found[found["rule"] == "name_phone_address"].groupby("group")[
            "customer_id"].apply(list).iloc[0]
        merge.merge(con, store, first[0], first[1], user="admin", reason="planted duplicate")
        after = duplicates.suspects(con, store)
        scoped = duplicates.suspects(con, scope=["220502"])
    finally:
        con.close()
    planted = found[found["rule"] == "name_phone_address"].groupby("group")["customer_id"].apply(
        lambda s: ", ".join(sorted(s)))
    assert sorted(planted) == sorted(exact["customer_ids"])
    assert len(exact) >= 1
    assert first[1] not in set(after["customer_id"])
    assert after["group"].nunique() == found["group"].nunique() - 1
    assert set(scoped["district_id"]) <= {"220502"}


# ------------------------------------------------------------------ command line
def test_cli_merge_unmerge_and_lists(mini_db_shared: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    runner = CliRunner()
    db = ["--db", str(mini_db_shared)]
    out = runner.invoke(cli, ["customers", "merge", "A001", "A002", "--reason", "same", *db])
    assert out.exit_code == 0, out.output
    assert out.output.strip() == "merge #1: A002 -> A001 (0 records moved)"
    again = runner.invoke(cli, ["customers", "merge", "A001", "A002", "--reason", "x", *db])
    assert again.exit_code == 2 and "already merged into 'A001'" in again.output
    same = runner.invoke(cli, ["customers", "merge", "A001", "A001", "--reason", "x", *db])
    assert same.exit_code == 2 and "into itself" in same.output
    listed = runner.invoke(cli, ["customers", "merges", "--format", "json", *db])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["merge_id"], r["survivor_id"], r["merged_id"]) for r in rows] == [
        (1, "A001", "A002")]
    assert rows[0]["merged_by"].startswith("cli:")
    undo = runner.invoke(cli, ["customers", "unmerge", "1", "--reason", "no", *db])
    assert undo.exit_code == 0 and "merge #1 undone" in undo.output
    store = connect_store(mini_db_shared)
    assert [e["action"] for e in audit.search(store, action=None)][:3] == [
        "crm.unmerge", "customers.merges", "crm.merge"]  # listing merges is audited too


def test_cli_merge_needs_the_permission(mini_db_shared: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from gcrm.security.accounts import add_user

    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    monkeypatch.setenv("GCRM_PASSWORD", "Xyz-secret-2026")
    add_user(connect_store(mini_db_shared), "plan", "planner", "Xyz-secret-2026",
             regions=("D1",))
    out = CliRunner().invoke(cli, ["customers", "merge", "A001", "A002", "--reason", "x",
                                   "--db", str(mini_db_shared), "--user", "plan"])
    assert out.exit_code == 2 and "may not merge duplicate customers" in out.output
    assert connect_store(mini_db_shared).execute(
        "SELECT count(*) FROM crm_merges").fetchone()[0] == 0


def test_cli_risk_and_segments_equal_the_library(mini_db_shared: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from gcrm.customers import queries as crm_risk

    monkeypatch.setenv("GCRM_STORE", str(tmp_path / "ops.sqlite"))
    runner = CliRunner()
    out = runner.invoke(cli, ["customers", "risk", "--db", str(mini_db_shared), "--as-of",
                              "2025-06-30", "--limit", "3", "--format", "csv"])
    assert out.exit_code == 0, out.output
    got = pd.read_csv(io.StringIO(out.output), dtype={"district_id": str, "phone": str})
    con = duckdb.connect(str(mini_db_shared), read_only=True)
    try:
        want = crm_risk.ranked(con, None, as_of=pd.Timestamp("2025-06-30"), limit=3)
    finally:
        con.close()
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert got["arrears_score"].tolist() == want["arrears_score"].tolist()
    assert got["arrears_why"].tolist() == want["arrears_why"].tolist()
    bad = runner.invoke(cli, ["customers", "risk", "--db", str(mini_db_shared),
                              "--as-of", "yesterday"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    seg = runner.invoke(cli, ["customers", "segments", "--db", str(mini_db_shared),
                              "--format", "csv"])
    assert seg.exit_code == 0, seg.output  # 2 months of data: no segment, not an error
