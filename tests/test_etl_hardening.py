"""Issue #17, loading: absurd dates, bad report folders, duplicated or too many columns,
unreadable geometry and corrupt files stop or quarantine cleanly (exit 2, nothing half-written,
no row contents in messages)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from etl import readers
from etl.errors import InputError
from etl.pipeline import load
from etl.spec import TABULAR
from gcrm.cli import cli
from tests.conftest import ROOT
from tests.test_etl_contract import assert_same, rejects, snapshot

#: the raw values of the example's first customer: they must never reach a message
PII = ("王伟", "13812345678", "220502199001011234", "西区幸福街1号")


def etl(db: Path, folder: Path, report_dir: Path | None = None) -> object:
    args = ["etl", "--db", str(db), "--input", str(folder), "--quiet"]
    if report_dir is not None:
        args += ["--report-dir", str(report_dir)]
    return CliRunner().invoke(cli, args)


def append(path: Path, *rows: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(r + "\n" for r in rows))


def loads(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM etl_loads").fetchone()[0]


# --------------------------------------------------------------------------- 5: dates
def test_absurd_dates_are_rejected_as_date_out_of_range(example_dir: Path,
                                                         tmp_path: Path) -> None:
    today = date.today()
    last_ok, first_bad = today + timedelta(days=366), today + timedelta(days=367)
    append(example_dir / "consumption.csv", "A001,1990-01,1,,,,", "A001,1989-12,1,,,,",
           "A001,2099-12,1,,,,", "A001,1900-01,1,,,,")
    append(example_dir / "payments.csv", "P20,A001,0001-01-01,1,app,",
           "P21,A001,9999-12-31T23:59:59,1,app,", f"P22,A001,{last_ok}T12:00:00,1,app,",
           f"P23,A001,{first_bad}T00:00:00,1,app,", "P24,A001,infinity,1,app,")
    append(example_dir / "outages.csv", "O20,F1,1899-01-01T08:00:00,2024-06-01T10:00:00,x,false",
           "O21,F2,2024-06-01T08:00:00,9999-01-01T00:00:00,x,false")
    (example_dir / "service_records.csv").write_text(
        "service_id,customer_id,kind,opened_at,closed_at\n"
        "S1,A001,visit,2025-01-01T09:00:00,2025-01-02T09:00:00\n"
        "S2,A001,visit,2199-01-01T09:00:00,\n"
        "S3,A001,visit,2025-01-01T09:00:00,0001-01-01T00:00:00\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    report = load(example_dir, db, quiet=True, report_dir=tmp_path / "r")
    got = rejects(db)
    got = [tuple(r) for r in got[got["reason"] == "date_out_of_range"].itertuples(index=False)]
    assert got == [
        ("consumption.csv", 17, "month", "1989-12", "date_out_of_range"),
        ("consumption.csv", 18, "month", "2099-12", "date_out_of_range"),
        ("consumption.csv", 19, "month", "1900-01", "date_out_of_range"),
        ("outages.csv", 9, "start", "1899-01-01T08:00:00", "date_out_of_range"),
        ("outages.csv", 10, "end", "9999-01-01T00:00:00", "date_out_of_range"),
        ("payments.csv", 10, "paid_at", "0001-01-01", "date_out_of_range"),
        ("payments.csv", 11, "paid_at", "9999-12-31T23:59:59", "date_out_of_range"),
        ("payments.csv", 13, "paid_at", f"{first_bad}T00:00:00", "date_out_of_range"),
        ("payments.csv", 14, "paid_at", "infinity", "date_out_of_range"),
        ("service_records.csv", 2, "opened_at", "2199-01-01T09:00:00", "date_out_of_range"),
        ("service_records.csv", 3, "closed_at", "0001-01-01T00:00:00", "date_out_of_range"),
    ]
    for c in report.counts:
        assert c.balanced, c.file
    with duckdb.connect(str(db), read_only=True) as con:
        first, last = con.execute("SELECT min(month), max(month) FROM dim_time").fetchone()
        paid = {r[0] for r in con.execute("SELECT payment_id FROM fact_payment").fetchall()}
    assert first == "1990-01" and last == last_ok.strftime("%Y-%m")
    assert "P22" in paid and not paid & {"P20", "P21", "P23", "P24"}


def test_date_window_follows_the_settings(example_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCRM_DATE_MIN", "2025-02-01")
    load(example_dir, tmp_path / "w.duckdb", quiet=True, report_dir=tmp_path / "r")
    got = rejects(tmp_path / "w.duckdb")
    months = got[(got["reason"] == "date_out_of_range") & (got["file"] == "consumption.csv")]
    assert set(months["value"]) == {"2025-01"}
    monkeypatch.setenv("GCRM_DATE_MIN", "last tuesday")
    db = tmp_path / "new.duckdb"
    with pytest.raises(InputError, match="GCRM_DATE_MIN"):
        load(example_dir, db, quiet=True, report_dir=tmp_path / "r2")
    assert not db.exists()


def test_demo_loads_without_date_rejects(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM etl_rejects "
                        "WHERE reason = 'date_out_of_range'").fetchone()[0]
    assert n == 0


def test_reasons_table_lists_every_reject_reason() -> None:
    from etl.validate import DateWindow, checks

    window = DateWindow(date(1990, 1, 1), date(2030, 1, 1))
    reasons = {r for fs in TABULAR for _, r, _ in checks(fs, window)}
    reasons |= {"end_before_start", "overlapping_duplicate",  # outage rules (pipeline)
                "unknown_level", "missing_geometry", "not_a_polygon"}  # regions
    assert "date_out_of_range" in reasons
    text = (ROOT / "docs" / "input-contract.md").read_text("utf-8")
    table = text.split("## Rejected rows", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\|[^|]*", table, re.M))
    documented = {w for cell in documented for w in re.findall(r"`([a-z_]+)`", cell)}
    assert reasons <= documented, sorted(reasons - documented)


# --------------------------------------------------------------------------- 8: report folder
@pytest.mark.parametrize("where", ["file", "under_file", "default_loads_is_file"])
def test_bad_report_dir_stops_before_the_load(mini_db: Path, example_dir: Path, tmp_path: Path,
                                              where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    before, n_loads = snapshot(mini_db), loads(mini_db)
    if where == "default_loads_is_file":
        (mini_db.parent / "loads").write_text("not a folder")
        result, named = etl(mini_db, example_dir), "loads"
    else:
        target = blocker if where == "file" else blocker / "sub"
        result, named = etl(mini_db, example_dir, target), "blocker"
    assert result.exit_code == 2, result.output
    assert named in result.output and "Internal error" not in result.output
    assert loads(mini_db) == n_loads
    assert_same(before, snapshot(mini_db))


def test_load_api_checks_report_dir_before_writing(mini_db: Path, example_dir: Path,
                                                   tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    n_loads = loads(mini_db)
    with pytest.raises(InputError, match="blocker"):
        load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "blocker")
    assert loads(mini_db) == n_loads


def test_bad_report_dir_creates_no_warehouse(example_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    db = tmp_path / "new.duckdb"
    result = etl(db, example_dir, tmp_path / "blocker")
    assert result.exit_code == 2, result.output
    assert not db.exists()


# --------------------------------------------------------------------------- 9: header
@pytest.mark.parametrize("dup", ["name", " name "])
def test_duplicated_header_column_exit_2_without_row_contents(example_dir: Path, tmp_path: Path,
                                                              dup: str) -> None:
    path = example_dir / "customers.csv"
    lines = path.read_text("utf-8").splitlines()
    lines = [lines[0] + "," + dup] + [r + "," + r.split(",")[1] for r in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = etl(db, example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "customers.csv" in result.output and "'name'" in result.output
    assert not any(v in result.output for v in PII), result.output
    assert len(result.output) < 300
    assert not db.exists() and not (tmp_path / "r").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input"]


def test_duplicated_parquet_column_exit_2(example_dir: Path, tmp_path: Path) -> None:
    df = pd.read_csv(example_dir / "consumption.csv", dtype=str)
    arrays = [pa.array(df[c]) for c in df.columns] + [pa.array(df["kwh"])]
    pq.write_table(pa.Table.from_arrays(arrays, names=[*df.columns, "kwh"]),
                   example_dir / "consumption.parquet")
    (example_dir / "consumption.csv").unlink()
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "consumption.parquet" in result.output and "'kwh'" in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_headerless_file_does_not_echo_its_first_row(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "customers.csv"
    path.write_text("\n".join(path.read_text("utf-8").splitlines()[1:]) + "\n", "utf-8")
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "customers.csv" in result.output
    assert not any(v in result.output for v in PII), result.output


def test_malformed_row_message_names_the_row_not_its_contents(example_dir: Path,
                                                              tmp_path: Path) -> None:
    append(example_dir / "consumption.csv", "A001,2025-06,1,2,3,4,5,top-secret-extra")
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "consumption.csv" in result.output and "row 16" in result.output
    assert "top-secret" not in result.output
    assert not (tmp_path / "w.duckdb").exists()


# --------------------------------------------------------------------------- 12: columns
def test_too_many_columns_refused_before_reading_rows(example_dir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("rows read")

    monkeypatch.setattr(readers, "register", never)
    path = example_dir / "customers.csv"
    lines = path.read_text("utf-8").splitlines()
    extra = [f"x{i}" for i in range(20_000)]
    wide = [",".join([lines[0], *extra])] + [r + "," * len(extra) for r in lines[1:]]
    path.write_text("\n".join(wide) + "\n", encoding="utf-8")
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "customers.csv" in result.output and "500" in result.output
    assert not (tmp_path / "w.duckdb").exists()
    monkeypatch.setenv("GCRM_MAX_COLUMNS", "30000")
    monkeypatch.setattr(readers, "register", never)
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert "rows read" in result.output  # under the setting's limit the file is read


def test_max_columns_setting_and_huge_header(example_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCRM_MAX_COLUMNS", "6")
    with pytest.raises(InputError, match=r"customers\.csv.*more than 6"):
        preflight_only(example_dir)
    monkeypatch.delenv("GCRM_MAX_COLUMNS")
    # one endless header line (no newline): refused after a bounded read
    (example_dir / "payments.csv").write_text("payment_id," + "x" * 3_000_000, "utf-8")
    with pytest.raises(InputError, match=r"payments\.csv.*header"):
        preflight_only(example_dir)
    monkeypatch.setenv("GCRM_MAX_COLUMNS", "many")
    with pytest.raises(InputError, match="GCRM_MAX_COLUMNS"):
        preflight_only(example_dir)


def preflight_only(folder: Path) -> None:
    from etl.pipeline import preflight

    preflight(folder, folder.parent / "absent.duckdb")


# --------------------------------------------------------------------------- 13: unreadable
def test_nan_coordinate_in_regions_exit_2(example_dir: Path, tmp_path: Path) -> None:
    path = example_dir / "regions.geojson"
    text = path.read_text("utf-8")
    path.write_text(text.replace("[126.0, 41.0], [126.0, 43.0]", "[126.0, NaN], [126.0, 43.0]",
                                 1), "utf-8")
    assert "NaN" in path.read_text("utf-8")
    db = tmp_path / "w.duckdb"
    result = etl(db, example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "regions.geojson" in result.output and "Internal error" not in result.output
    assert "D1" in result.output  # the feature is named
    assert not db.exists()


def corrupt_gzip_parquet(folder: Path) -> Path:
    df = pd.read_csv(folder / "consumption.csv", dtype=str)
    path = folder / "consumption.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="gzip")
    (folder / "consumption.csv").unlink()
    data = bytearray(path.read_bytes())
    for i in range(60, 200):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    pq.read_schema(path)  # the footer is intact: the damage shows only when rows are read
    return path


def test_corrupt_gzip_parquet_exit_2_and_nothing_created(example_dir: Path,
                                                         tmp_path: Path) -> None:
    corrupt_gzip_parquet(example_dir)
    db = tmp_path / "w.duckdb"
    result = etl(db, example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "consumption.parquet" in result.output and "Internal error" not in result.output
    assert not db.exists() and not Path(f"{db}.wal").exists()


def test_corrupt_gzip_parquet_leaves_existing_warehouse(mini_db: Path, example_dir: Path,
                                                        tmp_path: Path) -> None:
    before, n_loads = snapshot(mini_db), loads(mini_db)
    corrupt_gzip_parquet(example_dir)
    result = etl(mini_db, example_dir, tmp_path / "r2")
    assert result.exit_code == 2, result.output
    assert loads(mini_db) == n_loads
    assert_same(before, snapshot(mini_db))


def test_gzip_bytes_named_csv_exit_2(example_dir: Path, tmp_path: Path) -> None:
    import gzip

    path = example_dir / "customers.csv"
    header = path.read_text("utf-8").splitlines()[0]
    path.write_bytes(header.encode() + b"\n" + gzip.compress(path.read_bytes())[:200])
    result = etl(tmp_path / "w.duckdb", example_dir, tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert "customers.csv" in result.output and "Internal error" not in result.output
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("args", [["--end-month", "2099-12"], ["--end-month", "1991-06",
                                                               "--months", "24"],
                                  ["--end-month", "2026-13"]])
def test_demo_months_outside_the_date_window_are_refused(tmp_path: Path, args) -> None:
    from gcrm.cli import cli

    db = tmp_path / "gcrm.duckdb"
    r = CliRunner().invoke(cli, ["demo", "--db", str(db), "--customers", "50", "--quiet", *args])
    assert r.exit_code == 2, r.output
    assert not db.exists()
