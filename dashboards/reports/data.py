"""What the area reports page reads: the regions a user may report on, and the report file.

Both go through the ``gcrm`` API on the run's read-only connection
(:func:`dashboards.components.data.connection`); nothing is cached, so a report always
shows the warehouse as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.components.data import connection
from dashboards.components.session import Scope
from gcrm import cube
from gcrm.reports.render import file_name
from gcrm.reports.render import render as render_report
from gcrm.security.accounts import Principal
from gcrm.storage.regions import region_list
from gcrm.tariff.queries import resolve_scenario, saved_scenarios


def choices(db: str, scope: Scope) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(regions the user may report on as (id, name, level), every month of the cube)."""
    with connection(db) as con:
        return region_list(con, scope), cube.months(con)


@dataclass(frozen=True)
class ReportFile:
    """A generated report, kept in session state until it is downloaded."""

    data: bytes
    name: str
    fmt: str
    rows: int
    region_id: str
    period: str  # the period's label
    tariff: str | None = None  # the tariff scenario of its section, if any


def scenarios(db: str) -> list[str]:
    """Names of the saved tariff scenarios (the Demand-side page saves them)."""
    return saved_scenarios(db)


def generate(db: str, region_id: str, period: str, fmt: str, who: Principal, lang: str,
             crs: str, tariff: str | None = None) -> ReportFile:
    """The report of ``region_id`` for ``period`` as ``who`` sees it, with the saved tariff
    scenario ``tariff`` if given (raises ReportError or ValueError on bad input; a bad
    scenario file is a ValueError too)."""
    scenario = resolve_scenario(db, tariff) if tariff else None
    with connection(db) as con:
        data, model = render_report(con, region_id, period, fmt, principal=who, lang=lang,
                                    crs=crs, scenario=scenario)
    return ReportFile(data, file_name(model, fmt), fmt, model.row_count(), region_id,
                      model.period.label, scenario.name if scenario else None)
