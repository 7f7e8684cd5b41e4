"""Command-line inputs (issue #17, item 13): nonsense numbers are refused with exit 2 and a
one-line message naming the option (never "Internal error"), and listing merges is audited."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gcrm.cli import cli

HALL = "SP-220502-H01"
HUGE = "999999999999999999999"


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo warehouse: a command that wrongly succeeds writes its audit store."""
    copy = tmp_path_factory.mktemp("inputs") / "gcrm.duckdb"
    shutil.copy(demo_db, copy)
    return copy


def _refused(db: Path, args: list[str], *names: str) -> str:
    """Run ``gcrm ARGS --db DB``; assert exit 2 and a one-line message naming ``names``."""
    r = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert r.exit_code == 2, (args, r.output)
    assert "Internal error" not in r.output and "Traceback" not in r.output
    message = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(message) == 1, r.output
    for name in names:
        assert name in message[0], r.output
    return message[0]


@pytest.mark.parametrize("km", ["1e9", "nan", "-1", "inf", "0", "1,nan"])
def test_rings_km_out_of_range(db: Path, km: str) -> None:
    _refused(db, ["tradearea", "rings", "--service-point", HALL, "--km", km], "--km")


@pytest.mark.parametrize("minutes", ["nan", "1e6", "-5"])
def test_drivetime_minutes_out_of_range(db: Path, minutes: str) -> None:
    _refused(db, ["tradearea", "drivetime", "--service-point", HALL, "--minutes", minutes],
             "--minutes")


@pytest.mark.parametrize("shares", ["1.5", "nan", "0"])
def test_customer_area_shares_out_of_range(db: Path, shares: str) -> None:
    _refused(db, ["tradearea", "customers", "--service-point", HALL, "--shares", shares],
             "--shares")


@pytest.mark.parametrize(("option", "value"), [("--beta", "nan"), ("--alpha", "inf"),
                                               ("--beta", "-1"), ("--max-km", "nan"),
                                               ("--max-km", "1e9"),
                                               ("--household-size", "0"),
                                               ("--household-size", "nan")])
def test_huff_parameters_must_be_finite_and_in_range(db: Path, option: str,
                                                     value: str) -> None:
    _refused(db, ["tradearea", "huff", option, value], option)


@pytest.mark.parametrize("args", [
    ["rings", "--lon", "200", "--lat", "41.7"],
    ["rings", "--lon", "125.9", "--lat", "nan"],
    ["summary", "--lon", "200", "--lat", "41.7", "--km", "3"],
])
def test_coordinates_out_of_range(db: Path, args: list[str]) -> None:
    _refused(db, ["tradearea", *args], "--l")


@pytest.mark.parametrize("args", [
    ["gaps", "--km", "5", "--limit", HUGE],
    ["overlaps", "--km", "5", "--limit", HUGE],
    ["gaps", "--km", "5", "--limit", "0"],
])
def test_tradearea_limit_out_of_range(db: Path, args: list[str]) -> None:
    _refused(db, ["tradearea", *args], "--limit")


@pytest.mark.parametrize(("args", "name"), [
    (["gaps", "--km", "nan"], "--km"),
    (["sites", "--km", "1e9"], "--km"),
    (["export", "--layer", "gaps", "--km", "nan", "--out", "x.geojson"], "--km"),
    (["summary", "--service-point", HALL, "--km", "inf"], "--km"),
    (["summary", "--service-point", HALL, "--minutes", "nan"], "--minutes"),
    (["summary", "--service-point", HALL, "--share", "1.5"], "--share"),
    (["targets", "--service-point", HALL, "--km", "3", "--segment", "counter_payers",
      "--min-counter-share", "nan"], "--min-counter-share"),
    (["targets", "--service-point", HALL, "--km", "3", "--segment", "big_unvisited",
      "--visit-months", "0"], "--visit-months"),
])
def test_other_tradearea_numbers_out_of_range(db: Path, args: list[str], name: str,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a command that wrongly ran would write its --out here
    _refused(db, ["tradearea", *args], name)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args", [["risk", "--limit", HUGE], ["segments", "--limit", HUGE]])
def test_customers_limit_out_of_range(db: Path, args: list[str]) -> None:
    _refused(db, ["customers", *args], "--limit")


def test_overview_top_out_of_range(db: Path) -> None:
    _refused(db, ["overview", "--top", HUGE], "--top")


def test_listing_merges_is_audited(demo_db: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from gcrm.security import audit
    from gcrm.storage.store import connect_store

    monkeypatch.delenv("GCRM_STORE", raising=False)  # the store sits beside the copy
    db = tmp_path / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    r = CliRunner().invoke(cli, ["customers", "merges", "--active", "--format", "json",
                                 "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == []
    entries = audit.search(connect_store(db), action="customers.merges")
    assert len(entries) == 1, entries
    assert json.loads(entries[0]["detail"]) == {"active": True, "rows": 0}
    assert entries[0]["user"].startswith("cli:")
