"""Render a report model to a file in one format, atomically (temp file, then rename)."""

from __future__ import annotations

from pathlib import Path

from gcrm.reports.data import ReportModel
from gcrm.reports.output import atomic_target, check_target

FORMATS = ("pdf", "xlsx", "gpkg", "geojson")


def write(m: ReportModel, fmt: str, out: Path, crs: str = "wgs84", force: bool = False) -> Path:
    """Write ``m`` as ``fmt`` to ``out``; nothing is left behind when it fails.

    ``crs`` (``wgs84`` or ``gcj02``) applies to the GIS formats only.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out)
    check_target(out, fmt, force)
    with atomic_target(out) as tmp:
        if fmt == "pdf":
            from gcrm.reports.pdf import write_pdf

            write_pdf(m, tmp)
        elif fmt == "xlsx":
            from gcrm.reports.xlsx import write_xlsx

            write_xlsx(m, tmp)
        elif fmt == "gpkg":
            from gcrm.reports.gis import write_gpkg

            write_gpkg(m, tmp, crs)
        else:
            from gcrm.reports.gis import write_geojson

            write_geojson(m, tmp, crs)
    return out
