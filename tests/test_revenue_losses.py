"""Revenue-protection inputs and line losses: reject reasons and known answers (docs/revenue.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.storage import warehouse

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "minimal"

TRANSFORMERS = """transformer_id,feeder_id,name,capacity_kva,lon,lat
TA,F1,甲台区,400,125.5,42.0
TB,F2,乙专变,1000,126.5,42.0
TC,F2,丙台区,200,126.4,42.0
TD,F3,丁台区,200,126.2,41.5
TE,F1,空台区,100,125.5,42.0
TZ,F9,无馈线,100,125.5,42.0
TA,F1,重复,400,125.5,42.0
,F1,无编号,100,125.5,42.0
TF,F1,负容量,-5,125.5,42.0
TG,F1,坏容量,abc,125.5,42.0
"""
SUPPLY = """point_id,level,month,kwh
TA,transformer,2025-01,400
TA,transformer,2025-02,340
TB,transformer,2025-01,49000
TB,transformer,2025-02,30300
TC,transformer,2025-01,410
TE,transformer,2025-01,100
F1,feeder,2025-01,800
TQ,transformer,2025-01,5
F1,transformer,2025-01,5
TA,substation,2025-01,5
TA,transformer,2025-13,5
TA,transformer,2025-01,5
TA,transformer,2025-03,-1
TA,transformer,2025-04,x
"""
DAILY = """customer_id,date,kwh
A001,2025-01-01,6.5
A001,2025-01-01,7
A999,2025-01-02,1
A001,2025-01-32,1
A001,2025-01-03,-1
"""
#: customer -> transformer; A006's TX is unknown: kept, unattached
ATTACH = {"A001": "TA", "A002": "TA", "A003": "TB", "A004": "TC", "A005": "TC",
          "A006": "TX", "A007": "TD"}


@pytest.fixture(scope="module")
def rev_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("revenue")
    inp = base / "input"
    shutil.copytree(EXAMPLE, inp)
    cust = pd.read_csv(inp / "customers.csv", dtype=str, keep_default_na=False)
    cust["transformer_id"] = cust["customer_id"].map(ATTACH).fillna("")
    cust.to_csv(inp / "customers.csv", index=False)
    (inp / "transformers.csv").write_text(TRANSFORMERS, "utf-8")
    (inp / "supply.csv").write_text(SUPPLY, "utf-8")
    (inp / "daily_reads.csv").write_text(DAILY, "utf-8")
    load(inp, base / "rev.duckdb", quiet=True, report_dir=base / "report")
    return base / "rev.duckdb"


def _rejects(db: Path, file: str) -> list[tuple[int, str]]:
    with warehouse.connect(db, read_only=True) as con:
        return con.execute("SELECT row_number, reason FROM etl_rejects WHERE file LIKE ? "
                           "ORDER BY row_number", [f"{file}%"]).fetchall()


def test_reject_reasons_of_every_new_file(rev_db: Path) -> None:
    assert _rejects(rev_db, "transformers") == [
        (6, "unknown_feeder"), (7, "duplicate_key"), (8, "missing_key"),
        (9, "negative_value"), (10, "bad_number")]
    assert _rejects(rev_db, "supply") == [
        (8, "unknown_point"), (9, "unknown_point"), (10, "unknown_level"), (11, "bad_date"),
        (12, "duplicate_key"), (13, "negative_value"), (14, "bad_number")]
    assert _rejects(rev_db, "daily_reads") == [
        (2, "duplicate_key"), (3, "unknown_customer"), (4, "bad_date"), (5, "negative_value")]
    with warehouse.connect(rev_db, read_only=True) as con:
        summary = json.loads(con.execute("SELECT summary FROM etl_loads").fetchone()[0])
        counts = {f["file"]: f for f in summary["files"]}
        for name, read in (("transformers.csv", 10), ("supply.csv", 14),
                           ("daily_reads.csv", 5)):
            assert counts[name]["read"] == read
            assert counts[name]["loaded"] + counts[name]["rejected"] == read
        # a customer of an unknown transformer is kept, unattached
        assert con.execute("SELECT transformer_id FROM dim_customer WHERE customer_id = 'A006'"
                           ).fetchone()[0] == "TX"


def test_loading_twice_changes_nothing(rev_db: Path, tmp_path: Path) -> None:
    from etl.pipeline import load

    db = tmp_path / "again.duckdb"
    shutil.copy(rev_db, db)
    load(rev_db.parent / "input", db, quiet=True, report_dir=tmp_path / "r")
    with warehouse.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*), sum(kwh) FROM fact_supply").fetchone() == (7, 81350)
        assert con.execute("SELECT count(*) FROM dim_transformer").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM fact_daily_read").fetchone()[0] == 1


def _losses(db: Path, *args: str) -> pd.DataFrame:
    res = CliRunner().invoke(cli, ["losses", "--db", str(db), "--format", "json", *args])
    assert res.exit_code == 0, res.output
    return pd.DataFrame(json.loads(res.output))


def test_transformer_losses_by_month_known_answers(rev_db: Path) -> None:
    df = _losses(rev_db, "--by", "transformer", "--by", "month").set_index(
        ["transformer", "month"])
    ta = df.loc[("TA", "2025-01")]
    assert (ta.supplied_kwh, ta.billed_kwh, ta.loss_kwh) == (400, 350, 50)
    assert ta.loss_rate == pytest.approx(0.125) and ta.status == "high"
    assert df.loc[("TA", "2025-02"), "status"] == "normal"
    tb = df.loc[("TB", "2025-01")]
    assert tb.loss_kwh == -1000 and tb.loss_rate == pytest.approx(-1000 / 49000, abs=5e-5)
    assert tb.status == "negative"
    assert df.loc[("TB", "2025-02"), "loss_rate"] == pytest.approx(300 / 30300, abs=5e-5)
    assert df.loc[("TC", "2025-01"), "status"] == "normal"
    # no supply reading; no customers billed: not computable, rate empty
    for key in (("TD", "2025-01"), ("TE", "2025-01")):
        assert df.loc[key, "status"] == "not_computable"
        assert pd.isna(df.loc[key, "loss_rate"])


def test_period_losses_and_money(rev_db: Path) -> None:
    df = _losses(rev_db, "--by", "transformer").set_index("transformer")
    ta = df.loc["TA"]
    assert (ta.supplied_kwh, ta.billed_kwh, ta.loss_kwh) == (740, 690, 50)
    assert ta.loss_rate == pytest.approx(50 / 740, abs=5e-5) and ta.status == "normal"
    # money at the area's average billed price: (105 + 94.5 + 80 + 84) / 690 yuan per kWh
    assert ta.loss_yuan == pytest.approx(50 * 363.5 / 690, abs=0.01)
    # TC's February has billing nor supply; its January alone counts
    assert df.loc["TC", "status"] == "normal"
    only_jan = _losses(rev_db, "--by", "transformer", "--from", "2025-02", "--to", "2025-02")
    assert set(only_jan["transformer"]) == {"TA", "TB"}


def test_feeder_losses(rev_db: Path) -> None:
    df = _losses(rev_db, "--by", "feeder", "--by", "month").set_index(["feeder", "month"])
    f1 = df.loc[("F1", "2025-01")]
    # F1's customers billed in January: A001 200 + A002 150 + A006 120
    assert (f1.supplied_kwh, f1.billed_kwh) == (800, 470)
    assert f1.loss_rate == pytest.approx(330 / 800, abs=5e-5) and f1.status == "high"
    assert df.loc[("F2", "2025-01"), "status"] == "not_computable"


def test_district_adds_up_its_areas_with_a_reading(rev_db: Path) -> None:
    with warehouse.connect(rev_db, read_only=True) as con:
        where = dict(con.execute("SELECT transformer_id, district_id FROM dim_transformer"
                                 ).fetchall())
    assert where["TA"] == "D1" and where["TB"] == "D2" and where["TC"] is None
    df = _losses(rev_db, "--by", "district", "--by", "month").set_index(["district", "month"])
    d2 = df.loc[("D2", "2025-01")]
    assert (d2.supplied_kwh, d2.billed_kwh) == (49000, 50000)  # TD has no reading
    assert d2.status == "negative"


def test_bad_requests_exit_2(rev_db: Path) -> None:
    for args in (["--by", "month"], ["--by", "feeder", "--by", "district"],
                 ["--by", "feeder", "--from", "2025-13"],
                 ["--by", "feeder", "--from", "2025-03", "--to", "2025-01"]):
        res = CliRunner().invoke(cli, ["losses", "--db", str(rev_db), *args])
        assert res.exit_code == 2, (args, res.output)


def test_old_warehouse_without_supply_says_so(mini_db_shared: Path) -> None:
    res = CliRunner().invoke(cli, ["losses", "--db", str(mini_db_shared), "--by", "feeder"])
    assert res.exit_code == 2 and "no supply data loaded" in res.output


def test_quality_report_counts_unattached_customers(rev_db: Path) -> None:
    res = CliRunner().invoke(cli, ["quality", "--db", str(rev_db)])
    assert res.exit_code == 0, res.output
    assert "customers of an unknown transformer area (kept, unattached): 1" in res.output


def test_change_against_last_year_only_when_last_year_is_covered() -> None:
    from gcrm.revenue.losses import Thresholds, loss_table

    def frame(months: list[str], supplied: float) -> pd.DataFrame:
        return pd.DataFrame({"feeder": "F", "month": months, "supplied_kwh": supplied,
                             "billed_kwh": 90.0, "billed_yuan": 45.0, "customers": 9})

    th = Thresholds(0.07, -0.01)
    now = frame(["2026-01", "2026-02"], 100.0)
    full = loss_table(now, ["feeder"], th, frame(["2025-01", "2025-02"], 95.0))
    assert full["loss_rate_last_year"].iloc[0] == pytest.approx(10 / 190)
    assert full["change"].iloc[0] == pytest.approx(0.1 - 10 / 190)
    partial = loss_table(now, ["feeder"], th, frame(["2025-02"], 95.0))
    assert pd.isna(partial["loss_rate_last_year"].iloc[0])
    monthly = loss_table(now, ["feeder", "month"], th, frame(["2025-02"], 95.0))
    assert pd.isna(monthly["change"].iloc[0])
    assert monthly["loss_rate_last_year"].iloc[1] == pytest.approx(5 / 95)
