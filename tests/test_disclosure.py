"""Disclosure control kernel (gcrm/cube/disclosure.py): small cells and their complements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcrm.cube.disclosure import DisclosureError, check_request, complementary, primary, suppress


def test_primary_cells_are_between_one_and_min_cell() -> None:
    assert primary(pd.Series([0, 1, 4, 5, None]), 5).tolist() == [False, True, True, False, False]


def test_a_lone_small_cell_gets_a_complement_in_two_dimensions() -> None:
    df = pd.DataFrame({"d": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"],
                       "customers": [2, 50, 40, 60]})
    hidden = complementary(df, ["d", "c"], df["customers"], primary(df["customers"], 5))
    # (a,x) is small; along c the group d=a needs (a,y); along d the group c=x needs (b,x);
    # then c=y has (a,y) alone -> (b,y) too: a 2x2 table hides all four
    assert hidden.tolist() == [True, True, True, True]


def test_nothing_small_nothing_hidden() -> None:
    df = pd.DataFrame({"d": ["a", "b"], "kwh": [1.0, 2.0], "customers": [5, 9]})
    out, n = suppress(df, ["d"], ["kwh", "customers"], df["customers"], 5)
    assert n == 0
    pd.testing.assert_frame_equal(out, df)


def test_suppressed_rows_keep_their_dimensions() -> None:
    df = pd.DataFrame({"d": ["a", "b", "c"], "kwh": [10.0, 20.0, 30.0],
                       "customers": [1, 100, 200]})
    out, n = suppress(df, ["d"], ["kwh", "customers"], df["customers"], 5)
    assert n == 2 and out["d"].tolist() == ["a", "b", "c"]
    assert out["kwh"].isna().tolist() == [True, True, False]


def test_personal_dimensions_are_refused() -> None:
    with pytest.raises(DisclosureError, match="--by customer"):
        check_request(["customer"], None)
    with pytest.raises(DisclosureError, match="--where customer="):
        check_request(["month"], {"customer": ["C1"]})
    check_request(["district"], {"district": ["220502"]})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz"),
                          st.integers(min_value=0, max_value=12)),
                min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1])))
def test_no_group_has_a_lone_hidden_cell(rows) -> None:
    df = pd.DataFrame(rows, columns=["d", "c", "customers"])
    first = primary(df["customers"], 5)
    hidden = complementary(df, ["d", "c"], df["customers"], first)
    assert (hidden | ~first).all()  # every small cell is hidden
    for dim, other in (("d", "c"), ("c", "d")):
        for _, idx in df.groupby(other).groups.items():
            pos = df.index.get_indexer(idx)
            assert hidden[pos].sum() != 1 or len(pos) == 1, (dim, df[hidden])
    assert np.all(hidden[first])


# --------------------------------------------------------------------------- on the cube
def test_protected_cube_query_hides_small_cells_and_keeps_totals(demo_db) -> None:
    from gcrm import cube
    from gcrm.storage import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    try:
        open_ = cube.query(con, ["kwh", "customers"], by=["grid"])
        safe = cube.query(con, ["kwh", "customers"], by=["grid"], min_cell=5)
        total = cube.query(con, ["kwh", "customers"], min_cell=5)
    finally:
        con.close()
    small = (open_["customers"] > 0) & (open_["customers"] < 5)
    assert small.any(), "the demo warehouse has small grid cells"
    merged = open_.merge(safe, on="grid", suffixes=("", "_safe"))
    assert merged.loc[merged["customers"].between(1, 4), "kwh_safe"].isna().all()
    shown = merged.dropna(subset=["kwh_safe"])
    assert (shown["customers"] >= 5).all() and (shown["kwh"] == shown["kwh_safe"]).all()
    assert safe.attrs["suppressed"] >= small.sum()
    assert list(safe.columns) == ["grid", "kwh", "customers"]
    # the grand total is true, not the sum of what is shown
    assert total["kwh"].iloc[0] == pytest.approx(open_["kwh"].sum())


def test_protected_payments_by_channel_count_payers(demo_db) -> None:
    from gcrm import cube
    from gcrm.storage import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    try:
        payers = cube.query(con, ["payers"], by=["grid", "channel"])
        safe = cube.query(con, ["paid"], by=["grid", "channel"], min_cell=5)
    finally:
        con.close()
    both = payers.merge(safe, on=["grid", "channel"])
    assert both.loc[both["payers"].between(1, 4), "paid"].isna().all()
    assert both.loc[both["paid"].notna(), "payers"].ge(5).all()


def test_protected_query_refuses_customers(demo_db) -> None:
    from gcrm import cube
    from gcrm.storage import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    try:
        with pytest.raises(DisclosureError):
            cube.query(con, ["kwh"], by=["customer"], min_cell=5)
        with pytest.raises(DisclosureError):
            cube.query(con, ["kwh"], by=["month"], where={"customer": ["C000001"]}, min_cell=5)
    finally:
        con.close()


# --------------------------------------------------------------------------- gcrm query
@pytest.fixture
def analyst_db(demo_db, tmp_path, monkeypatch):
    """A copy of the demo warehouse with an analyst (no read_pii) and an admin."""
    import shutil

    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    db = tmp_path / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    store = connect_store(db)
    add_user(store, "ana", "analyst", "Quiet-river-2026")
    add_user(store, "boss", "admin", "Green-hill-2026")
    store.close()
    return db


def _query(db, user: str, *args: str):
    import os

    from click.testing import CliRunner

    from gcrm.cli import cli

    pw = {"ana": "Quiet-river-2026", "boss": "Green-hill-2026"}[user]
    env = {**os.environ, "GCRM_PASSWORD": pw}
    return CliRunner(env=env).invoke(cli, ["query", "--db", str(db), "--user", user, *args])


def test_cli_refuses_individuals_to_an_analyst(analyst_db) -> None:
    r = _query(analyst_db, "ana", "--measure", "kwh", "--measure", "arrears", "--by", "customer")
    assert r.exit_code == 2 and "aggregates only" in r.output, r.output
    r = _query(analyst_db, "ana", "--measure", "kwh", "--by", "month", "--where",
               "customer=C000001")
    assert r.exit_code == 2 and "one customer" in r.output, r.output
    r = _query(analyst_db, "boss", "--measure", "kwh", "--by", "customer", "--limit", "3")
    assert r.exit_code == 0, r.output  # read_pii: individuals are allowed


def test_cli_suppresses_small_cells_for_an_analyst(analyst_db) -> None:
    import io
    import json

    import pandas as pd

    full = pd.read_csv(io.StringIO(_query(analyst_db, "boss", "--measure", "customers",
                                          "--by", "grid").output))
    r = _query(analyst_db, "ana", "--measure", "customers", "--by", "grid")
    assert r.exit_code == 0, r.output
    safe = pd.read_csv(io.StringIO(r.output))
    both = full.merge(safe, on="grid", suffixes=("", "_shown"))
    assert both.loc[both["customers"] < 5, "customers_shown"].isna().all()
    assert both["customers_shown"].dropna().ge(5).all()
    rows = json.loads(_query(analyst_db, "ana", "--measure", "kwh", "--by", "grid",
                             "--format", "json").output)
    assert any(row["kwh"] is None for row in rows)  # null in JSON
    table = _query(analyst_db, "ana", "--measure", "kwh", "--by", "grid", "--format", "table")
    assert "suppressed" in table.output


def test_order_and_limit_put_hidden_rows_last(demo_db) -> None:
    """Sorting before hiding would give a hidden cell's rank away by its place."""
    from gcrm import cube
    from gcrm.storage import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    try:
        full = cube.query(con, ["kwh"], by=["grid"], order_by="-kwh", min_cell=5)
        top = cube.query(con, ["kwh"], by=["grid"], order_by="-kwh", limit=10, min_cell=5)
        low = cube.query(con, ["kwh"], by=["grid"], order_by="kwh", limit=10, min_cell=5)
    finally:
        con.close()
    shown = full["kwh"].notna()
    assert shown.any() and (~shown).any()
    assert not shown[shown.idxmin():].any(), "hidden rows come after every shown row"
    assert full.loc[shown, "kwh"].is_monotonic_decreasing
    hidden = full.loc[~shown, "grid"].tolist()
    assert hidden == sorted(hidden)  # in key order, not by size
    assert top["kwh"].tolist() == full["kwh"].head(10).tolist()
    assert low["kwh"].notna().all() and low["kwh"].is_monotonic_increasing


