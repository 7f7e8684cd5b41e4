"""Area reports: every format for a demo district, numbers equal to `gcrm query`, roles,
batch export and bad input (exit 2, no file left)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np
import openpyxl
import pyogrio
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.cli import cli
from gcrm.cube.model import MEASURES
from gcrm.i18n import t
from gcrm.reports import ReportError, build, parse_period
from gcrm.reports.data import KPI_MEASURES
from gcrm.reports.labels import column_label, fmt_measure
from gcrm.reports.output import batch_name, inside, safe_component
from gcrm.spatial.crs import wgs84_to_gcj02
from gcrm.storage import warehouse

DISTRICT = "220502"  # 东昌区
PW = "Corr3ct-horse-battery"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None
                                   or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils not installed (make system-deps)")


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def period(demo_db: Path) -> str:
    """The last three months with data, as a range period (YYYY-MM..YYYY-MM)."""
    con = warehouse.connect(demo_db, read_only=True)
    first, last = cube.month_range(con, 3)
    con.close()
    return f"{first}..{last}"


def run(*args: str, password: str | None = None):
    env = {"GCRM_PASSWORD": password} if password else {}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def report(db: Path, out: Path, period: str, fmt: str = "pdf", *extra: str,
           region: str = DISTRICT, user: str | None = None):
    args = ["report", "--db", str(db), "--region", region, "--period", period,
            "--format", fmt, "--out", str(out), *extra]
    if user:
        args += ["--user", user]
    return run(*args, password=PW if user else None)


def add_user(db: Path, role: str, *regions: str) -> str:
    from gcrm.security.accounts import add_user as add
    from gcrm.storage.store import connect_store

    name = f"rep-{role}-{uuid.uuid4().hex[:6]}"
    add(connect_store(db), name, role, PW, regions=regions)
    return name


def query_totals(db: Path, period: str, measures=KPI_MEASURES) -> dict[str, float]:
    first, last = period.split("..")
    args = ["query", "--db", str(db), "--format", "json", "--where", f"district={DISTRICT}",
            "--from", first, "--to", last]
    for m in measures:
        args += ["--measure", m]
    res = run(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)[0]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def no_temp_files(folder: Path) -> bool:
    return not any(p.name.startswith(".gcrm-report-") for p in folder.iterdir())


# --------------------------------------------------------------------------- periods
@pytest.mark.parametrize(("text", "months", "prev", "last_year"), [
    ("2025", ("2025-01", "2025-12"), ("2024-01", "2024-12"), ("2024-01", "2024-12")),
    ("2025-Q3", ("2025-07", "2025-09"), ("2025-04", "2025-06"), ("2024-07", "2024-09")),
    ("2025-q1", ("2025-01", "2025-03"), ("2024-10", "2024-12"), ("2024-01", "2024-03")),
    ("2025-07", ("2025-07", "2025-07"), ("2025-06", "2025-06"), ("2024-07", "2024-07")),
    ("2025-01..2025-06", ("2025-01", "2025-06"), ("2024-07", "2024-12"),
     ("2024-01", "2024-06")),
])
def test_parse_period(text, months, prev, last_year) -> None:
    p = parse_period(text)
    assert (p.months, p.previous().months, p.last_year().months) == (months, prev, last_year)


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-Q5", "2025-06..2025-01",
                                  "2025/01", "../etc"])
def test_bad_period(text: str) -> None:
    with pytest.raises(ValueError, match="bad period"):
        parse_period(text)


def test_safe_names(tmp_path: Path) -> None:
    assert safe_component("../../东昌区") == "东昌区"
    assert batch_name("220502", "东/昌..区", "2025-01_2025-06", "pdf") == \
        "220502_东_昌_区_2025-01_2025-06.pdf"
    with pytest.raises(ReportError):
        inside(tmp_path, "../escape.pdf")


# --------------------------------------------------------------------------- PDF
@pytest.fixture(scope="module")
def pdf_zh(demo_db: Path, period: str, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "dongchang.pdf"
    res = report(demo_db, out, period, "pdf", "--lang", "zh-CN")
    assert res.exit_code == 0, res.output
    return out


@needs_poppler
def test_pdf_kpis_equal_gcrm_query(pdf_zh: Path, demo_db: Path, period: str) -> None:
    text = pdf_text(pdf_zh)
    expected = query_totals(demo_db, period)
    for m in KPI_MEASURES:
        shown = fmt_measure(m, expected[m])
        assert shown in text, f"{m}: {shown} not in the PDF"
    assert "东昌区" in text and t("report.section.kpi", "zh-CN") in text
    for section in ("report.section.trade", "report.section.quality"):
        assert t(section, "zh-CN") in text
    assert "SAIFI" in text and "RS-1" in text
    assert "page" not in text.lower() or "/ " in text  # footer page numbers "n / N"
    assert "第 1 / " in text  # footer: page n / N


@needs_poppler
def test_pdf_first_page_renders(pdf_zh: Path, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf_zh),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    pixels = np.asarray(Image.open(png).convert("L"))
    assert (pixels < 200).mean() > 0.03, "first page is (almost) blank"
    fonts = subprocess.run(["pdffonts", str(pdf_zh)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts or "STSong" in fonts


# --------------------------------------------------------------------------- XLSX
def test_xlsx_totals_equal_cube(demo_db: Path, period: str, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    res = report(demo_db, out, period, "xlsx")
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    expected = query_totals(demo_db, period, ("kwh", "amount", "paid", "customers",
                                               "payments"))

    def column(ws, measure: str) -> tuple[list[float], float]:
        headers = [c.value for c in ws[1]]
        j = headers.index(column_label(measure, "en")) + 1
        values = [ws.cell(row=r, column=j).value for r in range(2, ws.max_row + 1)]
        assert ws.cell(row=ws.max_row, column=1).value == "Total"
        return values[:-1], values[-1]

    checks = {"report.section.consumption": ("kwh", "amount", "paid"),
              "report.chart.class_mix": ("kwh", "amount", "customers"),
              "report.chart.channels": ("paid", "payments"),
              "report.arrears.title": ("amount", "paid"),
              "report.section.areas": ("kwh", "customers")}
    for key, measures in checks.items():
        ws = wb[t(key, "en")[:28]]
        assert ws.freeze_panes == "A2"
        assert ws.cell(row=1, column=1).font.bold
        for m in measures:
            rows, total = column(ws, m)
            assert total == pytest.approx(expected[m]), (key, m)
            assert sum(rows) == pytest.approx(expected[m]), (key, m)
    kpi = wb[t("report.section.kpi", "en")]
    values = {kpi.cell(row=r, column=1).value: kpi.cell(row=r, column=2).value
              for r in range(2, kpi.max_row + 1)}
    assert values[column_label("kwh", "en")] == pytest.approx(expected["kwh"])
    assert kpi.cell(row=3, column=2).number_format == "#,##0"


# --------------------------------------------------------------------------- GIS
def test_gpkg_layers_crs_and_gcj02(demo_db: Path, period: str, tmp_path: Path) -> None:
    wgs, gcj = tmp_path / "r.gpkg", tmp_path / "r_gcj.gpkg"
    assert report(demo_db, wgs, period, "gpkg").exit_code == 0
    res = report(demo_db, gcj, period, "gpkg", "--crs", "gcj02")
    assert res.exit_code == 0, res.output
    layers = [name for name, _ in pyogrio.list_layers(wgs)]
    assert layers == ["region", "grid_cells", "service_points", "customers"]
    assert [n for n, _ in pyogrio.list_layers(gcj)] == [f"{n}_gcj02" for n in layers]
    for name in layers:
        assert pyogrio.read_info(wgs, layer=name)["crs"] == "EPSG:4326"
    region = pyogrio.read_dataframe(wgs, layer="region")
    expected = query_totals(demo_db, period, ("kwh", "customers"))
    assert region["kwh"].iloc[0] == pytest.approx(expected["kwh"])
    cells = pyogrio.read_dataframe(wgs, layer="grid_cells")
    assert cells["kwh"].sum() == pytest.approx(expected["kwh"])
    a = pyogrio.read_dataframe(wgs, layer="service_points")
    b = pyogrio.read_dataframe(gcj, layer="service_points_gcj02")
    lon, lat = wgs84_to_gcj02(a.geometry.x.to_numpy(), a.geometry.y.to_numpy())
    np.testing.assert_allclose(b.geometry.x, lon, atol=1e-9)
    np.testing.assert_allclose(b.geometry.y, lat, atol=1e-9)
    assert (np.abs(b.geometry.x - a.geometry.x) > 1e-4).all()  # really shifted
    meta = pyogrio.read_info(gcj, layer="region_gcj02")["layer_metadata"]
    assert meta["datum"] == "GCJ-02"
    customers = pyogrio.read_dataframe(wgs, layer="customers")
    assert customers["phone"].str.contains(r"\*").sum() == 0  # operator: unmasked


def test_geojson(demo_db: Path, period: str, tmp_path: Path) -> None:
    out = tmp_path / "r.geojson"
    assert report(demo_db, out, period, "geojson", "--crs", "gcj02").exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["gcrm"]["datum"] == "GCJ-02"
    layers = {f["properties"]["layer"] for f in doc["features"]}
    assert layers == {"region_gcj02", "grid_cells_gcj02", "service_points_gcj02",
                      "customers_gcj02"}


# --------------------------------------------------------------------------- roles, audit
def test_planner_sees_masked_customers_only_in_scope(demo_db: Path, period: str,
                                                     tmp_path: Path) -> None:
    planner = add_user(demo_db, "planner", DISTRICT)
    out = tmp_path / "p.gpkg"
    res = report(demo_db, out, period, "gpkg", user=planner)
    assert res.exit_code == 0, res.output
    customers = pyogrio.read_dataframe(out, layer="customers")
    phones = customers["phone"].dropna()
    assert len(phones) > 0 and phones.str.contains(r"\*").all()
    other = tmp_path / "other.pdf"
    res = report(demo_db, other, period, region="220503", user=planner)
    assert res.exit_code == 2 and "outside your regions" in res.output
    assert not other.exists()
    from gcrm.security import audit
    from gcrm.storage.store import connect_store

    rows = audit.search(connect_store(demo_db), user=planner, action="report.export",
                        limit=5)
    assert rows and json.loads(rows[0]["detail"])["format"] == "gpkg"


def test_analyst_gets_no_customer_rows(demo_db: Path, period: str, tmp_path: Path) -> None:
    analyst = add_user(demo_db, "analyst")
    con = warehouse.connect(demo_db, read_only=True)
    from gcrm.security.accounts import Principal

    model = build(con, DISTRICT, parse_period(period), Principal(analyst, "analyst"))
    con.close()
    assert model.top_customers is None and model.customers is None
    out = tmp_path / "a.gpkg"
    assert report(demo_db, out, period, "gpkg", user=analyst).exit_code == 0
    assert "customers" not in [n for n, _ in pyogrio.list_layers(out)]
    xlsx = tmp_path / "a.xlsx"
    assert report(demo_db, xlsx, period, "xlsx", user=analyst).exit_code == 0
    titles = openpyxl.load_workbook(xlsx).sheetnames
    assert not any(s.startswith("Top") for s in titles)


def test_role_without_export_is_refused(demo_db: Path, period: str, tmp_path: Path) -> None:
    manager = add_user(demo_db, "regional_manager", DISTRICT)
    out = tmp_path / "m.pdf"
    res = report(demo_db, out, period, user=manager)
    assert res.exit_code == 2 and not out.exists()


# --------------------------------------------------------------------------- batch
def test_batch_all_districts(demo_db: Path, period: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "batch"
    res = run("report", "--db", str(demo_db), "--all-districts", "--period", period,
              "--format", "xlsx", "--out-dir", str(out_dir), "--quiet")
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out_dir.iterdir())
    assert len(files) == 7, files
    slug = period.replace("..", "_")
    assert f"220502_东昌区_{slug}.xlsx" in files
    # a second run without --force refuses before writing anything
    res = run("report", "--db", str(demo_db), "--all-districts", "--period", period,
              "--format", "xlsx", "--out-dir", str(out_dir), "--quiet")
    assert res.exit_code == 2 and "already exists" in res.output
    assert no_temp_files(out_dir)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("args", "message"), [
    (["--region", "999999"], "unknown region"),
    (["--region", "../220502"], "unknown region"),
    (["--period", "2001"], "no consumption data"),
    (["--period", "2025-13"], "bad period"),
    (["--format", "xlsx"], "must end with .xlsx"),
    (["--crs", "gcj02"], "--crs applies"),
])
def test_bad_input_exit_2_no_file(demo_db: Path, period: str, tmp_path: Path, args,
                                  message: str) -> None:
    out = tmp_path / "r.pdf"
    base = {"--region": DISTRICT, "--period": period, "--format": "pdf"}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    flat = [x for kv in base.items() for x in kv]
    res = run("report", "--db", str(demo_db), "--out", str(out), *flat)
    assert res.exit_code == 2, res.output
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists() and no_temp_files(tmp_path)


def test_existing_and_unwritable_targets(demo_db: Path, period: str, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    out.write_bytes(b"keep me")
    res = report(demo_db, out, period)
    assert res.exit_code == 2 and "--force" in res.output
    assert out.read_bytes() == b"keep me"
    res = report(demo_db, tmp_path / "missing" / "r.pdf", period)
    assert res.exit_code == 2 and "does not exist" in res.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = report(demo_db, blocker / "r.pdf", period)
    assert res.exit_code == 2
    assert no_temp_files(tmp_path)


def test_failure_while_writing_leaves_nothing(demo_db: Path, period: str, tmp_path: Path,
                                              monkeypatch) -> None:
    from gcrm.reports import pdf

    def boom(model, path):
        Path(path).write_bytes(b"%PDF-partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf, "write_pdf", boom)
    out = tmp_path / "r.pdf"
    res = CliRunner().invoke(cli, ["report", "--db", str(demo_db), "--region", DISTRICT,
                                   "--period", period, "--out", str(out)])
    assert res.exit_code == 1 and "disk full" in res.output
    assert list(tmp_path.iterdir()) == []


def test_kpis_are_the_cube(demo_db: Path, period: str) -> None:
    con = warehouse.connect(demo_db, read_only=True)
    p = parse_period(period)
    model = build(con, DISTRICT, p)
    direct = cube.query(con, list(KPI_MEASURES), months=p.months, scope=[DISTRICT])
    con.close()
    for m in KPI_MEASURES:
        assert model.kpi(m) == pytest.approx(float(direct[m].iloc[0])), m
        assert MEASURES[m].fmt


def test_reliability_is_the_reliability_query_for_the_period(demo_db: Path,
                                                             period: str) -> None:
    """The report's reliability rows are `gcrm.outages.queries.indices` over the report's months
    (not the whole calendar year): a quarter's SAIDI is the quarter's."""
    from gcrm.outages import queries as rel

    con = warehouse.connect(demo_db, read_only=True)
    p = parse_period(period)
    model = build(con, DISTRICT, p)
    quarter = rel.indices(con, p.year, "district", scope=[DISTRICT], months=p.months)
    year = rel.indices(con, p.year, "district", scope=[DISTRICT])
    con.close()
    row = model.reliability.set_index("basis").loc["all"]
    want = quarter.set_index("district").loc[DISTRICT]
    for c in ("saifi", "saidi", "asai"):
        assert row[c] == pytest.approx(float(want[c])), c
    assert row["saidi"] < float(year.set_index("district").at[DISTRICT, "saidi"])


# --------------------------------------------------------------------------- disclosure control
def _analyst_model(demo_db: Path, period: str):
    from gcrm.security.accounts import Principal

    con = warehouse.connect(demo_db, read_only=True)
    try:
        p = parse_period(period)
        model = build(con, DISTRICT, p, Principal("ana-report", "analyst"))
        by_grid = cube.query(con, ["customers", "kwh"], by=["grid"], months=p.months,
                             scope=[DISTRICT]).set_index("grid")
        totals = cube.query(con, list(KPI_MEASURES), months=p.months, scope=[DISTRICT])
    finally:
        con.close()
    return model, by_grid, totals


def test_analyst_report_hides_small_cells_and_keeps_totals(demo_db: Path, period: str) -> None:
    model, by_grid, totals = _analyst_model(demo_db, period)
    assert model.min_cell == 5
    areas = model.areas.set_index("area")
    small = by_grid.index[by_grid["customers"].between(1, 4)].dropna()
    assert len(small), "the demo district has grid cells of fewer than 5 customers"
    assert areas.loc[small, "kwh"].isna().all() and areas.loc[small, "customers"].isna().all()
    hidden = model.hidden("areas")
    assert hidden.loc[model.areas["area"].isin(small).to_numpy(), "kwh"].all()
    assert not hidden["area"].any()
    shown = areas.dropna(subset=["kwh"])
    assert (by_grid.loc[shown.index, "customers"] >= 5).all()
    assert shown["kwh"].tolist() == pytest.approx(by_grid.loc[shown.index, "kwh"].tolist())
    # hidden rows come last (the cube ranks before it hides: a place would tell the rank)
    order = model.areas["kwh"].isna().tolist()
    assert order == sorted(order)
    for m in KPI_MEASURES:  # totals stay true
        assert model.kpi(m) == pytest.approx(float(totals[m].iloc[0])), m
    assert model.hidden_count() >= len(small) * 2
    # reliability per grid cell: cells serving fewer than 5 customers are hidden
    oa = model.outage_areas
    assert oa["customers_served"].dropna().ge(5).all()
    # the operator's report hides nothing
    con = warehouse.connect(demo_db, read_only=True)
    open_model = build(con, DISTRICT, parse_period(period))
    con.close()
    assert open_model.min_cell is None and open_model.hidden_count() == 0
    assert open_model.areas["kwh"].notna().all()


@needs_poppler
def test_analyst_pdf_and_xlsx_print_less_than_min_cell(demo_db: Path, period: str,
                                                       tmp_path: Path) -> None:
    analyst = add_user(demo_db, "analyst")
    pdf, xlsx = tmp_path / "a.pdf", tmp_path / "a.xlsx"
    assert report(demo_db, pdf, period, "pdf", user=analyst).exit_code == 0
    assert report(demo_db, xlsx, period, "xlsx", user=analyst).exit_code == 0
    text = pdf_text(pdf)
    assert "<5" in text and "figures read" in text and "Totals are true" in text
    wb = openpyxl.load_workbook(xlsx)
    areas = wb[t("report.section.areas", "en")[:28]]
    cells = [c.value for row in areas.iter_rows(min_row=2) for c in row]
    assert "<5" in cells
    about = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "figures read" in about[t("report.about.suppressed", "en", min=5)]
    # the operator's XLSX: numbers everywhere
    admin = tmp_path / "o.xlsx"
    assert report(demo_db, admin, period, "xlsx").exit_code == 0
    ops = openpyxl.load_workbook(admin)
    assert not any(c.value == "<5" for ws in ops.worksheets for row in ws.iter_rows()
                   for c in row)
    operator_pdf = tmp_path / "o.pdf"
    assert report(demo_db, operator_pdf, period, "pdf").exit_code == 0
    assert "figures read" not in pdf_text(operator_pdf)


def test_report_on_a_region_too_small_is_refused(demo_db: Path, period: str,
                                                 monkeypatch) -> None:
    from gcrm.security.accounts import Principal

    monkeypatch.setenv("GCRM_MIN_CELL", "1000000")
    con = warehouse.connect(demo_db, read_only=True)
    try:
        with pytest.raises(ReportError, match="fewer than 1000000 customers"):
            build(con, DISTRICT, parse_period(period), Principal("ana-report", "analyst"))
    finally:
        con.close()
