"""Render a report to bytes (for the dashboard's download button): same model, same writers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from gcrm.reports.data import ReportModel, build
from gcrm.reports.export import write
from gcrm.reports.output import batch_name
from gcrm.reports.period import parse_period
from gcrm.tariff.scenario import Scenario

MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
}


def render(con: duckdb.DuckDBPyConnection, region_id: str, period: str, fmt: str,
           principal=None, lang: str = "en", crs: str = "wgs84",
           scenario: Scenario | None = None) -> tuple[bytes, ReportModel]:
    """The report file's bytes and its model (raises ReportError / ValueError on bad input);
    ``scenario`` adds a tariff scenario's section (pdf, xlsx)."""
    model = build(con, region_id, parse_period(period), principal=principal, lang=lang,
                  scenario=scenario)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"report.{fmt}"
        write(model, fmt, out, crs=crs)
        return out.read_bytes(), model


def file_name(model: ReportModel, fmt: str) -> str:
    """``<region_id>_<name>_<period>.<ext>``, the batch export's safe name."""
    return batch_name(model.region_id, model.region_name, model.period.slug, fmt)