def test_min_cell_for_reads_the_setting(monkeypatch) -> None:
    from gcrm.cube.disclosure import min_cell_for

    class Who:
        def __init__(self, pii: bool) -> None:
            self.pii = pii

        def can(self, permission: str) -> bool:
            return self.pii and permission == "read_pii"

    assert min_cell_for(None) is None and min_cell_for(Who(True)) is None
    assert min_cell_for(Who(False)) == 5
    monkeypatch.setenv("GCRM_MIN_CELL", "10")
    assert min_cell_for(Who(False)) == 10
    monkeypatch.setenv("GCRM_MIN_CELL", "zero")
    with pytest.raises(ValueError, match="min_cell"):
        min_cell_for(Who(False))


def test_cli_overview_hides_small_cells_for_an_analyst(analyst_db) -> None:
    import io
    import os

    import pandas as pd
    from click.testing import CliRunner

    from gcrm.cli import cli

    def ranking(user: str, pw: str) -> pd.DataFrame:
        r = CliRunner(env={**os.environ, "GCRM_PASSWORD": pw}).invoke(
            cli, ["overview", "--db", str(analyst_db), "--user", user, "--measure", "customers",
                  "--district", "220502", "--format", "csv"])
        assert r.exit_code == 0, r.output
        return pd.read_csv(io.StringIO(r.output))

    full = ranking("boss", "Green-hill-2026")
    safe = ranking("ana", "Quiet-river-2026")
    both = full.merge(safe, on="grid", suffixes=("", "_shown"))
    assert (both["value"] < 5).any()
    assert both.loc[both["value"] < 5, "value_shown"].isna().all()
    assert both["value_shown"].dropna().ge(5).all()


def test_a_cell_alone_in_its_row_and_column_gets_a_complement() -> None:
    """(a,x) is the only cell of row a and of column x, but the grand total minus the shown
    cells would still give it away."""
    df = pd.DataFrame({"d": ["a", "b", "c"], "c": ["x", "y", "z"], "customers": [2, 40, 9]})
    hidden = complementary(df, ["d", "c"], df["customers"], primary(df["customers"], 5))
    assert hidden.tolist() == [True, False, True]  # the smallest other cell hides it


def test_a_row_describes_its_smallest_non_zero_count() -> None:
    from gcrm.cube.disclosure import describing

    counts = pd.DataFrame({"customers": [2, 30, 0, 7], "payers": [0, 3, None, 9]})
    assert describing(counts).tolist() == [2, 3, 0, 7]
    assert primary(describing(counts), 5).tolist() == [True, True, False, False]
