"""The one-pass checks of the DuckDB load (etl.validate.compile_checked, each column cast once)
give exactly the rejects (row, reason, field) and typed rows of the reference queries
(compile_rejects / compile_typed, which the Spark load runs), on messy input for every file."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl import dupkeys, spec
from etl.validate import (
    DateWindow,
    compile_checked,
    compile_checked_rejects,
    compile_dup_candidates,
    compile_dups,
    compile_normalised,
    compile_rejects,
    compile_typed,
    stage_columns,
)

WINDOW = DateWindow(date(1990, 1, 1), date(2026, 12, 31))
VALUES = {
    "text": ["", " ", "a", " b ", "C1", "C2", "C9"],
    "number": ["", "1", "2.5", "-3", "abc", "nan", "inf", " 4 "],
    "month": ["", "2025-01", "2025-13", "1980-01", "2025-1", "2027-06", " 2025-02 ",
              "1989-12", "1990-01", "2026-12", "2027-01"],
    "date": ["", "2025-01-02", "x", "0001-01-01", "2025-02-30", "infinity"],
    "timestamp": ["", "2025-01-02T10:00:00", "2025-01-02", "bad", "9999-01-01 00:00:00",
                  "1989-12-31 23:59:59"],
    "bool": ["", "true", "是", "N", "maybe", "0"],
}


def _column(col: spec.Col, rng: np.random.Generator, n: int, is_key: bool) -> list[str]:
    if col.kind == "enum":
        pool = ["", col.values[0], col.values[-1].upper(), "zzz"]
    elif col.ref:
        pool = ["", "C1", "C2", "C9"]
    elif is_key and col.kind == "text":
        pool = ["", *(f"K{i}" for i in range(n // 3))]  # duplicates and missing keys
    else:
        pool = VALUES[col.kind]
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def _messy(fs: spec.FileSpec, n: int = 400) -> duckdb.DuckDBPyConnection:
    """A connection with view ``n``: ``n`` messy rows of ``fs`` normalised, and two
    customers and feeders to refer to."""
    rng = np.random.default_rng(len(fs.name))
    df = pd.DataFrame({c.name: _column(c, rng, n, c.name in fs.key) for c in fs.columns})
    if fs.keep_extra:
        df["extra"] = [f"x{i}" for i in range(n)]
    df["__row"] = np.arange(1, n + 1)
    con = duckdb.connect()
    for table, key in (("dim_customer", "customer_id"), ("dim_feeder", "feeder_id")):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM (VALUES ('C1'), ('C2')) t({key})")
    con.execute("CREATE TABLE src AS SELECT * FROM df")
    present = tuple(c for c in df.columns if c != "__row")
    con.execute("CREATE VIEW n AS " + compile_normalised(fs, "src", present))
    return con


@pytest.mark.parametrize("fs", spec.TABULAR, ids=lambda s: s.name)
def test_stage_matches_reference(fs: spec.FileSpec) -> None:
    n = 400
    con = _messy(fs, n)
    want = con.execute(compile_rejects(fs, "n", WINDOW) + " ORDER BY __row").df()
    # the grouped candidates (what the Spark load runs) are the sorted ones, same rejects
    sorted_, grouped = (set(con.execute(compile_dup_candidates(fs, "n", g)).fetchall())
                        for g in (False, True))
    assert sorted_ == grouped and sorted_
    pd.testing.assert_frame_equal(
        con.execute(compile_rejects(fs, "n", WINDOW, grouped=True) + " ORDER BY __row").df(),
        want)
    con.execute("CREATE TABLE d AS " + compile_dups(fs, "n", compile_dup_candidates(fs, "n")))
    assert con.execute("SELECT count(*) FROM d").fetchone()[0] > 0
    con.execute("CREATE VIEW s AS " + compile_checked(fs, "n", WINDOW, "d"))
    got = con.execute(compile_checked_rejects("s") + " ORDER BY __row").df()
    pd.testing.assert_frame_equal(got, want)
    assert len(want) > n // 4  # the input is messy enough to exercise the checks
    # same typed rows (compared in SQL: pandas cannot hold a DATE 'infinity')
    ref, staged = compile_typed(fs, "n"), f"SELECT {stage_columns(fs)} FROM s s"
    assert con.execute(f"SELECT count(*) FROM ((({ref}) EXCEPT ALL ({staged})) UNION ALL "
                       f"(({staged}) EXCEPT ALL ({ref})))").fetchone()[0] == 0
    assert con.execute(f"SELECT count(*) FROM ({staged})").fetchone()[0] == n


@pytest.mark.parametrize("fs", spec.TABULAR, ids=lambda s: s.name)
def test_numpy_dup_candidates_match_the_sql_sort(fs: spec.FileSpec,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The load's duplicate-key candidates (hashes sorted in numpy, or in SQL past
    ``dupkeys.MAX_ROWS``) are the reference query's; missing keys are never candidates."""
    con = _messy(fs)
    want = {r[0] for r in con.execute(compile_dup_candidates(fs, "n")).fetchall()}
    assert want, "the messy input has duplicate keys"
    assert None not in want
    for table, max_rows in (("c_numpy", dupkeys.MAX_ROWS), ("c_sql", 0)):
        monkeypatch.setattr(dupkeys, "MAX_ROWS", max_rows)
        assert dupkeys.create_candidates(con, fs, "n", 400, table) == len(want)
        assert {r[0] for r in con.execute(f"SELECT __h FROM {table}").fetchall()} == want
    # the exact comparison finds the same duplicated keys from either
    dups = con.execute(compile_dups(fs, "n", "SELECT __h FROM c_numpy")
                       + " ORDER BY ALL").fetchall()
    assert dups and dups == con.execute(compile_dups(fs, "n", compile_dup_candidates(fs, "n"))
                                        + " ORDER BY ALL").fetchall()


def test_trimmed_is_nullif_trim_for_every_text() -> None:
    """The normalised text (:func:`etl.validate.trimmed`: ``trim`` only where it can change
    the value) is ``NULLIF(trim(x), '')`` for every value: spaces inside and around, tabs and
    line breaks, Unicode spaces (no-break, ideographic), Chinese, empty, NULL; 20,000 random
    texts over those characters and the hand-picked ones."""
    from etl.validate import trimmed

    alphabet = [" ", " ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u2003", "a", "Z", "0", "-",
                "é", "中", "营", "\u200b"]
    picked = ["", " ", "  ", "a", " a", "a ", " a ", "a b", "\ta", "a\n", "\u3000a", "a\u3000",
              "\u3000", "\u00a0x\u00a0", "é", " é ", "中文", " 中文 ", "P0000000001",
              "2024-01-13T12:58:54", " 2025-02 ", "\u200ba", None]
    rng = np.random.default_rng(7)
    texts = picked + ["".join(rng.choice(alphabet, size=rng.integers(0, 6)))
                      for _ in range(20_000)]
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"i": range(len(texts)), "x": pd.Series(texts,
                                                                              dtype=object)}))
    got = con.execute(f"SELECT i, {trimmed('x')} AS fast, NULLIF(trim(x), '') AS ref "
                      "FROM t ORDER BY i").df()
    assert len(got) == len(texts)
    differ = got[got["fast"].fillna("\x00NULL") != got["ref"].fillna("\x00NULL")]
    assert differ.empty, [texts[i] for i in differ["i"][:5]]
    assert got["ref"].isna().sum() > 100 and (got["fast"] != pd.Series(texts)).sum() > 1000
