"""``gcrm notice``: the planned-outage notification list, as the outage page prepares it.

Customers on the chosen feeders or inside an area (GeoJSON/WKT file, or H3 cells), with the
contact fields the user may see; recorded in the audit log as ``notice.prepare`` like a
download from the page. Same functions as the page (:mod:`gcrm.outages.queries`, areas parsed
by :mod:`gcrm.outages.areas`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    USER_OPTION,
    BadInput,
    audit_action,
    emit,
    handle_errors,
    open_as,
)


def _when(text: str, what: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"malformed {what} {text!r}: expected YYYY-MM-DD HH:MM") from None


@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--feeder", "feeders", multiple=True, help="Feeder id (repeat).")
@click.option("--area", "area_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="GeoJSON or WKT file with the maintenance area.")
@click.option("--cell", "cells", multiple=True, help="H3 cell of the area (repeat).")
@click.option("--datum", type=click.Choice(["wgs84", "gcj02", "bd09"]), default=None,
              help="Coordinates of --area [default: what the file says, else WGS-84].")
@click.option("--start", required=True, help="Maintenance start, YYYY-MM-DD HH:MM.")
@click.option("--end", required=True, help="Maintenance end, YYYY-MM-DD HH:MM.")
@CSV_FORMAT_OPTION
@handle_errors
def notice(db: Path, user, feeders, area_file, cells, datum, start, end, fmt) -> None:
    """Customers to notify of a planned outage on --feeder(s), in an --area file or in
    --cell(s), for the window --start..--end."""
    from gcrm.outages import areas, queries
    from gcrm.security import mask_frame

    if sum(bool(x) for x in (feeders, area_file, cells)) != 1:
        raise BadInput("give exactly one of --feeder, --area or --cell")
    window = (_when(start, "--start"), _when(end, "--end"))
    principal, con, scope = open_as(db, user, "prepare_notice")
    try:
        if feeders:
            areas.check_window(*window)
            df = queries.notice_list(con, list(feeders), scope=scope)
            target, detail = areas.notice_audit(feeders=list(feeders))
        else:
            area = (areas.area_from_cells(list(cells)) if cells
                    else areas.parse_area(area_file.read_bytes(), datum))
            df = queries.notice_list_area(con, area, window, scope=scope)
            target, detail = areas.notice_audit(area=area)
    finally:
        con.close()
    masked = bool(principal and not principal.can("read_pii"))
    if masked:
        df = mask_frame(df)
    audit_action(db, principal, "notice.prepare", target, **detail,
                 window_start=window[0].isoformat(), window_end=window[1].isoformat(),
                 rows=len(df), format=fmt, masked=masked)
    emit(df, fmt)


COMMANDS = (notice,)
