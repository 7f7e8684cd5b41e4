"""The `gcrm` command: exit codes, messages, and the same numbers as the Python API."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_no_arguments_prints_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, [])
    assert result.exit_code == 0, result.output
    for command in ("demo", "etl", "quality", "query", "dashboard"):
        assert command in result.output


def test_etl_prints_summary_table(runner: CliRunner, example_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["etl", "--db", str(tmp_path / "w.duckdb"), "--input",
                                 str(example_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("consumption.csv"))
    assert line.split()[1:] == ["15", "10", "5"]


def test_etl_missing_column_exit_2(runner: CliRunner, example_dir: Path, tmp_path: Path) -> None:
    df = pd.read_csv(example_dir / "payments.csv", dtype=str)
    df.drop(columns="channel").to_csv(example_dir / "payments.csv", index=False)
    result = runner.invoke(cli, ["etl", "--db", str(tmp_path / "w.duckdb"), "--input",
                                 str(example_dir), "--quiet"])
    assert result.exit_code == 2
    assert "payments.csv: column 'channel'" in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_query_csv_equals_python_api(runner: CliRunner, mini_db: Path) -> None:
    args = ["query", "--db", str(mini_db), "--measure", "kwh", "--measure", "customers",
            "--by", "district", "--where", "customer_class=residential",
            "--where", "customer_class=industrial"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(io.StringIO(result.output))
    con = duckdb.connect(str(mini_db), read_only=True)
    want = cube.query(con, ["kwh", "customers"], by=["district"],
                      where={"customer_class": ["residential", "industrial"]})
    assert list(got.columns) == ["district", "kwh", "customers"]
    assert got["kwh"].tolist() == want["kwh"].tolist()
    assert got["district"].fillna("").tolist() == want["district"].fillna("").tolist()


@pytest.mark.parametrize("args,message", [
    (["--measure", "volts"], "unknown measure 'volts'"),
    (["--measure", "kwh", "--where", "district"], "malformed --where 'district'"),
    (["--measure", "kwh", "--by", "colour"], "unknown dimension 'colour'"),
])
def test_query_bad_request_exit_2(runner: CliRunner, mini_db: Path, args, message) -> None:
    result = runner.invoke(cli, ["query", "--db", str(mini_db), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_query_missing_warehouse_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["query", "--db", str(tmp_path / "nope.duckdb"), "--measure",
                                 "kwh"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_demo_bad_input_exit_2_and_nothing_written(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "d" / "gcrm.duckdb"
    result = runner.invoke(cli, ["demo", "--db", str(db), "--customers", "0"])
    assert result.exit_code == 2 and "--customers must be at least 1" in result.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, ["demo", "--db", str(blocker / "gcrm.duckdb")])
    assert result.exit_code == 2 and "cannot write" in result.output
    result = runner.invoke(cli, ["demo", "--db", "/proc/gcrm/gcrm.duckdb"])
    assert result.exit_code == 2 and "cannot write" in result.output
    assert not db.exists()


def test_demo_refuses_existing_warehouse(runner: CliRunner, mini_db: Path) -> None:
    before = mini_db.stat().st_mtime_ns
    result = runner.invoke(cli, ["demo", "--db", str(mini_db)])
    assert result.exit_code == 2 and "--force" in result.output
    assert mini_db.stat().st_mtime_ns == before


def test_quality_report(runner: CliRunner, mini_db: Path) -> None:
    result = runner.invoke(cli, ["quality", "--db", str(mini_db)])
    assert result.exit_code == 0, result.output
    assert "out_of_range" in result.output and "A005" in result.output
    assert "unknown_channel" in result.output


def test_reliability_contract_columns_and_known_answers(runner: CliRunner, mini_db: Path) -> None:
    result = runner.invoke(cli, ["reliability", "--db", str(mini_db), "--year", "2025"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.output))
    assert list(df.columns[:7]) == ["district", "customers_served", "saifi", "saidi", "caidi",
                                    "asai", "maifi"]
    d2 = df[df["district"] == "D2"].iloc[0]
    # D2: A003 on F2 (O2, 90 min across midnight), A007 on F3 (O4, planned 480 min)
    assert d2["saidi"] == pytest.approx((90 + 480) / 2) and d2["saifi"] == 1
    result = runner.invoke(cli, ["reliability", "--db", str(mini_db), "--year", "2025",
                                 "--exclude-planned", "--by", "feeder", "--format", "json"])
    rows = {r["feeder"]: r for r in __import__("json").loads(result.output)}
    assert rows["F3"]["saidi"] == 0 and rows["F1"]["maifi"] == 1  # O3 lasted 3 minutes
    result = runner.invoke(cli, ["reliability", "--db", str(mini_db), "--year", "1999"])
    assert result.exit_code == 2 and "no outages in 1999" in result.output


def test_reliability_by_month(runner: CliRunner, mini_db: Path) -> None:
    r = runner.invoke(cli, ["reliability", "--db", str(mini_db), "--year", "2025", "--monthly"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.output))
    assert list(df.columns[:2]) == ["month", "district"] and df["month"].nunique() == 12
    jan = df[(df["month"] == "2025-01") & (df["district"] == "D2")].iloc[0]
    assert jan["saidi"] == pytest.approx(90 / 2)  # O2 on F2 (A003), 90 min
    r = runner.invoke(cli, ["reliability", "--db", str(mini_db), "--year", "2025", "--month",
                            "2"])
    d2 = pd.read_csv(io.StringIO(r.output)).set_index("district").loc["D2"]
    assert d2["saidi"] == pytest.approx(480 / 2)  # O4: planned, 5 Feb, 480 min on F3 (A007)


def test_stopping_gcrm_dashboard_stops_the_server(mini_db_shared: Path) -> None:
    """`gcrm dashboard` becomes the Streamlit server (exec): stopping it leaves no server
    behind on the port (it used to run Streamlit as a child that outlived a killed parent)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.browser import _healthy, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gcrm.cli", "dashboard", "--db", str(mini_db_shared), "--port",
         str(port), "--host", "127.0.0.1"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)  # the harshest stop: no handler can pass it on
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _healthy(url) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _healthy(url), "a server still answers after gcrm dashboard was killed"
    finally:
        if proc.poll() is None:
            proc.kill()
